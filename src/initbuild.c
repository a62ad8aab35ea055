/* initbuild.c: compile our /init (src/init/init.c) statically with the
 * target's compiler and install it in the root. */
#define _GNU_SOURCE
#include "mkroot.h"

#include <stdlib.h>

int init_build(const char *root)
{
  char *src = xprintf("%s/src/init/init.c", B.src);
  char *out = xprintf("%s/init", root);
  const struct target *t = target_find(B.target);
  const char *flags = t && t->cflags ? t->cflags : "-O2";
  int rc;

  if (!exists(src)) {
    warnm("%s: missing", src);
    return -1;
  }
  rc = run((char *const[]){xprintf("%s%s", B.prefix, B.cc), "-static", "-Os", "-s", "-Wall", (char *)flags,
                           src, "-o", out, 0});
  free(src);
  free(out);
  return rc;
}
