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
  size_t len = 0, cap = 4096;
  char *buf;
  ssize_t r;

  if (fd < 0) return 0;
  buf = xmalloc(cap + 1);
  while ((r = read(fd, buf + len, cap - len)) > 0)
    if ((len += r) == cap) buf = xrealloc(buf, (cap *= 2) + 1);
  close(fd);
  if (r < 0) {
    free(buf);
    return 0;
  }
  buf[len] = 0;
  if (lenp) *lenp = len;
  return buf;
}

int newfile_open(struct newfile *f, const char *path, mode_t mode)
{
  char *dir = xstrdup(path), *base = xstrdup(path);

  f->path = xstrdup(path);
  f->tmp = xprintf("%s/.%s.part%d", dirname(dir), basename(base),
                   (int)getpid());
  free(dir);
  free(base);
  tmpfile_add(f->tmp);
  /* O_EXCL: never write through whatever sits at the temporary name */
  unlink(f->tmp);
  f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (f->fd < 0 || fchmod(f->fd, mode)) {
    perror_msg("%s", f->tmp);
    newfile_abort(f);
    return -1;
  }
  return 0;
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

/* Complete: rename over path (replacing a symlink there, never following it) */
int newfile_commit(struct newfile *f)
{
  int rc = 0;

  if (close(f->fd)) rc = -1;
  f->fd = -1;
  if (rc || rename(f->tmp, f->path)) {
    perror_msg("%s", f->path);
    newfile_abort(f);
    return -1;
  }
  tmpfile_del(f->tmp);
  free(f->tmp);
  free(f->path);
  f->tmp = f->path = 0;
  return 0;
}

void newfile_abort(struct newfile *f)
{
  if (f->fd >= 0) close(f->fd);
  f->fd = -1;
  if (f->tmp) {
    unlink(f->tmp);
    tmpfile_del(f->tmp);
  }
  free(f->tmp);
  free(f->path);
  f->tmp = f->path = 0;
}

/* A new file at path holding len bytes of buf, or the old one untouched */
int write_data(const char *path, const void *buf, size_t len, mode_t mode)
{
  struct newfile f;

  if (newfile_open(&f, path, mode)) return -1;
  if (newfile_write(&f, buf, len)) {
    newfile_abort(&f);
    return -1;
  }
  return newfile_commit(&f);
}

int write_file(const char *path, const char *text, mode_t mode)
{
  return write_data(path, text, strlen(text), mode);
}

/* Stream from into a new file at to */
int copy_file(const char *from, const char *to, mode_t mode)
{
  int in = open(from, O_RDONLY | O_CLOEXEC);
  struct newfile f;
  char buf[65536];
  ssize_t r;

  if (in < 0) {
    perror_msg("%s", from);
    return -1;
  }
  if (newfile_open(&f, to, mode)) {
    close(in);
    return -1;
  }
  while ((r = read(in, buf, sizeof(buf))) > 0)
    if (newfile_write(&f, buf, r)) break;
  if (r) {
    if (r < 0) perror_msg("%s", from);
    close(in);
    newfile_abort(&f);
    return -1;
  }
  close(in);
  return newfile_commit(&f);
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
