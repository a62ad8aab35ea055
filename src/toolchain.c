/* toolchain.c: from CROSS_COMPILE to a compiler that links static binaries,
 * and from a compiler prefix to mkroot's target name. */
#define _GNU_SOURCE
#include "mkroot.h"

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

/* Find an executable: a path with '/', else searched in PATH. */
char *which(const char *name)
{
  const char *path = getenv("PATH"), *p;
  char *try;

  if (strchr(name, '/')) return access(name, X_OK) ? 0 : xstrdup(name);
  for (p = path ? path : ""; ; p = strchr(p, ':') + 1) {
    size_t len = strcspn(p, ":");

    try = xprintf("%.*s/%s", (int)(len ? len : 1), len ? p : ".", name);
    if (!access(try, X_OK)) return try;
    free(try);
    if (!p[len]) return 0;
  }
}

/* Does cc link this program statically (with up to two more arguments,
 * 0 for none)? 0 if so. */
int cc_try(const char *cc, const char *code, const char *a, const char *b)
{
  char *dir = xprintf("%s/build/.cctest%d", B.top, (int)getpid());
  char *c = xprintf("%s/t.c", dir), *o = xprintf("%s/t", dir);
  int rc = -1;

  if (!mkdirp(dir, 0755) && !write_file(c, code, 0644))
    rc = runl(cc, "-static", c, "-o", o, a, b, (char *)0);
  rmrf(dir);
  free(dir);
  free(c);
  free(o);
  return rc;
}

static int links_static(const char *cc)
{
  return cc_try(cc, "int main(void){return 0;}\n", 0, 0);
}

/* CROSS_COMPILE (may be "" for the host) to an absolute prefix, and which
 * compiler name (cc or gcc) exists. */
int toolchain_resolve(const char *cross, char **prefix_out, char **cc_out,
                      char **why)
{
  static const char *const names[] = {"cc", "gcc"};
  char *found = 0, *try;
  int i;

  for (i = 0; i < 2 && !found; i++) {
    try = xprintf("%s%s", cross, names[i]);
    found = which(try);
    free(try);
    if (found) *cc_out = xstrdup(names[i]);
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
    *prefix_out = xprintf("%s/%s", real, strrchr(cross, '/')
                          ? strrchr(cross, '/') + 1 : cross);
  } else *prefix_out = xstrdup("");
  try = xprintf("%s%s", *prefix_out, *cc_out);
  if (links_static(try)) {
    *why = xprintf("%s: can't link a static binary", try);
    free(try);
    return -1;
  }
  free(try);
  return 0;
}
