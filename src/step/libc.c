/* libc.c: the target's C library chosen. musl, built from source (musl.c),
 * so every target gets small static binaries that can look up users and
 * hosts (Debian's cross compilers link glibc, whose static binaries can't
 * use NSS). The seed's musl-cross-make does this with a compiler of its
 * own; we point the target's existing gcc at a musl sysroot instead
 * (ccwrap.c). LIBC=glibc keeps Debian's C library, as does a target whose
 * row says musl can't serve it; a compiler that already targets musl (a
 * musl-cross-make toolchain) is used as it is. Either way build/TARGET/cc
 * gives the toolchain every name module scripts use (PREFIXcc too). */
#define _GNU_SOURCE
#include "step.h"

#include <stdlib.h>
#include <string.h>

/* 1 if the build should get a musl sysroot, 0 if not, -1 on a bad LIBC */
static int musl_wanted(struct ctx *c, const char *triple)
{
  const char *libc = ctx_get(c, "LIBC");

  if (var_check("LIBC", libc)) return -1;
  if (strstr(triple, "musl")) {   /* already a musl toolchain */
    stage("libc musl (the toolchain's own)");
    return 0;
  }
  if (libc && !strcmp(libc, "glibc")) return 0;
  if (c->t && c->t->nomusl) {
    if (libc && *libc) {
      error_msg("LIBC=musl: %s: %s", c->target, c->t->nomusl);
      return -1;
    }
    say("libc: glibc (%s: %s)", c->target, c->t->nomusl);
    return 0;
  }
  return 1;
}

/* Should this build get musl? 1 yes (*triple set), 0 no, -1 error */
static int libc_wanted(struct ctx *c, char **triple)
{
  char *real = ctx_cc(c);
  int want;

  *triple = run_line(c->env, (char *const[]){real, "-dumpmachine", 0});
  if (!*triple) error_msg("%s -dumpmachine: failed", real);
  want = *triple ? musl_wanted(c, *triple) : -1;
  free(real);
  return want;
}

/* -d: the musl source, if this build would use it */
int libc_download(struct ctx *c)
{
  char *triple;
  int rc = libc_wanted(c, &triple);

  if (rc > 0) rc = musl_source(c);
  free(triple);
  return rc < 0 ? -1 : rc;
}

/* The build's compiler: build/TARGET/cc, over a musl sysroot when the
 * build should have one */
int libc_setup(struct ctx *c)
{
  char *real = ctx_cc(c), *triple, *root = 0, key[65];
  int rc = libc_wanted(c, &triple);

  if (rc > 0 && !(root = musl_sysroot(c, triple, real, key))) rc = -1;
  if (rc >= 0) rc = cc_wrap(c, real, root, triple);
  if (!rc && root) c->libc = xstrdup(key);
  free(root);
  free(triple);
  free(real);
  return rc;
}
