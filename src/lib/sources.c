/* sources.c: download HASH URL, setupfor NAME, cleanup DIR. A file lands
 * in download/ only after its hash matched; a source directory
 * download/NAME (extracted or cloned) overrides the tarball. A package's
 * NAME is its file name up to "-<digit>" ("hello-world-9.tar.gz" is
 * hello-world), and a tarball ends in an archive suffix. */
#define _GNU_SOURCE
#include "lib.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Length of the archive suffix file ends in, 0 if none */
int archive_suffix(const char *file)
{
  static const char *const sfx[] = {".tar.gz", ".tar.bz2", ".tar.xz",
    ".tar.zst", ".tar.lz", ".tar.lzma", ".tar.Z", ".tar", ".tgz", ".tbz2",
    ".tbz", ".txz", ".zip", 0};
  size_t len = strlen(file), n;
  int i;

  for (i = 0; sfx[i]; i++)
    if (len > (n = strlen(sfx[i])) && !strcmp(file + len - n, sfx[i]))
      return (int)n;
  return 0;
}

/* "hello-world-9.tar.gz" -> "hello-world": up to "-<digit>", else the
 * name without its archive suffix */
char *package_name(const char *file)
{
  size_t len = strlen(file) - archive_suffix(file), i;

  for (i = 1; i + 1 < len; i++)
    if (file[i] == '-' && file[i + 1] >= '0' && file[i + 1] <= '9') break;
  return xstrndup(file, i + 1 < len ? i : len);
}

/* The last component of the URL's path (never its host or query), if it
 * is a usable file name; else 0 */
char *url_file(const char *url)
{
  CURLU *u = curl_url();
  char *path = 0, *f = 0;
  const char *s;

  if (u && !curl_url_set(u, CURLUPART_URL, url, 0)
      && !curl_url_get(u, CURLUPART_PATH, &path, 0) && path) {
    s = strrchr(path, '/');
    s = s ? s + 1 : path;
    if (valid_name(s))
      f = xstrdup(s);
  }
  curl_free(path);
  curl_url_cleanup(u);
  return f;
}

struct sink {
  struct newfile *f;
  const char *file;
  unsigned long long got, max;
  int tty, toobig, failed;
};

static size_t sink_write(char *buf, size_t size, size_t n, void *arg)
{
  struct sink *s = arg;

  size *= n;
  if (s->got + size > s->max) {
    s->toobig = 1;
    return 0;
  }
  if (newfile_write(s->f, buf, size)) {
    s->failed = 1;
    return 0;
  }
  s->got += size;
  return size;
}

static int show(void *p, curl_off_t total, curl_off_t now, curl_off_t ut,
                curl_off_t un)
{
  struct sink *s = p;

  (void)ut; (void)un;
  if (s->tty && now) {
    printf("\r%s: %lld KiB", s->file, (long long)now / 1024);
    if (total) printf(" of %lld KiB", (long long)total / 1024);
    fflush(stdout);
  }
  return 0;
}

/* Fetch url into f. 0 done, 1 failed (maybe the next URL works), -1 failed
 * for good (too big, can't write). One line names the URL and why. */
