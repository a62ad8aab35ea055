/* toybox.c: build toybox statically for the target and install it with its
 * command links into the root, as toybox's own mkroot does: defconfig plus
 * sh and route (and modprobe). The source comes through download/setupfor like any other. */
#define _GNU_SOURCE
#include "step.h"

#include <stdlib.h>
#include <string.h>

/* Debian's cross glibc has no static libcrypt (glibc 2.36 dropped it and
 * libxcrypt has no cross package): without one, leave out the commands that
 * hash passwords. musl has crypt() in libc. */
#define NO_CRYPT "# CONFIG_PASSWD is not set\n# CONFIG_SU is not set\n" \
  "# CONFIG_LOGIN is not set\n# CONFIG_MKPASSWD is not set\n" \
  "# CONFIG_SULOGIN is not set\n"

/* Beside defconfig: sh and route, as toybox's mkroot; modprobe (still in
 * pending in 0.8.9) for the kernel's loadable modules (MODULES=, kernel.c) */
#define TOYBOX_MORE "CONFIG_SH=y\nCONFIG_ROUTE=y\nCONFIG_MODPROBE=y\n"

static int crypt_ok(struct ctx *c)
{
  static const char code[] = "char *crypt(const char *, const char *);\n"
    "int main(void) { return !crypt(\"a\", \"ab\"); }\n";
  char *cc = ctx_cc(c);
  int ok = !cc_try(c, cc, code, 0, 0) || !cc_try(c, cc, code, "-lcrypt", 0);

  if (!ok) say("toybox: %s has no crypt(): without passwd, su, login, mkpasswd",
               cc);
  free(cc);
  return ok;
}

/* TOYBOX_URL's tarball in download/, or 0 and the line saying why not */
static char *url_tarball(struct ctx *c, const char *url)
{
  char *f = url_file(url), *p = 0;

  if (f && archive_suffix(f)) p = xprintf("%s/%s", c->download, f);
  else error_msg("TOYBOX_URL=%s: no tarball name (.tar.gz, .tar.xz, ...) at "
                 "the end of its path", url);
  free(f);
  return p;
}

/* Checked before anything is deleted: is there a toybox source at all?
 * TOYBOX_URL, when set, is the source (with TOYBOX_HASH to check it),
 * whatever download/ holds; else download/toybox or its newest tarball. */
int toybox_source(struct ctx *c)
{
  const char *url = ctx_get(c, "TOYBOX_URL"), *hash = ctx_get(c, "TOYBOX_HASH");
  char *src;

  if (url && *url) {
    if (!hash || !*hash) {
      error_msg("TOYBOX_URL=%s: needs TOYBOX_HASH= (its sha1 or sha256)", url);
      return -1;
    }
    src = url_tarball(c, url);
  } else if (hash && *hash) {
    error_msg("TOYBOX_HASH=%s: without TOYBOX_URL= it checks nothing", hash);
    return -1;
  } else if (!(src = source_path(c->download, "toybox")))
    error_msg("toybox: no source: run 'make deps', put a source directory at "
              "%s/toybox, or set TOYBOX_URL= and TOYBOX_HASH=", c->download);
  free(src);
  return src ? 0 : -1;
}

/* The source to unpack: TOYBOX_URL's tarball, fetched (and checked against
 * TOYBOX_HASH) even when download/toybox is a tree; else download/toybox
 * or its newest tarball. 0 after a line saying why not. */
char *toybox_fetch(struct ctx *c)
{
  const char *url = ctx_get(c, "TOYBOX_URL");
  struct fetchopts o;

  if (toybox_source(c)) return 0;
  if (!url || !*url) return source_path(c->download, "toybox");
  if (ctx_fetchopts(c, &o)) return 0;
  o.tarball = 1;
  if (download(c->download, ctx_get(c, "TOYBOX_HASH"), url, &o)) return 0;
  return url_tarball(c, url);
}

/* The source setupfor will unpack (a tree's manifest, or a tarball's
 * identity), the variables that choose it, the compiler. TOYBOX_URL's
 * tarball may not be fetched yet: TOYBOX_HASH, which it must match, stands
 * for its content. */
int toybox_inputs(struct ctx *c, struct key *k)
{
  const char *url = ctx_get(c, "TOYBOX_URL");
  int byurl = url && *url;
  char *src = byurl ? url_tarball(c, url) : source_path(c->download, "toybox");
  char *id = src && !byurl ? source_id(src) : 0;

  key_str(k, "source", src);
  key_str(k, "id", id);
  key_str(k, "TOYBOX_URL", url);
  key_str(k, "TOYBOX_HASH", ctx_get(c, "TOYBOX_HASH"));
  ctx_tool_key(c, k, T_TOYBOX);
  free(src);
  free(id);
  return ctx_cc_key(c, k, 0);
}

int toybox_build(struct ctx *c)
{
  char *src, *dir, *conf, *cc, *cflags, *prefix, *cpus, *ldflags;
  const struct target *t = c->t;
  struct caps caps;
  int rc;

  if (ctx_caps(c, &caps) || !(src = toybox_fetch(c))) return -1;
  rc = setup_source(src, c->build, "toybox", &caps, &dir);
  free(src);
  if (rc) return -1;
  conf = xprintf("%s/.mkroot-allconfig", dir);
  if (write_file(conf, crypt_ok(c) ? TOYBOX_MORE : TOYBOX_MORE NO_CRYPT, 0644))
    return -1;
  cc = xprintf("CC=%s", c->cc);
  prefix = xprintf("CROSS_COMPILE=%s", c->prefix);
  cflags = xprintf("CFLAGS=%s", t && t->cflags ? t->cflags : "");
  cpus = xprintf("CPUS=%d", c->jobs > 0 ? c->jobs : ncpus());
  {
    char *full = ctx_cc(c);
    char *fixdir = xprintf("%s/libfix", c->build);
    int fix = libm_fix(c, full, fixdir);

    if (fix > 0) say("toybox: %s's static libm.a is broken: linking a fixed "
                     "copy from %s", full, fixdir);
    ldflags = xprintf("LDFLAGS=--static%s%s%s%s", t && t->cflags ? " " : "",
                      t && t->cflags ? t->cflags : "", fix > 0 ? " -L" : "",
                      fix > 0 ? fixdir : "");
  }
  conf = xprintf("KCONFIG_ALLCONFIG=%s", conf);
  /* toybox's install.sh reads $TARGET as a binary suffix: keep it out */
  rc = ctx_run(c, dir, (char *const[]){"env", "-u", "TARGET", cc, prefix, cflags,
                                   "make", "defconfig", conf, 0})
    || ctx_run(c, dir, (char *const[]){"env", "-u", "TARGET", cc, prefix, cflags,
                                   cpus, ldflags, xprintf("PREFIX=%s", c->root),
                                   "make", "toybox", "install", 0});
  if (!rc && !ctx_is(c, "NO_CLEANUP")) rc = cleanup(c->build, dir);
  return rc;
}
