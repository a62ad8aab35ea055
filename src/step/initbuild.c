/* initbuild.c: the root's /init, our src/init/init.c compiled statically
 * with the target's compiler and installed in the root (beneath it:
 * beneath.c). */
#define _GNU_SOURCE
#include "step.h"

#include <stdlib.h>
#include <unistd.h>

int init_inputs(struct ctx *c, struct key *k)
{
  char *src = xprintf("%s/src/init/init.c", c->src);
  int rc = key_file(k, "init.c", src) || ctx_cc_key(c, k, 0);

  free(src);
  return rc;
}

int init_build(struct ctx *c)
{
  char *src = xprintf("%s/src/init/init.c", c->src);
  char *out = xprintf("%s/init", c->build), *dest = xprintf("%s/init", c->root);
  /* the target's own flags (-march=...) come after -Os and don't undo it */
  char *flags = c->t && c->t->cflags ? (char *)c->t->cflags : "-Os";
  int rc;

  if (!exists(src)) {
    error_msg("%s: missing", src);
    return -1;
  }
  rc = ctx_run(c, 0, (char *const[]){ctx_cc(c), "-static", "-Os", "-s",
                                     "-Wall", flags, src, "-o", out, 0})
       || copy_file_below(out, c->outtop, dest, 0755);
  unlink(out);
  free(src);
  free(out);
  free(dest);
  return rc;
}
