/* extract.c: unpack a tarball (gz, bz2, xz, zst, ...) with libarchive into
 * a directory, refusing any entry that could write outside it: "..",
 * absolute names, links pointing out, device nodes. Each refusal names the
 * entry. */
#define _GNU_SOURCE
#include "mkroot.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Skip the first strip components of path; 0 if nothing is left. */
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

static int has_dotdot(const char *p)
{
  const char *s;

  for (s = p; s; s = strchr(s, '/')) {
    if (*s == '/') s++;
    if (!strncmp(s, "..", 2) && (!s[2] || s[2] == '/')) return 1;
  }
  return 0;
}

/* Does a symlink at entry path "name" with target "to" stay inside? */
static int link_inside(const char *name, const char *to)
{
  int depth = 0;
  const char *s;

  if (*to == '/') return 0;
  for (s = name; (s = strchr(s, '/')); s++) depth++;
  for (s = to; *s; ) {
    size_t len = strcspn(s, "/");

    if (len == 2 && !strncmp(s, "..", 2)) {
      if (--depth < 0) return 0;
    } else if (len && !(len == 1 && *s == '.')) depth++;
    s += len;
    while (*s == '/') s++;
  }
  return 1;
}

static const char *entry_problem(struct archive_entry *e, const char *name)
{
  const char *sym = archive_entry_symlink(e), *hard = archive_entry_hardlink(e);
  mode_t type = archive_entry_filetype(e);

  if (*archive_entry_pathname(e) == '/') return "absolute path";
  if (has_dotdot(name)) return "path with ..";
  if (type == AE_IFCHR || type == AE_IFBLK) return "device node";
  if (type == AE_IFIFO || type == AE_IFSOCK) return "special file";
  if (sym && !link_inside(name, sym)) return "symlink pointing outside";
  if (hard && (*hard == '/' || has_dotdot(hard))) return "hard link outside";
  return 0;
}

int extract_archive(const char *tarball, const char *dest, int strip)
{
  struct archive *a = archive_read_new(), *w = archive_write_disk_new();
  struct archive_entry *e;
  int rc = 0, r, cwd = -1;

  archive_read_support_filter_all(a);
  archive_read_support_format_all(a);
  archive_write_disk_set_options(w, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM
    | ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS
    | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
  if (archive_read_open_filename(a, tarball, 65536) != ARCHIVE_OK) {
    warnm("%s: %s", tarball, archive_error_string(a));
    rc = -1;
  }
  if (!rc && mkdirp(dest, 0755)) rc = -1;
  /* Extract relative to dest, so libarchive's own checks (no "..", no
   * absolute names, no writing through symlinks) apply to every entry */
  if (!rc && ((cwd = open(".", O_RDONLY | O_DIRECTORY)) < 0 || chdir(dest))) {
    warnm("%s: %s", dest, strerror(errno));
    rc = -1;
  }
  while (!rc && (r = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
    const char *name, *why, *hard;
    char *full;

    if (r < ARCHIVE_WARN) {
      warnm("%s: %s", tarball, archive_error_string(a));
      rc = -1;
      break;
    }
    if (!(name = strip_path(archive_entry_pathname(e), strip))) continue;
    if ((why = entry_problem(e, name))) {
      warnm("%s: %s: refused: %s", tarball, archive_entry_pathname(e), why);
      rc = -1;
      break;
    }
    /* names stay relative: we work inside dest (see below) */
    full = xstrdup(name);
    archive_entry_set_pathname(e, full);
    free(full);
    if ((hard = archive_entry_hardlink(e))) {
      const char *h = strip_path(hard, strip);

      full = xstrdup(h ? h : ".");
      archive_entry_set_hardlink(e, full);
      free(full);
    }
    archive_entry_set_uid(e, getuid());
    archive_entry_set_gid(e, getgid());
    if (archive_write_header(w, e) < ARCHIVE_WARN) {
      warnm("%s: %s: %s", tarball, name, archive_error_string(w));
      rc = -1;
      break;
    }
    if (archive_entry_size(e) > 0) {
      const void *buf;
      size_t size;
      la_int64_t off;

      while ((r = archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK)
        if (archive_write_data_block(w, buf, size, off) < ARCHIVE_WARN) break;
      if (r != ARCHIVE_EOF) {
        warnm("%s: %s: %s", tarball, name, archive_error_string(a));
        rc = -1;
      }
    }
    archive_write_finish_entry(w);
  }
  archive_read_free(a);
  if (cwd >= 0 && (fchdir(cwd) || close(cwd))) rc = -1;
  if (archive_write_free(w) != ARCHIVE_OK && !rc) {
    warnm("%s: can't finish extracting", tarball);
    rc = -1;
  }
  return rc;
}