static int fetch(const char *url, const char *file, struct newfile *f,
                 const struct fetchopts *o)
{
  struct sink s = {f, file, 0, o->maxbytes, isatty(1), 0, 0};
  char err[CURL_ERROR_SIZE] = "";
  CURLcode rc = CURLE_OK;
  int try;
  CURL *c;

  for (try = 0; try < 3; try++) {
    if (try) {
      say("%s: retrying (%s)", url, err);
      sleep(1);
    }
    s.got = 0;
    if (lseek(f->fd, 0, SEEK_SET) || ftruncate(f->fd, 0)) return -1;
    if (!(c = curl_easy_init())) return -1;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    /* file: for a local MIRROR, but a server may only redirect to http(s)
     * or ftp */
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,ftp,file");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https,ftp");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, o->timeout);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->maxbytes);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, show);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &s);
    *err = 0;
    rc = curl_easy_perform(c);
    curl_easy_cleanup(c);
    if (s.tty) printf("\n");
    if (rc == CURLE_OK) return 0;
    if (s.toobig || rc == CURLE_FILESIZE_EXCEEDED) {
      error_msg("%s: larger than %llu bytes (DOWNLOAD_MAX)", url, o->maxbytes);
      return -1;
    }
    if (s.failed) return -1;
    if (rc == CURLE_OPERATION_TIMEDOUT && !strstr(err, "onnect")) {
      error_msg("%s: not done after %ld seconds (DOWNLOAD_TIMEOUT)", url,
                o->timeout);
      return 1;
    }
    if (!*err) snprintf(err, sizeof(err), "%s", curl_easy_strerror(rc));
    /* A server's answer (404, ...) won't change on retry; a network hiccup may */
    if (rc == CURLE_HTTP_RETURNED_ERROR || rc == CURLE_REMOTE_FILE_NOT_FOUND
        || rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT
        || rc == CURLE_TOO_MANY_REDIRECTS || rc == CURLE_FILE_COULDNT_READ_FILE)
      break;
  }
  error_msg("%s: %s", url, err);
  return 1;
}

/* Is tarball a an older version than b? Their names without the archive
 * suffix, compared as versions: pkg-1.9.tar.xz is older than
 * pkg-1.10.tar.gz; pkg-1.0.tar.xz is not older than pkg-1.0.tar.gz. */
static int older(const char *a, const char *b)
{
  char *va = xstrndup(a, strlen(a) - archive_suffix(a));
  char *vb = xstrndup(b, strlen(b) - archive_suffix(b));
  int rc = strverscmp(va, vb) < 0;

  free(va);
  free(vb);
  return rc;
}

/* After FILE arrived, delete the older tarballs of the same package (a
 * newer one may be what another build uses) */
static void remove_old(const char *dl, const char *name, const char *file)
{
  char **names = dir_names(dl);
  size_t i;

  for (i = 0; names && names[i]; i++) {
    char *old = names[i], *n, *p;
    struct stat st;

    if (!strcmp(old, file) || !archive_suffix(old) || !older(old, file))
      continue;
    n = package_name(old);
    p = xprintf("%s/%s", dl, old);
    if (!strcmp(n, name) && !lstat(p, &st) && S_ISREG(st.st_mode)
        && !unlink(p))
      say("%s: removed older version", old);
    free(n);
    free(p);
  }
  free_names(names);
}

/* One URL: fetch to a new file, verify, rename into place.
 * 0 done, 1 fetch failed (try the next URL), -1 stop. */
static int try_url(const char *dl, const char *file, const char *hash,
                   const char *url, const struct fetchopts *o)
{
  char *dest = xprintf("%s/%s", dl, file), got[65];
  struct newfile f;
  int rc;

  if (newfile_open(&f, dest, 0644)) rc = -1;
  else if ((rc = fetch(url, file, &f, o))) newfile_abort(&f);
  else if (file_hash(f.tmp, hash_form(hash) == 2, got)) {
    perror_msg("%s", f.tmp);
    newfile_abort(&f);
    rc = -1;
  } else if (strcasecmp(got, hash)) {
    error_msg("%s: %s mismatch: want %s, got %s", file,
              hash_form(hash) == 2 ? "sha256" : "sha1", hash, got);
    newfile_abort(&f);
    rc = -1;
  } else rc = newfile_commit(&f);
  free(dest);
  return rc;
}

