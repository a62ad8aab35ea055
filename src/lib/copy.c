/* copy.c: copy a tree as it is: modes, owners (when we may), times,
 * symlinks, device nodes, and hard links kept as hard links (the
 * initramfs writer keeps them, so a copy gives the same archive). File
 * data goes through copy_file_range, which shares blocks where the
 * filesystem can (a reflink) and copies in the kernel where it can't;
 * holes stay holes. */
#define _GNU_SOURCE
#include "lib.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct seen { dev_t dev; ino_t ino; char *path; };
struct copy {
  const char *from, *to, *skip;
  int source;              /* files, directories and symlinks only */
  struct seen *s;
  size_t n, cap;
};

static int copy_reg(struct walk *w, const char *dest)
{
  int in = openat(w->dirfd, w->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), out;
  int rc = -1;

  if (in < 0) return -1;
  out = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (out >= 0) {
    rc = copy_fd(in, out, w->st.st_size);
    if (close(out)) rc = -1;
  }
  close(in);
  return rc;
}

/* Mode, owner and times, without following a symlink */
static void attrs(struct walk *w, const char *dest)
{
  struct timespec t[2] = {w->st.st_atim, w->st.st_mtim};

  if (lchown(dest, w->st.st_uid, w->st.st_gid)) {}
  if (!S_ISLNK(w->st.st_mode)) chmod(dest, w->st.st_mode & 07777);
  utimensat(AT_FDCWD, dest, t, AT_SYMLINK_NOFOLLOW);
}

static int copy_entry(struct walk *w)
{
  struct copy *c = w->arg;
  char *dest = xprintf("%s%s", c->to, w->path + strlen(c->from));
  mode_t m = w->st.st_mode;
  int rc = 0;
  size_t i;

  if (c->source && !S_ISDIR(m) && !S_ISREG(m) && !S_ISLNK(m)) {
    error_msg("%s: left out of the copy: %s", w->path, S_ISFIFO(m) ? "a FIFO"
              : S_ISSOCK(m) ? "a socket" : "a device node");
    free(dest);
    return 0;
  }
  if (S_ISDIR(m)) {
    if (!w->post && c->skip && w->path[strlen(c->from)]
        && !strcmp(w->name, c->skip)) {
      free(dest);
      return WALK_SKIP;
    }
    if (!w->post) rc = mkdir(dest, 0700);
    else attrs(w, dest);   /* after the contents: they changed its time */
    goto out;
  }
  if (S_ISREG(m) && w->st.st_nlink > 1) {
    for (i = 0; i < c->n; i++)
      if (c->s[i].dev == w->st.st_dev && c->s[i].ino == w->st.st_ino) {
        rc = link(c->s[i].path, dest);
        goto out;
      }
    if (c->n == c->cap) c->s = xrealloc(c->s, (c->cap = c->cap * 2 + 16) * sizeof(*c->s));
    c->s[c->n++] = (struct seen){w->st.st_dev, w->st.st_ino, xstrdup(dest)};
  }
  if (S_ISREG(m)) rc = copy_reg(w, dest);
  else if (S_ISLNK(m)) {
    char *buf = xmalloc(w->st.st_size + 1);
    ssize_t n = readlinkat(w->dirfd, w->name, buf, w->st.st_size + 1);

    rc = n < 0 || n > w->st.st_size ? -1 : (buf[n] = 0, symlink(buf, dest));
    free(buf);
  } else rc = mknod(dest, m, w->st.st_rdev);
  if (!rc) attrs(w, dest);
out:
  if (rc) perror_msg("%s", dest);
  free(dest);
  return rc ? -1 : 0;
}

static int copy_as(const char *from, const char *to, int source)
{
  struct copy c = {from, to, source ? ".git" : 0, source, 0, 0, 0};
  int rc = walk_tree(from, copy_entry, &c, 0);

  while (c.n) free(c.s[--c.n].path);
  free(c.s);
  return rc;
}

/* Copy tree from to to, which must not exist yet */
int copy_tree(const char *from, const char *to)
{
  return copy_as(from, to, 0);
}

/* A source directory's copy for a build (setupfor): a write to it never
 * reaches the source, and a clone's .git stays behind, so do device nodes,
 * FIFOs and sockets (a line names each). Links that lead out: the caller
 * drops them (links_drop), once the tree is complete. */
int copy_source(const char *from, const char *to)
{
  return copy_as(from, to, 1);
}
