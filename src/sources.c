/* sources.c: download HASH URL, setupfor NAME, cleanup. A file lands in
 * download/ only after its hash matched; a source directory download/NAME
 * (extracted or cloned) overrides the tarball. */
#define _GNU_SOURCE
#include "mkroot.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 1 for SHA-1 (40 hex digits), 2 for SHA-256 (64), 0 for anything else */
int hash_check_form(const char *hash)
{
  size_t len = strspn(hash, "0123456789abcdefABCDEF");

  if (hash[len]) return 0;
  return len == 40 ? 1 : len == 64 ? 2 : 0;
}

int file_hash(const char *path, int sha256, char out[65])
{
  unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
  unsigned int mdlen, i;
  int fd = open(path, O_RDONLY);
  EVP_MD_CTX *ctx;
  ssize_t r;

  if (fd < 0) return -1;
  ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, sha256 ? EVP_sha256() : EVP_sha1(), 0);
  while ((r = read(fd, buf, sizeof(buf))) > 0) EVP_DigestUpdate(ctx, buf, r);
  close(fd);
  EVP_DigestFinal_ex(ctx, md, &mdlen);
  EVP_MD_CTX_free(ctx);
  if (r < 0) return -1;
  for (i = 0; i < mdlen; i++) sprintf(out + 2 * i, "%02x", md[i]);
  return 0;
}

/* 0 match, 1 mismatch (got filled in), -1 unreadable */
static int verify(const char *path, const char *want, char got[65])
{
  if (file_hash(path, hash_check_form(want) == 2, got)) return -1;
  return strcasecmp(got, want) ? 1 : 0;
}

struct progress { const char *file; int tty; };

static int show(void *p, curl_off_t total, curl_off_t now, curl_off_t ut,
                curl_off_t un)
{
  struct progress *pr = p;

  (void)ut; (void)un;
  if (pr->tty && now)
    printf("\r%s: %lld KiB%s%.0lld%s", pr->file, (long long)now / 1024,
           total ? " of " : "", (long long)total / 1024, total ? " KiB" : "");
  fflush(stdout);
  return 0;
}

/* Fetch url into the open file fd; -1 with a message naming the URL. */
static int fetch(const char *url, const char *file, FILE *out)
{
  struct progress pr = {file, isatty(1)};
  char errbuf[CURL_ERROR_SIZE] = "";
  CURLcode rc = CURLE_OK;
  CURL *c;
  int try;

  for (try = 0; try < 3; try++) {
    if (try) {
      say("%s: retrying (%s)", url, errbuf);
      sleep(1);
    }
    if (fseek(out, 0, SEEK_SET) || ftruncate(fileno(out), 0)) return -1;
    if (!(c = curl_easy_init())) return -1;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, show);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &pr);
    rc = curl_easy_perform(c);
    curl_easy_cleanup(c);
    if (pr.tty) printf("\n");
    if (rc == CURLE_OK) return fflush(out) ? -1 : 0;
    if (!*errbuf) snprintf(errbuf, sizeof(errbuf), "%s", curl_easy_strerror(rc));
    /* A server's answer (404, ...) won't change on retry; a network hiccup may */
    if (rc == CURLE_HTTP_RETURNED_ERROR || rc == CURLE_REMOTE_FILE_NOT_FOUND
        || rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT) break;
  }
  warnm("%s: %s", url, errbuf);
  return -1;
}

/* After a successful fetch of FILE, delete other NAME-[0-9]* files. */
static void remove_old(const char *dl, const char *name, const char *file)
{
  size_t len = strlen(name);
  struct dirent *e;
  DIR *d = opendir(dl);

  if (!d) return;
  while ((e = readdir(d))) {
    if (strncmp(e->d_name, name, len) || e->d_name[len] != '-'
        || e->d_name[len + 1] < '0' || e->d_name[len + 1] > '9'
        || !strcmp(e->d_name, file)) continue;
    {
      char *p = xprintf("%s/%s", dl, e->d_name);

      if (!is_dir(p) && !unlink(p)) say("%s: removed older version", e->d_name);
      free(p);
    }
  }
  closedir(d);
}

static char *url_file(const char *url)
{
  const char *s = strrchr(url, '/');
  char *f = xstrdup(s ? s + 1 : url);

  f[strcspn(f, "?#")] = 0;
  return f;
}

/* Try one URL: fetch to a temporary file, verify, rename into place.
 * 0 done, 1 fetch failed (try the next URL), -1 bad hash (stop). */
