/* beneath.c: opening a path inside a tree that is not ours to trust. The
 * root is the guest's: any symlink may be in it (absolute ones are normal
 * there, and mean the guest's /, not ours), and output/ holds what the
 * build and its modules left. So a write into them never resolves a name
 * through the host's filesystem: each component is opened relative to the
 * directory before it, with O_NOFOLLOW, and a symlink anywhere on the way
 * is an error naming it, never a way off the tree. ".." is refused. */
#define _GNU_SOURCE
#include "lib.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Open path, relative to directory dirfd (which stays open), one component
 * at a time, never following a symlink. flags and mode as for openat; with
 * O_CREAT the directories on the way are made (0755) where missing, and
 * with O_DIRECTORY|O_CREAT the last one too (with mode). On failure -1,
 * errno set, and *bad (if not 0) the length of path up to the component
 * that failed. */
int open_beneath(int dirfd, const char *path, int flags, mode_t mode,
                 size_t *bad)
{
  const char *s = path;
  int cur = dirfd, fd = -1, err;

  for (;;) {
    size_t n;
    const char *next;
    char *name;
    int last, mkdirs = flags & O_CREAT;

    while (*s == '/') s++;
    n = strcspn(s, "/");
    for (next = s + n; *next == '/'; next++) {}
    last = !*next;
    if (!n || (n == 1 && *s == '.')) {
      if (!last) {
        s = next;
        continue;
      }
      /* the directory itself */
      fd = openat(cur, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      break;
    }
    if (n == 2 && !strncmp(s, "..", 2)) {
      errno = EXDEV;
      fd = -1;
      s += n;
      break;
    }
    name = xstrndup(s, n);
    if (!last || (flags & O_DIRECTORY)) {
      if (mkdirs && mkdirat(cur, name, last ? mode : 0755) && errno != EEXIST)
        fd = -1;
      else fd = openat(cur, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    } else fd = openat(cur, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
    /* O_NOFOLLOW|O_DIRECTORY on a symlink says ENOTDIR on some kernels:
     * say what it really is */
    if (fd < 0 && errno == ENOTDIR) {
      struct stat st;

      if (!fstatat(cur, name, &st, AT_SYMLINK_NOFOLLOW) && S_ISLNK(st.st_mode))
        errno = ELOOP;
      else errno = ENOTDIR;
    }
    free(name);
    s += n;
    if (fd < 0 || last) break;
    if (cur != dirfd) close(cur);
    cur = fd;
    s = next;
  }
  err = errno;
  if (cur != dirfd) close(cur);
  if (fd < 0 && bad) *bad = s - path;
  errno = err;
  return fd;
}

/* path, which lies in the trusted directory base (opened as it is, and
 * where a symlink may be the user's choice: output/ on another disk),
 * opened beneath base as above. A failure is said in one line naming the
 * component, except a missing last component without O_CREAT (the caller
 * knows whether that is an error). */
int open_below(const char *base, const char *path, int flags, mode_t mode)
{
  size_t len = strlen(base), bad = 0;
  int dfd, fd, err;

  if (strncmp(path, base, len) || (path[len] && path[len] != '/')) {
    error_msg("%s: not in %s", path, base);
    errno = EXDEV;
    return -1;
  }
  if ((dfd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
    perror_msg("%s", base);
    return -1;
  }
  fd = open_beneath(dfd, path + len, flags, mode, &bad);
  err = errno;
  close(dfd);
  if (fd < 0) {
    int missing = err == ENOENT && !(flags & O_CREAT) && !path[len + bad];

    if (err == ELOOP)
      error_msg("%.*s: a symlink: never followed when writing into the root "
                "or output/", (int)(len + bad), path);
    else if (err == EXDEV) error_msg("%s: '..' refused", path);
    else if (!missing) error_msg("%.*s: %s", (int)(len + bad), path, strerror(err));
    errno = err;
  }
  return fd;
}

/* The directory holding path, opened beneath base (made if missing) */
int dir_below(const char *base, const char *path)
{
  const char *slash = strrchr(path, '/');
  char *dir = slash ? xstrndup(path, slash - path) : xstrdup(".");
  int fd = open_below(base, dir, O_DIRECTORY | O_CREAT, 0755);

  free(dir);
  return fd;
}

/* A whole file, or a copy of one, written beneath base */
int write_file_below(const char *base, const char *path, const char *text,
                     mode_t mode)
{
  int dir = dir_below(base, path), rc;

  if (dir < 0) return -1;
  rc = write_file_at(dir, path, text, mode);
  close(dir);
  return rc;
}

int copy_file_below(const char *from, const char *base, const char *to,
                    mode_t mode)
{
  int dir = dir_below(base, to), rc;

  if (dir < 0) return -1;
  rc = copy_file_at(from, dir, to, mode);
  close(dir);
  return rc;
}

/* A tree about to be read as a root (a copy, a manifest, an archive): a
 * directory itself, not a symlink to one; else said, and 0 */
int real_dir(const char *path)
{
  struct stat st;

  if (lstat(path, &st)) perror_msg("%s", path);
  else if (S_ISLNK(st.st_mode))
    error_msg("%s: a symlink, not a directory: never followed as a root", path);
  else if (!S_ISDIR(st.st_mode)) error_msg("%s: not a directory", path);
  else return 1;
  return 0;
}

/* A directory tree we are about to read as a root: a real directory, not
 * a symlink to one anywhere below base */
int is_dir_below(const char *base, const char *path)
{
  int fd = open_below(base, path, O_DIRECTORY, 0);

  if (fd < 0) {
    if (errno == ENOENT) error_msg("%s: missing", path);
    return 0;
  }
  close(fd);
  return 1;
}
