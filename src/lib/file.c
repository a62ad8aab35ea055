/* file.c: files and directories. Anything the build writes whole goes
 * through a newfile: a temporary name beside the target, renamed into
 * place only when complete. */
#define _GNU_SOURCE
#include "lib.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int mkdirp(const char *path, mode_t mode)
{
  char *p, *s;

  if (!*path) {
    error_msg("mkdir: empty path");
    return -1;
  }
  p = xstrdup(path);
  for (s = p + 1; ; s++) {
    if (*s == '/' || !*s) {
      char c = *s;

      *s = 0;
      if (mkdir(p, mode) && errno != EEXIST) {
        perror_msg("%s", p);
        free(p);
        return -1;
      }
      if (!(*s = c)) break;
    }
  }
  free(p);
  return 0;
}

char *read_file(const char *path, size_t *lenp)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  char *buf;

  if (fd < 0) return 0;
  buf = read_fd(fd, lenp);
  close(fd);
  return buf;
}

/* All of fd, NUL-terminated (the descriptor stays open) */
char *read_fd(int fd, size_t *lenp)
{
  size_t len = 0, cap = 4096;
  char *buf;
  ssize_t r;

  buf = xmalloc(cap + 1);
  while ((r = read(fd, buf + len, cap - len)) > 0)
    if ((len += r) == cap) buf = xrealloc(buf, (cap *= 2) + 1);
  if (r < 0) {
    free(buf);
    return 0;
  }
  buf[len] = 0;
  if (lenp) *lenp = len;
  return buf;
}

/* The file's directory is held open from here to the rename, so the name
 * it lands under is the one in that directory, whatever happens to the
 * path meanwhile. newfile_at takes dir over (closed when done). */
int newfile_at(struct newfile *f, int dir, const char *path, mode_t mode)
{
  const char *slash = strrchr(path, '/');

  f->path = xstrdup(path);
  f->name = xstrdup(slash ? slash + 1 : path);
  f->tname = xprintf(".%s.part%d", f->name, (int)getpid());
  f->tmp = slash ? xprintf("%.*s/%s", (int)(slash - path), path, f->tname)
                 : xstrdup(f->tname);
  f->dir = dir;
  f->fd = -1;
  tmpfile_add(f->tmp);
  /* O_EXCL: never write through whatever sits at the temporary name */
  unlinkat(dir, f->tname, 0);
  f->fd = openat(dir, f->tname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
                 | O_CLOEXEC, mode);
  if (f->fd < 0 || fchmod(f->fd, mode)) {
    perror_msg("%s", f->tmp);
    newfile_abort(f);
    return -1;
  }
  return 0;
}

int newfile_open(struct newfile *f, const char *path, mode_t mode)
{
  const char *slash = strrchr(path, '/');
  char *dir = slash ? xstrndup(path, slash - path + !(slash - path)) : xstrdup(".");
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0) {
    perror_msg("%s", dir);
    free(dir);
    return -1;
  }
  free(dir);
  return newfile_at(f, fd, path, mode);
}

int newfile_write(struct newfile *f, const void *buf, size_t len)
{
  const char *p = buf;

  while (len) {
    ssize_t w = write(f->fd, p, len);

    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      perror_msg("%s", f->path);
      return -1;
    }
    p += w;
    len -= w;
  }
  return 0;
}

static void newfile_free(struct newfile *f)
{
  if (f->dir >= 0) close(f->dir);
  f->dir = -1;
  free(f->tmp);
  free(f->tname);
  free(f->name);
  free(f->path);
  f->tmp = f->tname = f->name = f->path = 0;
}

/* Complete: rename over path (replacing a symlink there, never following it) */
int newfile_commit(struct newfile *f)
{
  int rc = 0;

  if (close(f->fd)) rc = -1;
  f->fd = -1;
  if (rc || renameat(f->dir, f->tname, f->dir, f->name)) {
    perror_msg("%s", f->path);
    newfile_abort(f);
    return -1;
  }
  tmpfile_del(f->tmp);
  newfile_free(f);
  return 0;
}

void newfile_abort(struct newfile *f)
{
  if (f->fd >= 0) close(f->fd);
  f->fd = -1;
  if (f->tmp) {
    unlinkat(f->dir, f->tname, 0);
    tmpfile_del(f->tmp);
  }
  newfile_free(f);
}

