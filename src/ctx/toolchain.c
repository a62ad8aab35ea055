/* toolchain.c: from CROSS_COMPILE to a compiler that links static binaries,
 * and from a compiler prefix to mkroot's target name. */
#define _GNU_SOURCE
#include "ctx.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Debian triplets whose first word is not the target name */
static const char *const triplets[][2] = {
  {"arm-linux-gnueabi", "armv5l"},
  {"arm-linux-gnueabihf", "armv7l"},
  {"x86_64-linux-gnux32", "x32"},
  {"i386-linux-gnu", "i686"},
  {0, 0}
};

/* "/usr/bin/arm-linux-gnueabihf-" -> "armv7l", "armv5l-linux-musleabihf-"
 * -> "armv5l". Returns a static or allocated string. */
const char *triplet_target(const char *prefix)
{
  const char *base = strrchr(prefix, '/');
  char *t, *dash;
  size_t len;
  int i;

  base = base ? base + 1 : prefix;
  t = xstrdup(base);
  len = strlen(t);
  if (len && t[len - 1] == '-') t[--len] = 0;
  for (i = 0; triplets[i][0]; i++)
    if (!strcmp(t, triplets[i][0])) {
      free(t);
      return triplets[i][1];
    }
  if ((dash = strchr(t, '-'))) *dash = 0;
  return t;
}

/* Does cc link this program statically (with up to two more arguments,
 * 0 for none)? 0 if so. */
int cc_try(struct ctx *c, const char *cc, const char *code, const char *a,
           const char *b)
{
  char *dir = xprintf("%s/build/.cctest%d", c->top, (int)getpid());
  char *src = xprintf("%s/t.c", dir), *o = xprintf("%s/t", dir);
  int rc = -1;

  if (!mkdirp(dir, 0755) && !write_file(src, code, 0644))
    rc = runl(c->env, cc, "-static", src, "-o", o, a, b, (char *)0);
  rmrf(dir);
  free(dir);
  free(src);
  free(o);
  return rc;
}

static int links_static(struct ctx *c, const char *cc)
{
  return cc_try(c, cc, "int main(void){return 0;}\n", 0, 0);
}

/* CROSS_COMPILE (may be "" for the host) to an absolute prefix, and which
 * compiler name (cc or gcc) exists. */
int toolchain_resolve(struct ctx *c, const char *cross, char **why)
{
  static const char *const names[] = {"cc", "gcc"};
  char *found = 0, *try;
  int i;

  for (i = 0; i < 2 && !found; i++) {
    try = xprintf("%s%s", cross, names[i]);
    found = which(c->path, try);
    free(try);
    if (found) c->cc = xstrdup(names[i]);
  }
  if (!found) {
    *why = xprintf("no %scc or %sgcc in PATH", cross, cross);
    return -1;
  }
  if (*cross) {
    char real[PATH_MAX], *slash;

    /* Keep the name (a symlink named for the triplet), make the dir absolute */
    slash = strrchr(found, '/');
    *slash = 0;
    if (!realpath(found, real)) strcpy(real, found);
    c->prefix = xprintf("%s/%s", real, strrchr(cross, '/')
                          ? strrchr(cross, '/') + 1 : cross);
  } else c->prefix = xstrdup("");
  try = ctx_cc(c);
  if (links_static(c, try)) {
    *why = xprintf("%s: can't link a static binary", try);
    free(try);
    return -1;
  }
  free(try);
  return 0;
}
