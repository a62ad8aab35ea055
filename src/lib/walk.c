/* walk.c: the one tree walker (toybox's dirtree in small), the one-level
 * listing it makes of each directory (dir_names: every loop over a
 * directory's entries uses it), and the jobs built on it here: deleting a
 * tree (and the leftovers of killed writers), a directory written whole.
 * The cpio writer, the tree copy and the step keys walk with it too. Every
 * entry is reached through its directory's descriptor, never through a
 * symlink, so a link inside a tree can't lead a delete or a chmod outside
 * it. */
#define _GNU_SOURCE
#include "lib.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct walker {
  int (*fn)(struct walk *);
  void *arg;
  int fixperm;
  unsigned long long mnt;  /* the start's mount */
};

/* The mount a directory is on (a bind mount of the same filesystem has
 * the same st_dev, so the mount's own id) */
static unsigned long long mount_id(int dirfd, const char *name)
{
  struct statx sx;

  if (statx(dirfd, name, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx)
      || !(sx.stx_mask & STATX_MNT_ID)) return 0;
  return sx.stx_mnt_id;
}

static int by_name(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in directory fd (not . and ..), sorted (so walks are
 * reproducible, and fn may delete entries while we go), 0-terminated; fd
 * is closed. 0 with errno set if it can't be read. */
static char **list_dir(int fd)
{
  DIR *d = fdopendir(fd);
  struct dirent *e;
  size_t cap = 16, n = 0;
  char **names;

  if (!d) {
    close(fd);
    return 0;
  }
  names = xmalloc(cap * sizeof(char *));
  while ((errno = 0, e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (n + 1 == cap) names = xrealloc(names, (cap *= 2) * sizeof(char *));
    names[n++] = xstrdup(e->d_name);
  }
  names[n] = 0;
  if (errno) {
    int err = errno;

    closedir(d);
    free_names(names);
    errno = err;
    return 0;
  }
  closedir(d);
  qsort(names, n, sizeof(char *), by_name);
  return names;
}

/* One level, as the walker lists each directory: for a loop over a
 * directory's entries that needs no more */
char **dir_names(const char *dir)
{
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  return fd < 0 ? 0 : list_dir(fd);
}

void free_names(char **names)
{
  char **p;

  for (p = names; p && *p; p++) free(*p);
  free(names);
}

static int walk_at(struct walker *k, int dirfd, const char *name,
                   const char *path)
{
  struct walk w = {.dirfd = dirfd, .name = name, .path = path,
                   .fixperm = k->fixperm, .arg = k->arg};
  char **names;
  size_t i;
  int fd, r, rc = 0;

  if (fstatat(dirfd, name, &w.st, AT_SYMLINK_NOFOLLOW)) {
    perror_msg("%s", path);
    return -1;
  }
  if (S_ISDIR(w.st.st_mode)) {
    unsigned long long m = mount_id(dirfd, name);

    if (dirfd == AT_FDCWD) k->mnt = m;
    else w.mountpoint = m != k->mnt;
  }
  if ((r = k->fn(&w)) < 0) return -1;
  if (!S_ISDIR(w.st.st_mode) || r == WALK_SKIP) return 0;
  fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  /* An unreadable directory of our own (a build made it 0500): make only
   * that entry accessible, and only when asked */
  if (fd < 0 && errno == EACCES && k->fixperm
      && !fchmodat(dirfd, name, 0700, AT_SYMLINK_NOFOLLOW))
    fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    perror_msg("%s", path);
    return -1;
  }
  if (!(names = list_dir(dup(fd)))) {
    perror_msg("%s", path);
    close(fd);
    return -1;
  }
  for (i = 0; !rc && names[i]; i++) {
    char *sub = xprintf("%s/%s", path, names[i]);

    if (walk_at(k, fd, names[i], sub)) rc = -1;
    free(sub);
  }
  free_names(names);
  close(fd);
  w.post = 1;
  if (!rc && k->fn(&w) < 0) rc = -1;
  return rc;
}

int walk_tree(const char *start, int (*fn)(struct walk *), void *arg,
              int fixperm)
{
  struct walker k = {fn, arg, fixperm, 0};

  return walk_at(&k, AT_FDCWD, start, start);
}

static int rm_entry(struct walk *w)
{
  int dir = S_ISDIR(w->st.st_mode);

  /* another filesystem mounted inside: its files are not ours */
  if (dir && !w->post && w->mountpoint) {
    error_msg("%s: a mount point: not deleting what is mounted there", w->path);
    return -1;
  }
  if (dir && !w->post) return 0;
  if (!unlinkat(w->dirfd, w->name, dir ? AT_REMOVEDIR : 0)) return 0;
  /* A directory without write permission holds this entry: open up that
   * directory (the descriptor we hold, never a name) and try again */
  if (errno == EACCES && w->dirfd != AT_FDCWD && !fchmod(w->dirfd, 0700)
      && !unlinkat(w->dirfd, w->name, dir ? AT_REMOVEDIR : 0)) return 0;
  perror_msg("%s: can't delete", w->path);
  return -1;
}

/* rm -rf, without following symlinks: a link in the tree may point
 * anywhere (download/, /), and that must survive */
int rmrf(const char *path)
{
  if (!exists(path)) return 0;
  return walk_tree(path, rm_entry, 0, 1);
}

/* Temporary files or directories (NAME.partPID) in dir of processes that
 * were killed outright: those whose PID is gone. With prefix, only
 * PREFIX.partPID. */
void remove_stale_parts(const char *dir, const char *prefix)
{
  char **names = dir_names(dir);
  size_t i;

  for (i = 0; names && names[i]; i++) {
    char *name = names[i], *part, *p;
    unsigned long long pid;

    if (prefix) part = strncmp(name, prefix, strlen(prefix)) ? 0
                       : name + strlen(prefix);
    else part = strstr(name, ".part");
    if (!part || strncmp(part, ".part", 5) || parse_uint(part + 5, 1 << 30, &pid)
        || !pid || !kill((pid_t)pid, 0))
      continue;
    p = xprintf("%s/%s", dir, name);
    rmrf(p);
    free(p);
  }
  free_names(names);
}

/* A directory written under a temporary name beside it, PATH.partPID
 * (registered, so an interrupt removes it or remove_stale_parts does), and
 * renamed into place when complete: no reader sees half of it. */
int newdir_open(struct newdir *d, const char *path)
{
  d->path = xstrdup(path);
  d->tmp = xprintf("%s.part%d", path, (int)getpid());
  tmpfile_add(d->tmp);
  if (!rmrf(d->tmp) && !mkdirp(d->tmp, 0755)) return 0;
  newdir_abort(d);
  return -1;
}

/* Into place: replacing what is at path, or (replace 0) leaving a
 * directory another process put there first, which then serves */
int newdir_commit(struct newdir *d, int replace)
{
  int rc = 0;

  if ((replace && rmrf(d->path)) || (rename(d->tmp, d->path)
      && !(!replace && (errno == EEXIST || errno == ENOTEMPTY)
           && is_dir(d->path)))) {
    perror_msg("%s", d->path);
    rc = -1;
  }
  newdir_abort(d);
  return rc;
}

/* Removed, with whatever was written into it */
void newdir_abort(struct newdir *d)
{
  if (d->tmp) {
    rmrf(d->tmp);
    tmpfile_del(d->tmp);
  }
  free(d->tmp);
  free(d->path);
  d->tmp = d->path = 0;
}
