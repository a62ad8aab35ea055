/* cpio.c: a "newc" cpio archive of a directory tree, gzip-compressed (the
 * initramfs, initramfs.c). Entries sorted by name, owner root, every time
 * set to one given epoch, inode numbers assigned in order, hard links kept
 * (data with the first name, as the kernel's unpacker wants), and
 * /dev/console written as a header when the tree lacks it, so no root
 * rights are needed. Same tree, same bytes. cpio_append writes more trees
 * and files under names of their own (./run's command and share), the
 * directories above them included: the kernel unpacks an archive appended
 * to the initramfs over it. */
#define _GNU_SOURCE
#include "lib.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <zlib.h>

struct entry {
  char *name;        /* relative to the root, no leading "./" */
  char *path;        /* the file on the host, 0 for one made up here */
  struct stat st;
  unsigned ino, nlink;
  int data;          /* write the file's data with this entry */
  size_t first;      /* the first (by name) of its hard links */
};

struct list { struct entry *e; size_t n, cap; };

static void add(struct list *l, const char *name, const char *path,
                const struct stat *st)
{
  if (l->n == l->cap)
    l->e = xrealloc(l->e, (l->cap = l->cap * 2 + 64) * sizeof(*l->e));
  memset(l->e + l->n, 0, sizeof(*l->e));
  l->e[l->n].name = xstrdup(name);
  l->e[l->n].path = path ? xstrdup(path) : 0;
  l->e[l->n++].st = *st;
}

static int has(struct list *l, const char *name)
{
  size_t i;

  for (i = 0; i < l->n; i++) if (!strcmp(l->e[i].name, name)) return 1;
  return 0;
}

/* The directories above name that the list lacks, made up (mode 0755) */
static void add_parents(struct list *l, const char *name)
{
  const char *s;

  for (s = name; (s = strchr(s, '/')); s++) {
    char *dir = xstrndup(name, s - name);
    struct stat d = {.st_mode = S_IFDIR | 0755, .st_nlink = 2};

    if (*dir && !has(l, dir)) add(l, dir, 0, &d);
    free(dir);
  }
}

struct collect { const char *root, *name; struct list *l; };

static int collect(struct walk *w)
{
  struct collect *c = w->arg;
  const char *rel = w->path + strlen(c->root);
  char *name;

  if (w->post || (!*rel && !*c->name)) return 0;
  name = *c->name ? xprintf("%s%s", c->name, rel) : xstrdup(rel + 1);
  add(c->l, name, w->path, &w->st);
  free(name);
  return 0;
}

/* Add a tree (its top named name, "" for the archive's root) or a file */
static int collect_in(struct list *l, const char *path, const char *name)
{
  struct collect c = {path, name, l};
  struct stat st;

  if (lstat(path, &st)) {
    perror_msg("%s", path);
    return -1;
  }
  if (*name) add_parents(l, name);
  if (!S_ISDIR(st.st_mode)) {
    add(l, name, path, &st);
    return 0;
  }
  return walk_tree(path, collect, &c, 0);
}

