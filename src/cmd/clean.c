/* clean.c: ./clean deletes the build output (output/ and build/) of the
 * mkroot checkout this binary belongs to, wherever it is run from; never
 * the sources in download/, nor toolchain/ (compilers and musl sysroots,
 * slow to build and keyed by what they are built from). A copy of the
 * binary somewhere else deletes nothing: the directory must be a checkout
 * (its Makefile, src/lib/lib.h and module/ are there), not merely hold a
 * build/ or output/. */
#define _GNU_SOURCE
#include "cmd.h"

#include <stdlib.h>
#include <sys/stat.h>

static int is_checkout(const char *top)
{
  static const struct { const char *name; mode_t type; } marks[] = {
    {"Makefile", S_IFREG}, {"src/lib/lib.h", S_IFREG}, {"module", S_IFDIR},
    {0, 0}
  };
  struct stat st;
  int i, ok = 1;

  for (i = 0; ok && marks[i].name; i++) {
    char *p = xprintf("%s/%s", top, marks[i].name);

    ok = !lstat(p, &st) && (st.st_mode & S_IFMT) == marks[i].type;
    free(p);
  }
  return ok;
}

int clean_main(int argc, char **argv)
{
  char *top = self_dir(), *out, *build;
  int rc = 0;

  (void)argv;
  if (argc > 1) {
    error_msg("no arguments (see clean --help)");
    return 1;
  }
  if (!is_checkout(top)) {
    error_msg("%s: not a mkroot checkout (no Makefile, src/ and module/ "
              "beside this program): nothing deleted", top);
    return 1;
  }
  out = xprintf("%s/output", top);
  build = xprintf("%s/build", top);
  rc |= rmrf(out);
  rc |= rmrf(build);
  free(top);
  free(out);
  free(build);
  return rc ? 1 : 0;
}
