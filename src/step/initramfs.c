/* initramfs.c: the initramfs writer: a "newc" cpio archive of a directory tree,
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
  if (l->n == l->cap)
    l->e = xrealloc(l->e, (l->cap = l->cap * 2 + 64) * sizeof(*l->e));
  memset(l->e + l->n, 0, sizeof(*l->e));
  l->e[l->n].name = xstrdup(name);
  l->e[l->n++].st = *st;
}

struct collect { const char *root; struct list *l; };

static int collect(struct walk *w)
{
  struct collect *c = w->arg;

  if (w->post || !strcmp(w->path, c->root)) return 0;
  add(c->l, w->path + strlen(c->root) + 1, &w->st);
  return 0;
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

static int write_entry(gzFile gz, const char *root, struct entry *e,
                       long long mtime)
{
  char *path = xprintf("%s/%s", root, e->name), *link = 0;
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
  free(path);
  return rc;
}

int cpio_write(const char *root, const char *out, long long mtime)
{
  struct list l = {0};
  struct collect c = {root, &l};
  struct newfile f;
  int rc = 0, have_console = 0, have_dev = 0;
  size_t i;
  gzFile gz;

  /* a root that is a symlink would give an archive of dev/console alone */
  if (!real_dir(root) || walk_tree(root, collect, &c, 0)) return -1;
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
  if (newfile_open(&f, out, 0644)) return -1;
    if (!(gz = gzdopen(dup(f.fd), "wb9"))) {
    perror_msg("%s", out);
    newfile_abort(&f);
    return -1;
  }
  for (i = 0; !rc && i < l.n; i++) rc = write_entry(gz, root, l.e + i, mtime);
  if (!rc) rc = header(gz, "TRAILER!!!", 0, 0, 1, 0, 0, 0, 0);
  if (gzclose(gz) != Z_OK) rc = -1;
  if (rc) {
    error_msg("%s: initramfs not written", out);
    newfile_abort(&f);
  } else rc = newfile_commit(&f);
  for (i = 0; i < l.n; i++) free(l.e[i].name);
  free(l.e);
  return rc;
}
