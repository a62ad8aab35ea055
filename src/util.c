/* util.c: small helpers every part uses: memory, messages, paths, files. */
#define _GNU_SOURCE
#include "mkroot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void *xmalloc(size_t n)
{
  void *p = calloc(1, n ? n : 1);

  if (!p) die("out of memory");
  return p;
}

char *xstrdup(const char *s)
{
  char *p = strdup(s);

  if (!p) die("out of memory");
  return p;
}

char *xprintf(const char *fmt, ...)
{
  va_list va;
  char *s;

  va_start(va, fmt);
  if (vasprintf(&s, fmt, va) < 0) die("out of memory");
  va_end(va);
  return s;
}

/* Every message names its object: callers pass "name: reason". */
void warnx_(const char *fmt, ...)
{
  va_list va;

  fflush(stdout);
  fprintf(stderr, "mkroot: ");
  va_start(va, fmt);
  vfprintf(stderr, fmt, va);
  va_end(va);
  fputc('\n', stderr);
  if (log_fd() >= 0) {
    dprintf(log_fd(), "mkroot: ");
    va_start(va, fmt);
    vdprintf(log_fd(), fmt, va);
    va_end(va);
    dprintf(log_fd(), "\n");
  }
}

void errx_(const char *fmt, ...)
{
  va_list va;
  char *s;

  va_start(va, fmt);
  if (vasprintf(&s, fmt, va) < 0) s = "out of memory";
  va_end(va);
  warnx_("%s", s);
  exit(1);
}

int mkdirp(const char *path, mode_t mode)
{
  char *p = xstrdup(path), *s;

  for (s = p + 1; ; s++) {
    if (*s == '/' || !*s) {
      char c = *s;

      *s = 0;
      if (mkdir(p, mode) && errno != EEXIST) {
        warnm("%s: %s", p, strerror(errno));
        free(p);
        return -1;
      }
      if (!(*s = c)) break;
    }
  }
  free(p);
  return 0;
}

/* Remove a tree without following symlinks (a link tree points into
 * download/, which must survive). */
static int rmrf_at(int dirfd, const char *name)
{
  struct stat st;
  int fd, rc = 0;
  DIR *d;
  struct dirent *e;

  if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
    return errno == ENOENT ? 0 : -1;
  if (!S_ISDIR(st.st_mode)) return unlinkat(dirfd, name, 0);
  chmod(name, 0700);
  if ((fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)) < 0)
    return -1;
  if (!(d = fdopendir(fd))) { close(fd); return -1; }
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (rmrf_at(fd, e->d_name)) rc = -1;
  }
  closedir(d);
  if (unlinkat(dirfd, name, AT_REMOVEDIR)) rc = -1;
  return rc;
}

int rmrf(const char *path)
{
  if (rmrf_at(AT_FDCWD, path)) {
    warnm("%s: can't delete: %s", path, strerror(errno));
    return -1;
  }
  return 0;
}

/* Write via a temporary name and rename, so a reader never sees half. */
int write_file(const char *path, const char *text, mode_t mode)
{
  char *tmp = xprintf("%s.tmp%d", path, (int)getpid());
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
  size_t len = strlen(text);

  if (fd < 0 || write(fd, text, len) != (ssize_t)len || fchmod(fd, mode)
      || close(fd) || rename(tmp, path)) {
    warnm("%s: %s", path, strerror(errno));
    if (fd >= 0) unlink(tmp);
    free(tmp);
    return -1;
  }
  free(tmp);
  return 0;
}

char *read_file(const char *path, size_t *lenp)
{
  int fd = open(path, O_RDONLY);
  size_t len = 0, cap = 4096;
  char *buf;
  ssize_t r;

  if (fd < 0) return 0;
  buf = xmalloc(cap + 1);
  while ((r = read(fd, buf + len, cap - len)) > 0) {
    len += r;
    if (len == cap) {
      char *n = realloc(buf, (cap *= 2) + 1);

      if (!n) die("out of memory");
      buf = n;
    }
  }
  close(fd);
  if (r < 0) { free(buf); return 0; }
  buf[len] = 0;
  if (lenp) *lenp = len;
  return buf;
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

int copy_file(const char *from, const char *to, mode_t mode)
{
  size_t len;
  char *data = read_file(from, &len), *tmp;
  int fd, rc = -1;

  if (!data) {
    warnm("%s: %s", from, strerror(errno));
    return -1;
  }
  tmp = xprintf("%s.tmp%d", to, (int)getpid());
  fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
  if (fd >= 0 && write(fd, data, len) == (ssize_t)len && !close(fd)
      && !rename(tmp, to)) rc = 0;
  else {
    warnm("%s: %s", to, strerror(errno));
    unlink(tmp);
  }
  free(tmp);
  free(data);
  return rc;
}

/* The directory holding this binary: module/ and src/init live beside it. */
char *self_dir(void)
{
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

  if (n < 0) die("/proc/self/exe: %s", strerror(errno));
  buf[n] = 0;
  return xstrdup(dirname(buf));
}

int ncpus(void)
{
  long n = sysconf(_SC_NPROCESSORS_ONLN);

  return n > 0 ? (int)n : 1;
}

char *xstrndup_(const char *s, size_t n)
{
  char *p = strndup(s, n);

  if (!p) die("out of memory");
  return p;
}