int download(const char *dl, const char *hash, const char *url,
             const struct fetchopts *o)
{
  char *file, *name, *path, got[65], *mirror, *m, *save = 0;
  int rc = 1;

  if (!(file = url_file(url))) {
    error_msg("%s: no usable file name in the URL's path", url);
    return -1;
  }
  if (!hash_form(hash)) {
    error_msg("%s: malformed hash '%s' (want 40 or 64 hex digits)", file,
              hash);
    return -1;
  }
  name = package_name(file);
  path = xprintf("%s/%s", dl, name);
  if (is_dir(path) && !o->tarball) {
    say("%s local", file);
    return 0;
  }
  free(path);
  path = xprintf("%s/%s", dl, file);
  if (!file_hash(path, hash_form(hash) == 2, got) && !strcasecmp(got, hash)) {
    say("%s confirmed", file);
    return 0;
  }
  if (mkdirp(dl, 0755)) return -1;
  {
    char *pre = xprintf(".%s", file);   /* newfile's .FILE.partPID */

    remove_stale_parts(dl, pre);
    free(pre);
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  mirror = xstrdup(o->mirror ? o->mirror : "");
  for (m = strtok_r(mirror, " \t", &save); m && rc > 0;
       m = strtok_r(0, " \t", &save)) {
    char *u = xprintf("%s%s%s", m, m[strlen(m) - 1] == '/' ? "" : "/", file);

    rc = try_url(dl, file, hash, u, o);
    free(u);
  }
  if (rc > 0) rc = try_url(dl, file, hash, url, o);
  if (!rc) {
    say("%s downloaded", file);
    if (archive_suffix(file)) remove_old(dl, name, file);
  } else if (rc > 0) error_msg("%s: download failed", file);
  free(mirror);
  free(path);
  return rc ? -1 : 0;
}

/* The newest tarball of package NAME in download/, or 0 */
static char *find_tarball(const char *dl, const char *name)
{
  char *best = 0, **names = dir_names(dl);
  size_t i;

  for (i = 0; names && names[i]; i++) {
    char *n;

    if (*names[i] == '.' || !archive_suffix(names[i])) continue;
    n = package_name(names[i]);
    if (!strcmp(n, name) && (!best || strverscmp(names[i], best) > 0)) {
      free(best);
      best = xstrdup(names[i]);
    }
    free(n);
  }
  free_names(names);
  if (best) {
    char *p = xprintf("%s/%s", dl, best);

    free(best);
    best = p;
  }
  return best;
}

/* What setupfor NAME would unpack: download/NAME if it is a directory,
 * else the newest tarball of NAME; 0 if neither */
char *source_path(const char *dl, const char *name)
{
  char *src = xprintf("%s/%s", dl, name);

  if (is_dir(src)) return src;
  free(src);
  return find_tarball(dl, name);
}

/* A fresh build/NAME, a copy of download/NAME or its tarball unpacked;
 * *from (if not 0) says which */
int setupfor(const char *dl, const char *build, const char *name,
             const struct caps *caps, char **out, char **from)
{
  char *src;
  int rc;

  if (!valid_name(name)) {
    error_msg("setupfor '%s': bad package name", name);
    return -1;
  }
  if (!(src = source_path(dl, name))) {
    error_msg("%s: no source: neither %s/%s/ nor a tarball %s/%s-VERSION.tar.*",
              name, dl, name, dl, name);
    return -1;
  }
  rc = setup_source(src, build, name, caps, out);
  if (!rc && from) *from = src;
  else free(src);
  return rc;
}

/* A fresh BUILD/NAME from src: a source directory copied, or a tarball
 * unpacked (its top directory stripped) */
int setup_source(const char *src, const char *build, const char *name,
                 const struct caps *caps, char **out)
{
  char *dest = xprintf("%s/%s", build, name);
  int rc;

  if (mkdirp(build, 0755) || rmrf(dest)) {
    free(dest);
    return -1;
  }
  if (is_dir(src)) {
    /* download/NAME may be a link to the tree: copy the tree, not the link */
    char *real = realpath(src, 0);

    rc = !real || copy_source(real, dest) || links_drop(dest);
    if (!real) perror_msg("%s", src);
    free(real);
  } else rc = extract_archive(src, dest, 1, caps) || links_inside(dest);
  if (rc) {
    rmrf(dest);
    free(dest);
    return -1;
  }
  *out = dest;
  return 0;
}

/* Delete a directory setupfor made: exactly BUILD/NAME, nothing else */
int cleanup(const char *build, const char *dir)
{
  size_t n = strlen(build);

  if (strncmp(dir, build, n) || dir[n] != '/' || !valid_name(dir + n + 1)) {
    error_msg("cleanup: %s: not a directory setupfor made in %s", dir, build);
    return -1;
  }
  return rmrf(dir);
}