static int write_new(struct newfile *f, const void *buf, size_t len)
{
  if (newfile_write(f, buf, len)) {
    newfile_abort(f);
    return -1;
  }
  return newfile_commit(f);
}

/* A new file at path holding len bytes of buf, or the old one untouched */
int write_data(const char *path, const void *buf, size_t len, mode_t mode)
{
  struct newfile f;

  return newfile_open(&f, path, mode) ? -1 : write_new(&f, buf, len);
}

int write_file(const char *path, const char *text, mode_t mode)
{
  return write_data(path, text, strlen(text), mode);
}

/* The same into directory dir (a descriptor: see beneath.c), kept open */
int write_file_at(int dir, const char *path, const char *text, mode_t mode)
{
  struct newfile f;
  int d = dup(dir);

  return d < 0 || newfile_at(&f, d, path, mode) ? -1
                                                  : write_new(&f, text, strlen(text));
}

/* size bytes of in to out, from the start: only the data, so a sparse
 * file stays sparse (SEEK_DATA/SEEK_HOLE; a filesystem without them says
 * all is data), the holes made by the final length */
int copy_fd(int in, int out, off_t size)
{
  off_t at = 0;

  while (at < size) {
    off_t data = lseek(in, at, SEEK_DATA), hole, off;

    if (data < 0 && errno == ENXIO) break;   /* only a hole to the end */
    if (data < 0) return -1;
    if ((hole = lseek(in, data, SEEK_HOLE)) < 0) return -1;
    if (hole > size) hole = size;
    for (off = data; off < hole; ) {
      loff_t i = off, o = off;
      ssize_t n = copy_file_range(in, &i, out, &o, hole - off, 0);

      if (n <= 0) return -1;
      off += n;
    }
    at = hole;
  }
  return ftruncate(out, size);
}

/* Stream from into a new file at to (holes kept), in directory
 * dir (taken over) */
static int copy_new(const char *from, int dir, const char *to, mode_t mode)
{
  int in = open(from, O_RDONLY | O_CLOEXEC);
  struct newfile f;
  struct stat st;

  if (in < 0 || fstat(in, &st)) {
    perror_msg("%s", from);
    if (in >= 0) close(in);
    if (dir >= 0) close(dir);
    return -1;
  }
  if (dir < 0 || newfile_at(&f, dir, to, mode)) {
    close(in);
    return -1;
  }
  if (copy_fd(in, f.fd, st.st_size)) {
    perror_msg("%s", from);
    close(in);
    newfile_abort(&f);
    return -1;
  }
  close(in);
  return newfile_commit(&f);
}

int copy_file(const char *from, const char *to, mode_t mode)
{
  const char *slash = strrchr(to, '/');
  char *dir = slash ? xstrndup(to, slash - to + !(slash - to)) : xstrdup(".");
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0) perror_msg("%s", dir);
  free(dir);
  return copy_new(from, fd, to, mode);
}

int copy_file_at(const char *from, int dir, const char *to, mode_t mode)
{
  return copy_new(from, dup(dir), to, mode);
}

/* Make path a symlink to to, unless it already is one */
int link_as(const char *to, const char *path)
{
  char have[4096];
  ssize_t n = readlink(path, have, sizeof(have) - 1);

  if (n >= 0 && (have[n] = 0, !strcmp(have, to))) return 0;
  unlink(path);
  if (!symlink(to, path)) return 0;
  perror_msg("%s", path);
  return -1;
}

int is_dir(const char *path)
{
  struct stat st;

  return !stat(path, &st) && S_ISDIR(st.st_mode);
}

int exists(const char *path)
{
  struct stat st;

  return !lstat(path, &st);
}

/* The directory holding this binary: module/ and src/init live beside it */
char *self_dir(void)
{
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

  if (n < 0) perror_exit("/proc/self/exe");
  buf[n] = 0;
  return xstrdup(dirname(buf));
}

/* Seconds on the monotonic clock, for timing steps */
double now_secs(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int ncpus(void)
{
  long n = sysconf(_SC_NPROCESSORS_ONLN);

  return n > 0 ? (int)n : 1;
}
