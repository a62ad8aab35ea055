/* extract.c: unpack a tarball (gz, bz2, xz, zst, ...) with libarchive into
 * a directory, refusing any entry that could reach outside it: "..",
 * absolute names, device nodes and special files, links that lead out
 * (followed through the links already extracted, as the kernel would),
 * hard links through symlinks. setuid, setgid, sticky and world-writable
 * bits are dropped. Anything libarchive reports worse than a warning, a
 * short write (a full disk) included, stops the extraction, naming the
 * entry; the caller deletes what was written. So does going past the caps
 * on bytes and entries, checked against each entry's declared size before
 * it is written and against the data as it comes. libarchive doesn't check a
 * gzip stream's CRC (and stops reading at tar's end marker), so a gzip
 * tarball is read once more to its end with zlib, which does. */
#define _GNU_SOURCE
#include "lib.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* Skip the first strip components of path; 0 if nothing is left */
static const char *strip_path(const char *path, int strip)
{
  while (strip--) {
    const char *s = strchr(path, '/');

    if (!s) return 0;
    path = s + 1;
    while (*path == '/') path++;
  }
  return *path ? path : 0;
}

/* "./a//b/./c/" -> "a/b/c": the name libarchive will really use, so the
 * checks see it too ("" if nothing is left) */
static char *normalize(const char *p)
{
  char *out = xmalloc(strlen(p) + 1), *o = out;

  while (*p) {
    size_t n = strcspn(p, "/");

    if (n && !(n == 1 && *p == '.')) {
      if (o != out) *o++ = '/';
      memcpy(o, p, n);
      o += n;
    }
    p += n;
    while (*p == '/') p++;
  }
  *o = 0;
  return out;
}

/* Depth and length limits: the kernel's tree is 12 deep; a tree far deeper
 * only serves to exhaust descriptors when it is walked or deleted */
#define MAX_DEPTH 64
#define MAX_NAME 1024

static int too_deep(const char *p)
{
  int depth = 0;

  for (; *p; p++) depth += *p == '/';
  return depth >= MAX_DEPTH;
}

static int has_dotdot(const char *p)
{
  const char *s;

  for (s = p; s; s = strchr(s, '/')) {
    if (*s == '/') s++;
    if (!strncmp(s, "..", 2) && (!s[2] || s[2] == '/')) return 1;
  }
  return 0;
}

/* Walk target from directory dir (both relative to the tree at root, dir
 * made of real directories), following the tree's own symlinks: 1 if it
 * stays inside. With follow 0, any symlink on the way is refused (a hard
 * link's target must be a plain path to a plain file). */
static int stays_inside(int root, const char *dir, const char *target,
                        int follow)
{
  char *path = xstrdup(dir), *todo = xstrdup(target);
  int hops = 0, ok = *target != '/';

  while (ok && *todo) {
    size_t n = strcspn(todo, "/");
    char *comp = xstrndup(todo, n), *rest = xstrdup(todo + n);

    free(todo);
    todo = rest;
    while (*todo == '/') memmove(todo, todo + 1, strlen(todo));
    if (!n || !strcmp(comp, ".")) {
    } else if (!strcmp(comp, "..")) {
      char *s = strrchr(path, '/');

      if (!*path) ok = 0;
      else if (s) *s = 0;
      else *path = 0;
    } else {
      char *next = *path ? xprintf("%s/%s", path, comp) : xstrdup(comp);
      char buf[4096];
      struct stat st;
      ssize_t len;

      if (fstatat(root, next, &st, AT_SYMLINK_NOFOLLOW)) {
        /* not there (yet): the rest is plain names; any other error: no */
        ok = errno == ENOENT || errno == ENOTDIR;
        free(path);
        path = next;
      } else if (!S_ISLNK(st.st_mode)) {
        free(path);
        path = next;
      } else if (!follow) {
        ok = 0;
        free(next);
        break;
      } else {
        if (++hops > 40 || (len = readlinkat(root, next, buf, sizeof(buf) - 1)) < 0
            || (buf[len] = 0, *buf == '/')) ok = 0;
        else {
          char *t = xprintf("%s/%s", buf, todo);

          free(todo);
          todo = t;
        }
        free(next);
      }
    }
    free(comp);
  }
  free(path);
  free(todo);
  return ok;
}

static char *parent(const char *name)
{
  const char *s = strrchr(name, '/');

  return s ? xstrndup(name, s - name) : xstrdup("");
}

/* Why entry e (its name after stripping) may not be extracted, or 0.
 * Run in the destination directory. */