static int by_name(const void *a, const void *b)
{
  return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static int linked(const struct entry *e)
{
  return S_ISREG(e->st.st_mode) && e->st.st_nlink > 1;
}

/* Hard-linked files by inode, then by name order: each group together,
 * its first name first */
static int by_inode(const void *a, const void *b, void *base)
{
  const struct entry *x = (const struct entry *)base + *(const size_t *)a;
  const struct entry *y = (const struct entry *)base + *(const size_t *)b;

  if (x->st.st_dev != y->st.st_dev) return x->st.st_dev < y->st.st_dev ? -1 : 1;
  if (x->st.st_ino != y->st.st_ino) return x->st.st_ino < y->st.st_ino ? -1 : 1;
  return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* Inode numbers in sorted order; hard links (same dev+ino in the tree)
 * share one, with nlink the count inside the archive. The links are found
 * by sorting them by inode (n log n: a tree of 30,000 linked pairs took
 * seconds when each was looked for among the others). */
static void number(struct list *l)
{
  size_t i, j, k, n = 0, *idx = xmalloc((l->n + 1) * sizeof(*idx));
  unsigned next = 1;

  for (i = 0; i < l->n; i++) {
    l->e[i].first = i;
    if (linked(l->e + i)) idx[n++] = i;
  }
  qsort_r(idx, n, sizeof(*idx), by_inode, l->e);
  for (i = 0; i < n; i = j) {
    struct entry *head = l->e + idx[i];

    for (j = i + 1; j < n && l->e[idx[j]].st.st_ino == head->st.st_ino
         && l->e[idx[j]].st.st_dev == head->st.st_dev; j++) {}
    for (k = i; k < j; k++) {
      l->e[idx[k]].first = idx[i];
      l->e[idx[k]].nlink = j - i;
    }
  }
  free(idx);
  for (i = 0; i < l->n; i++) {
    struct entry *e = l->e + i;

    e->data = e->first == i;
    if (!e->data) e->ino = l->e[e->first].ino;
    else {
      e->ino = next++;
      if (!linked(e)) e->nlink = S_ISDIR(e->st.st_mode) ? 2 : 1;
    }
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
                  unsigned nlink, long long mtime, unsigned long size,
                  unsigned rmaj, unsigned rmin)
{
  char *hdr = xprintf(
    "070701%08X%08X%08X%08X%08X%08X%08lX%08X%08X%08X%08X%08zX%08X%s",
    ino, mode, 0, 0, nlink, (unsigned)mtime, size, 0, 0, rmaj, rmin,
    strlen(name) + 1, 0, name);
  /* header plus name and its NUL, padded to 4 */
  int rc = put(gz, hdr, strlen(hdr) + 1);

  free(hdr);
  return rc;
}

/* newc's size field has 8 hex digits */
#define NEWC_MAX 0xffffffffULL

/* A regular file's data, streamed, then padded to 4 */
static int file_data(gzFile gz, const char *path, off_t size)
{
  char buf[65536];
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  off_t done = 0;
  ssize_t r = 0;

  if (fd < 0) {
    perror_msg("%s", path);
    return -1;
  }
  while (done < size && (r = read(fd, buf, sizeof(buf))) > 0) {
    if (r > size - done) r = size - done;
    if (gzwrite(gz, buf, r) != r) break;
    done += r;
  }
  close(fd);
  if (r < 0) perror_msg("%s", path);
  else if (done != size) error_msg("%s: changed size while being written", path);
  if (done != size) return -1;
  if (size % 4 && gzwrite(gz, "\0\0\0", 4 - size % 4) != 4 - size % 4)
    return -1;
  return 0;
}

static int write_entry(gzFile gz, struct entry *e, long long mtime)
{
  const char *path = e->path;
  char *link = 0;
  mode_t m = e->st.st_mode;
  unsigned long size = 0;
  int rc = -1;

  if (S_ISLNK(m)) {
    ssize_t n;

    link = xmalloc(e->st.st_size + 1);
    n = readlink(path, link, e->st.st_size + 1);
    if (n < 0) perror_msg("%s", path);
    else if (n != e->st.st_size || !n)
      error_msg("%s: symlink changed or empty", path);
    else size = n;
    if (!size) goto out;
  } else if (S_ISREG(m) && e->data) {
    if ((unsigned long long)e->st.st_size > NEWC_MAX) {
      error_msg("%s: %lld bytes: an initramfs (newc) file holds at most "
                "4 GiB - 1", path, (long long)e->st.st_size);
      goto out;
    }
    size = e->st.st_size;
  }
  rc = header(gz, e->name, e->ino, m, e->nlink, mtime, size,
              (S_ISCHR(m) || S_ISBLK(m)) ? major(e->st.st_rdev) : 0,
              (S_ISCHR(m) || S_ISBLK(m)) ? minor(e->st.st_rdev) : 0);
  if (!rc && link) rc = put(gz, link, size);
  else if (!rc && size) rc = file_data(gz, path, (off_t)size);
out:
  free(link);
  return rc;
}

/* The archive of the sources, gzip level `level`, written at fd's offset */
static int cpio_fd(int fd, const struct cpio_in *in, int n, long long mtime,
                   int level, int console)
{
  struct list l = {0};
  char mode[8];
  size_t i;
  int rc = 0;
  gzFile gz;

  for (i = 0; !rc && i < (size_t)n; i++) rc = collect_in(&l, in[i].path, in[i].name);
  if (!rc && console && !has(&l, "dev/console")) {
    struct stat st = {.st_mode = S_IFCHR | 0600, .st_rdev = makedev(5, 1),
                      .st_nlink = 1};

    add_parents(&l, "dev/console");
    add(&l, "dev/console", 0, &st);
  }
  qsort(l.e, l.n, sizeof(*l.e), by_name);
  number(&l);
  snprintf(mode, sizeof(mode), "wb%d", level);
  if (!rc && !(gz = gzdopen(dup(fd), mode))) rc = -1;
  else if (!rc) {
    for (i = 0; !rc && i < l.n; i++) rc = write_entry(gz, l.e + i, mtime);
    if (!rc) rc = header(gz, "TRAILER!!!", 0, 0, 1, 0, 0, 0, 0);
    if (gzclose(gz) != Z_OK) rc = -1;
  }
  for (i = 0; i < l.n; i++) {
    free(l.e[i].name);
    free(l.e[i].path);
  }
  free(l.e);
  return rc;
}

int cpio_write(const char *root, const char *out, long long mtime)
{
  struct cpio_in in = {root, ""};
  struct newfile f;
  int rc;

  /* a root that is a symlink would give an archive of dev/console alone */
  if (!real_dir(root)) return -1;
  if (newfile_open(&f, out, 0644)) return -1;
  if ((rc = cpio_fd(f.fd, &in, 1, mtime, 9, 1))) {
    error_msg("%s: initramfs not written", out);
    newfile_abort(&f);
  } else rc = newfile_commit(&f);
  return rc;
}

/* More files for an initramfs: an archive appended at fd's end, quickly
 * compressed (a share may be large). The kernel wants it 4-aligned. */
int cpio_append(int fd, const struct cpio_in *in, int n, long long mtime)
{
  off_t end = lseek(fd, 0, SEEK_END);
  static const char zero[4];

  if (end < 0 || (end % 4 && write(fd, zero, 4 - end % 4) != 4 - end % 4)) {
    perror_msg("initramfs");
    return -1;
  }
  return cpio_fd(fd, in, n, mtime, 1, 0);
}
