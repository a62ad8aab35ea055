/* linktree.c: a directory of real directories and symlinks to every file of
 * a source tree (cp -rs), so a kernel tree is "copied" in seconds and the
 * source stays clean: builds write new files, never through the links. */
#define _GNU_SOURCE
#include "mkroot.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int link_tree(const char *from, const char *to)
{
  struct dirent *e;
  DIR *d;
  int rc = 0;

  if (mkdir(to, 0755) && errno != EEXIST) {
    warnm("%s: %s", to, strerror(errno));
    return -1;
  }
  if (!(d = opendir(from))) {
    warnm("%s: %s", from, strerror(errno));
    return -1;
  }
  while (!rc && (e = readdir(d))) {
    char *f, *t;
    struct stat st;

    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")
        || !strcmp(e->d_name, ".git")) continue;
    f = xprintf("%s/%s", from, e->d_name);
    t = xprintf("%s/%s", to, e->d_name);
    if (lstat(f, &st)) rc = -1;
    else if (S_ISDIR(st.st_mode)) rc = link_tree(f, t);
    else if (S_ISLNK(st.st_mode)) {
      char buf[4096];
      ssize_t n = readlink(f, buf, sizeof(buf) - 1);

      /* Relative links inside the tree keep working as copies */
      if (n < 0 || (buf[n] = 0, symlink(buf, t))) rc = -1;
    } else if (symlink(f, t)) rc = -1;
    if (rc) warnm("%s: %s", t, strerror(errno));
    free(f);
    free(t);
  }
  closedir(d);
  return rc;
}