static const char *entry_problem(struct archive_entry *e, const char *name,
                                 const char *hard)
{
  const char *full = archive_entry_pathname(e), *sym = archive_entry_symlink(e);
  const char *link = archive_entry_hardlink(e);
  mode_t type = archive_entry_filetype(e);
  const char *why = 0;
  char *dir;

  if (*full == '/') return "absolute path";
  if (has_dotdot(full)) return "path with ..";
  if (strlen(full) > MAX_NAME || too_deep(name)) return "path too long or deep";
  if (type == AE_IFCHR || type == AE_IFBLK) return "device node";
  if (type == AE_IFIFO || type == AE_IFSOCK) return "special file";
  dir = parent(name);
  if (sym && !stays_inside(AT_FDCWD, dir, sym, 1))
    why = "symlink pointing outside";
  if (link) {
    struct stat st;

    if (!hard || *link == '/' || has_dotdot(link)
        || !stays_inside(AT_FDCWD, "", hard, 0))
      why = "hard link outside";
    /* libarchive would write a hard link's data (and chmod) through
     * whatever its target is: only a plain file, and no data */
    else if (fstatat(AT_FDCWD, hard, &st, AT_SYMLINK_NOFOLLOW)
             || !S_ISREG(st.st_mode))
      why = "hard link to something not a plain file";
    else if (archive_entry_size(e) > 0) why = "hard link with data";
  }
  free(dir);
  return why;
}

/* What one extraction has used of its caps */
struct budget { const struct caps *caps; unsigned long long bytes, entries; };

/* Count n more bytes; past the cap: -1 and the line that says so */
static int spend(struct budget *b, unsigned long long n, const char *tarball,
                 const char *entry)
{
  if (n <= b->caps->bytes - b->bytes) {
    b->bytes += n;
    return 0;
  }
  error_msg("%s: unpacks to more than %llu bytes (EXTRACT_MAX), at %s",
            tarball, b->caps->bytes, entry);
  return -1;
}

/* Copy one entry's data, counting what goes past its declared size;
 * 0 or -1 with a message naming it */
static int copy_data(struct archive *a, struct archive *w, const char *tarball,
                     const char *entry, struct budget *b,
                     unsigned long long declared)
{
  unsigned long long end = declared;
  const void *buf;
  size_t size;
  la_int64_t off;
  int r;

  while ((r = archive_read_data_block(a, &buf, &size, &off)) != ARCHIVE_EOF) {
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      error_msg("%s: %s: %s", tarball, entry, archive_error_string(a));
      return -1;
    }
    if (off >= 0 && (unsigned long long)off + size > end) {
      if (spend(b, off + size - end, tarball, entry)) return -1;
      end = off + size;
    }
    if (archive_write_data_block(w, buf, size, off) != ARCHIVE_OK) {
      error_msg("%s: %s: %s%s%s", tarball, entry, archive_error_string(w),
                archive_errno(w) ? ": " : "",
                archive_errno(w) ? strerror(archive_errno(w)) : "");
      return -1;
    }
  }
  return 0;
}

static int extract_entries(struct archive *a, struct archive *w,
                           const char *tarball, int strip, struct budget *b)
{
  struct archive_entry *e;
  int r;

  while ((r = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
    const char *full, *name, *hard, *why;
    char *entry, *nname = 0, *nhard = 0;
    unsigned long long declared;
    int rc = 0;

    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      error_msg("%s: %s", tarball, archive_error_string(a));
      return -1;
    }
    if (++b->entries > b->caps->entries) {
      error_msg("%s: more than %llu entries (EXTRACT_MAX_ENTRIES)", tarball,
                b->caps->entries);
      return -1;
    }
    if (!(full = archive_entry_pathname(e))) {
      error_msg("%s: an entry without a name", tarball);
      return -1;
    }
    /* strip, then normalize: the names checked are the names used */
    if (!(name = strip_path(full, strip)) || !*(nname = normalize(name))) {
      free(nname);
      continue;
    }
    name = nname;
    if ((hard = archive_entry_hardlink(e)) && (hard = strip_path(hard, strip)))
      hard = nhard = normalize(hard);
    entry = xstrdup(full);
    declared = archive_entry_size_is_set(e) && archive_entry_size(e) > 0
               ? (unsigned long long)archive_entry_size(e) : 0;
    if ((why = entry_problem(e, name, hard && *hard ? hard : 0))
        || spend(b, declared, tarball, entry)) {
      if (why) error_msg("%s: %s: refused: %s", tarball, entry, why);
      free(entry);
      free(nname);
      free(nhard);
      return -1;
    }
    /* names relative to the destination (our working directory) */
    archive_entry_copy_pathname(e, name);
    if (hard) archive_entry_copy_hardlink(e, hard);
    archive_entry_set_uid(e, getuid());
    archive_entry_set_gid(e, getgid());
    archive_entry_set_perm(e, archive_entry_perm(e) & 0775);
    r = archive_write_header(w, e);
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      error_msg("%s: %s: %s", tarball, entry, archive_error_string(w));
      rc = -1;
    } else if (archive_entry_size(e) > 0)
      rc = copy_data(a, w, tarball, entry, b, declared);
    if (!rc && archive_write_finish_entry(w) != ARCHIVE_OK) {
      error_msg("%s: %s: %s", tarball, entry, archive_error_string(w));
      rc = -1;
    }
    free(entry);
    free(nname);
    free(nhard);
    if (rc) return -1;
  }
  return 0;
}

