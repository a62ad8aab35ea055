/* cpio.c: the initramfs writer: a "newc" cpio archive of a directory tree,
 * gzip-compressed. Entries sorted by name, owner root, every time set to one
 * given epoch, inode numbers assigned in order, hard links kept (data with
 * the first name, as the kernel's unpacker wants), and /dev/console written
 * as a header when the tree lacks it, so no root rights are needed. Same
 * tree, same bytes. */
#define _GNU_SOURCE
#include "mkroot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <zlib.h>

struct entry {
  char *name;        /* relative to the root, no leading "./" */
  struct stat st;
  unsigned ino, nlink;
  int data;          /* write the file's data with this entry */
};

struct list { struct entry *e; size_t n, cap; };

static void add(struct list *l, const char *name, const struct stat *st)
{
  if (l->n == l->cap) {
    l->e = realloc(l->e, (l->cap = l->cap * 2 + 64) * sizeof(*l->e));
    if (!l->e) die("out of memory");
  }
  memset(l->e + l->n, 0, sizeof(*l->e));
  l->e[l->n].name = xstrdup(name);
  l->e[l->n++].st = *st;
}

static int walk(const char *root, const char *rel, struct list *l)
{
  char *dir = *rel ? xprintf("%s/%s", root, rel) : xstrdup(root);
  DIR *d = opendir(dir);
  struct dirent *e;
  int rc = 0;

  if (!d) {
    warnm("%s: %s", dir, strerror(errno));
    free(dir);
    return -1;
  }
  while (!rc && (e = readdir(d))) {
    char *name, *path;
    struct stat st;

    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    name = *rel ? xprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
    path = xprintf("%s/%s", root, name);
    if (lstat(path, &st)) {
      warnm("%s: %s", path, strerror(errno));
      rc = -1;
    } else {
      add(l, name, &st);
      if (S_ISDIR(st.st_mode)) rc = walk(root, name, l);
    }
    free(name);
    free(path);
  }
  closedir(d);
  free(dir);
  return rc;
}

static int by_name(const void *a, const void *b)
{
  return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

/* Inode numbers in sorted order; hard links (same dev+ino in the tree)
 * share one, with nlink the count inside the archive. */
static void number(struct list *l)
{
  size_t i, j;
  unsigned next = 1;

  for (i = 0; i < l->n; i++) {
    struct entry *e = l->e + i;

    e->nlink = S_ISDIR(e->st.st_mode) ? 2 : 1;
    e->data = 1;
    if (!S_ISREG(e->st.st_mode) || e->st.st_nlink < 2) {
      e->ino = next++;
      continue;
    }
    for (j = 0; j < i; j++)
      if (S_ISREG(l->e[j].st.st_mode) && l->e[j].st.st_ino == e->st.st_ino
          && l->e[j].st.st_dev == e->st.st_dev) break;
    if (j < i) {
      e->ino = l->e[j].ino;
      e->data = 0;
    } else e->ino = next++;
  }
  for (i = 0; i < l->n; i++)
    if (S_ISREG(l->e[i].st.st_mode) && l->e[i].st.st_nlink > 1) {
      unsigned count = 0;

      for (j = 0; j < l->n; j++) count += l->e[j].ino == l->e[i].ino;
      l->e[i].nlink = count;
    }
}

static int put(gzFile gz, const void *buf, size_t len)
{
  static const char zero[4];
  size_t pad = (4 - len % 4) % 4;

  if (len && gzwrite(gz, buf, len) != (int)len) return -1;
  (void)zero;
  return pad && gzwrite(gz, zero, pad) != (int)pad ? -1 : 0;
}

static int header(gzFile gz, const char *name, unsigned ino, unsigned mode,
                  unsigned nlink, long long mtime, size_t size, unsigned rmaj,
                  unsigned rmin)
{
  char hdr[111 + 4096];
  int len = snprintf(hdr, sizeof(hdr),
    "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X%s",
    ino, mode, 0, 0, nlink, (unsigned)mtime, size, 0, 0, rmaj, rmin,
    strlen(name) + 1, 0, name);

  if (len < 0 || len >= (int)sizeof(hdr)) return -1;
  /* header plus name and its NUL, padded to 4 */
  return put(gz, hdr, len + 1);
}

static int write_entry(gzFile gz, const char *root, struct entry *e,
                       long long mtime)
{
  char *path = xprintf("%s/%s", root, e->name), *data = 0;
  size_t size = 0;
  mode_t m = e->st.st_mode;
  int rc;

  if (S_ISLNK(m)) {
    char buf[4096];
    ssize_t n = readlink(path, buf, sizeof(buf));

    if (n < 0) rc = -1;
    else {
      data = xprintf("%.*s", (int)n, buf);
      size = n;
    }
  } else if (S_ISREG(m) && e->data && !(data = read_file(path, &size))) {
    warnm("%s: %s", path, strerror(errno));
    free(path);
    return -1;
  }
  rc = header(gz, e->name, e->ino, m, e->nlink, mtime, data ? size : 0,
              (S_ISCHR(m) || S_ISBLK(m)) ? major(e->st.st_rdev) : 0,
              (S_ISCHR(m) || S_ISBLK(m)) ? minor(e->st.st_rdev) : 0)
       || (data && put(gz, data, size));
  free(data);
  free(path);
  return rc;
}

int cpio_write(const char *root, const char *out, long long mtime)
{
  struct list l = {0};
  char *tmp = xprintf("%s.tmp%d", out, (int)getpid());
  int rc = 0, have_console = 0, have_dev = 0;
  size_t i;
  gzFile gz;

  if (walk(root, "", &l)) return -1;
  for (i = 0; i < l.n; i++) {
    have_console |= !strcmp(l.e[i].name, "dev/console");
    have_dev |= !strcmp(l.e[i].name, "dev");
  }
  if (!have_console) {
    struct stat st = {.st_mode = S_IFCHR | 0600, .st_rdev = makedev(5, 1),
                      .st_nlink = 1};

    if (!have_dev) {
      struct stat d = {.st_mode = S_IFDIR | 0755, .st_nlink = 2};

      add(&l, "dev", &d);
    }
    add(&l, "dev/console", &st);
  }
  qsort(l.e, l.n, sizeof(*l.e), by_name);
  number(&l);
  if (!(gz = gzopen(tmp, "wb9"))) {
    warnm("%s: %s", tmp, strerror(errno));
    return -1;
  }
  for (i = 0; !rc && i < l.n; i++) rc = write_entry(gz, root, l.e + i, mtime);
  if (!rc) rc = header(gz, "TRAILER!!!", 0, 0, 1, 0, 0, 0, 0);
  if (gzclose(gz) != Z_OK) rc = -1;
  if (!rc && rename(tmp, out)) rc = -1;
  if (rc) {
    warnm("%s: can't write the initramfs", out);
    unlink(tmp);
  }
  for (i = 0; i < l.n; i++) free(l.e[i].name);
  free(l.e);
  free(tmp);
  return rc;
}