static int try_url(const char *dl, const char *file, const char *hash,
                   const char *url)
{
  char *tmp = xprintf("%s/.%s.part%d", dl, file, (int)getpid());
  char *dest = xprintf("%s/%s", dl, file), got[65];
  FILE *out = fopen(tmp, "w+");
  int rc = 1;

  if (!out) {
    warnm("%s: %s", tmp, strerror(errno));
    rc = -1;
  } else if (fetch(url, file, out)) rc = 1;
  else if (fclose(out), out = 0, verify(tmp, hash, got)) {
    warnm("%s: %s mismatch: want %s, got %s", file,
          hash_check_form(hash) == 2 ? "sha256" : "sha1", hash, got);
    rc = -1;
  } else if (rename(tmp, dest)) {
    warnm("%s: %s", dest, strerror(errno));
    rc = -1;
  } else rc = 0;
  if (out) fclose(out);
  if (rc) unlink(tmp);
  free(tmp);
  free(dest);
  return rc;
}

int download(const char *dl, const char *hash, const char *url)
{
  char *file = url_file(url), *name, *path, got[65], *mirror, *m, *save = 0;
  int rc = 1;

  if (!hash_check_form(hash)) {
    warnm("%s: malformed hash '%s' (want 40 or 64 hex digits)", file, hash);
    return -1;
  }
  if (!*file || *file == '.' ) {
    warnm("%s: no file name in URL", url);
    return -1;
  }
  name = xstrndup_(file, strcspn(file, "-"));
  path = xprintf("%s/%s", dl, name);
  if (is_dir(path)) {
    say("%s local", file);
    return 0;
  }
  free(path);
  path = xprintf("%s/%s", dl, file);
  if (!verify(path, hash, got)) {
    say("%s confirmed", file);
    return 0;
  }
  if (mkdirp(dl, 0755)) return -1;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  mirror = xstrdup(getenv("MIRROR") ? getenv("MIRROR") : "");
  for (m = strtok_r(mirror, " \t", &save); m && rc > 0;
       m = strtok_r(0, " \t", &save)) {
    char *u = xprintf("%s%s%s", m, m[strlen(m) - 1] == '/' ? "" : "/", file);

    rc = try_url(dl, file, hash, u);
    free(u);
  }
  if (rc > 0) rc = try_url(dl, file, hash, url);
  if (!rc) {
    say("%s downloaded", file);
    remove_old(dl, name, file);
  } else if (rc > 0) warnm("%s: download failed", file);
  free(mirror);
  free(path);
  return rc ? -1 : 0;
}

/* The newest tarball download/NAME-[0-9]*, or 0 */
static char *find_tarball(const char *dl, const char *name)
{
  size_t len = strlen(name);
  struct dirent *e;
  char *best = 0;
  DIR *d = opendir(dl);

  if (!d) return 0;
  while ((e = readdir(d))) {
    if (strncmp(e->d_name, name, len) || e->d_name[len] != '-'
        || !strstr(e->d_name, ".tar")) continue;
    if (!best || strverscmp(e->d_name, best) > 0) {
      free(best);
      best = xstrdup(e->d_name);
    }
  }
  closedir(d);
  if (best) {
    char *p = xprintf("%s/%s", dl, best);

    free(best);
    best = p;
  }
  return best;
}

/* A fresh build/NAME from download/NAME (a link tree) or its tarball. */
int setupfor(const char *dl, const char *build, const char *name, char **out)
{
  char *src = xprintf("%s/%s", dl, name), *dest = xprintf("%s/%s", build, name);
  char *tar = 0;
  int rc;

  if (!*name || *name == '.' || strchr(name, '/')) {
    warnm("setupfor '%s': bad package name", name);
    return -1;
  }
  if (mkdirp(build, 0755) || rmrf(dest)) return -1;
  if (is_dir(src)) rc = link_tree(src, dest);
  else if ((tar = find_tarball(dl, name))) rc = extract_archive(tar, dest, 1);
  else {
    warnm("%s: no source: neither %s/ nor %s/%s-*.tar.*", name, src, dl, name);
    rc = -1;
  }
  if (rc) rmrf(dest);
  free(src);
  free(tar);
  if (rc) {
    free(dest);
    return -1;
  }
  *out = dest;
  return 0;
}

int cleanup_dir(const char *dir)
{
  const char *keep = getenv("NO_CLEANUP");

  if (keep && *keep && strcmp(keep, "0")) return 0;
  return rmrf(dir);
}