/* Read a gzip file to its end: zlib checks each member's CRC and length.
 * 0 and its whole unpacked length (the trailer holds it only modulo 4 GiB),
 * 1 as soon as that passes max (more members after a tarball's end could
 * keep us inflating for hours), -1 if it is corrupt. By descriptor: the
 * file libarchive read, wherever we are. */
int gzip_size(int fd, unsigned long long max, unsigned long long *len)
{
  gzFile gz = 0;
  char buf[65536];
  int n = 0, err = Z_OK, d;

  *len = 0;
  if (lseek(fd, 0, SEEK_SET) || (d = dup(fd)) < 0) return -1;
  if (!(gz = gzdopen(d, "rb"))) {
    close(d);
    return -1;
  }
  while (*len <= max && (n = gzread(gz, buf, sizeof(buf))) > 0) *len += n;
  if (n < 0) gzerror(gz, &err);
  gzclose(gz);
  if (*len > max) return 1;
  return n == 0 && err == Z_OK ? 0 : -1;
}

int extract_archive(const char *tarball, const char *dest, int strip,
                    const struct caps *caps)
{
  static const struct caps defaults = {CAPS_BYTES, CAPS_ENTRIES};
  struct archive *a = archive_read_new(), *w = archive_write_disk_new();
  struct budget b = {caps ? caps : &defaults, 0, 0};
  int rc = 0, cwd = -1, gz, fd = open(tarball, O_RDONLY | O_CLOEXEC);
  unsigned long long unpacked;

  archive_read_support_filter_all(a);
  archive_read_support_format_all(a);
  archive_write_disk_set_options(w, ARCHIVE_EXTRACT_TIME
    | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_NODOTDOT
    | ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
  if (fd < 0) {
    perror_msg("%s", tarball);
    rc = -1;
  } else if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
    error_msg("%s: %s", tarball, archive_error_string(a));
    rc = -1;
  }
  if (!rc && mkdirp(dest, 0755)) rc = -1;
  /* Work inside dest, so libarchive's own checks (no "..", no absolute
   * names, no writing through symlinks) and ours see the same tree */
  if (!rc && ((cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0
              || chdir(dest))) {
    perror_msg("%s", dest);
    rc = -1;
  }
  if (!rc) rc = extract_entries(a, w, tarball, strip, &b);
  /* the stream is the data plus a header or two per entry and tar's
   * padding: anything far past that is not the tarball's */
  if (!rc && archive_filter_code(a, 0) == ARCHIVE_FILTER_GZIP
      && (gz = gzip_size(fd, b.caps->bytes + 4096 * (b.entries + 16),
                         &unpacked))) {
    if (gz > 0) error_msg("%s: unpacks to more than %llu bytes (EXTRACT_MAX), "
                          "after the tarball's end", tarball, b.caps->bytes);
    else error_msg("%s: corrupt gzip data (CRC or length mismatch)", tarball);
    rc = -1;
  }
  if (archive_write_close(w) != ARCHIVE_OK && !rc) {
    error_msg("%s: %s", tarball, archive_error_string(w));
    rc = -1;
  }
  archive_write_free(w);
  archive_read_free(a);
  if (fd >= 0) close(fd);
  if (cwd >= 0) {
    if (fchdir(cwd)) rc = -1;
    close(cwd);
  }
  return rc;
}

struct linkcheck { const char *root; int drop; };

static int link_check(struct walk *w)
{
  const struct linkcheck *lc = w->arg;
  const char *root = lc->root, *rel = w->path + strlen(root);
  char buf[4096], *dir;
  ssize_t n;
  int fd, ok;

  if (!S_ISLNK(w->st.st_mode)) return 0;
  if ((n = readlinkat(w->dirfd, w->name, buf, sizeof(buf) - 1)) < 0) {
    perror_msg("%s", w->path);
    return -1;
  }
  buf[n] = 0;
  while (*rel == '/') rel++;
  dir = parent(rel);
  if ((fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
    perror_msg("%s", root);
    free(dir);
    return -1;
  }
  ok = stays_inside(fd, dir, buf, 1);
  close(fd);
  free(dir);
  if (ok) return 0;
  if (!lc->drop) {
    error_msg("%s: refused: symlink pointing outside (-> %s)", w->path, buf);
    return -1;
  }
  error_msg("%s: left out of the copy: symlink pointing outside (-> %s)",
            w->path, buf);
  if (!unlinkat(w->dirfd, w->name, 0)) return 0;
  perror_msg("%s", w->path);
  return -1;
}

/* Once a tree is complete: does every symlink in it, followed through the
 * others, stay inside? (Entries can come in any order, so each link is
 * checked again against the whole tree.) */
int links_inside(const char *root)
{
  struct linkcheck lc = {root, 0};

  return walk_tree(root, link_check, &lc, 0);
}

/* The same check, deleting each link that leads out, with a line: a
 * source directory's copy keeps what is safe of the user's own tree */
int links_drop(const char *root)
{
  struct linkcheck lc = {root, 1};

  return walk_tree(root, link_check, &lc, 0);
}
