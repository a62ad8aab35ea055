/* run.c: ./run TARGET [ARGS...] boots output/TARGET with its launch script;
 * with no TARGET, lists what is built. Also the two lookups boottest
 * shares: a target's launch script, and the targets that are built. */
#define _GNU_SOURCE
#include "mkroot.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* output/NAME's launch script, or 0 if NAME isn't a target name, isn't
 * built, or has more than one script (which would make it ambiguous) */
char *launch_script(const char *top, const char *name)
{
  char *dir, *s = 0;
  struct dirent *e;
  int n = 0;
  DIR *d;

  if (!valid_name(name)) return 0;
  /* match names in the one directory: top itself may hold "[" or "*" */
  dir = xprintf("%s/output/%s", top, name);
  if ((d = opendir(dir))) {
    while ((e = readdir(d)))
      if (!fnmatch("qemu-*.sh", e->d_name, FNM_PERIOD) && !n++)
        s = xprintf("%s/%s", dir, e->d_name);
    closedir(d);
  }
  free(dir);
  if (n != 1) {
    free(s);
    s = 0;
  }
  return s;
}

/* Every output/NAME that has a launch script (not the .failed ones) */
int built_targets(const char *top, char ***out)
{
  char *dir = xprintf("%s/output", top);
  DIR *d = opendir(dir);
  struct dirent *e;
  int n = 0;

  *out = xmalloc(256 * sizeof(char *));
  while (d && (e = readdir(d)) && n < 255) {
    char *script;

    if (!strstr(e->d_name, ".failed")
        && (script = launch_script(top, e->d_name))) {
      (*out)[n++] = xstrdup(e->d_name);
      free(script);
    }
  }
  if (d) closedir(d);
  free(dir);
  return n;
}

int run_main(int argc, char **argv)
{
  char *script;

  if (argc < 2) {
    char **names;
    int n = built_targets(".", &names), i;

    for (i = 0; i < n; i++) printf("%s%s", i ? " " : "", names[i]);
    if (n) printf("\n");
    else error_msg("nothing built (./mkroot kernel first)");
    return !n;
  }
  if (!valid_name(argv[1])) {
    error_msg("'%s': bad target name", argv[1]);
    return 1;
  }
  if (!(script = launch_script(".", argv[1]))) {
    error_msg("output/%s: no launch script (./mkroot kernel)", argv[1]);
    return 1;
  }
  argv[1] = script;
  execv(script, argv + 1);
  perror_msg("%s", script);
  return 1;
}
