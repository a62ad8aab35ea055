/* clean.c: ./clean deletes the build output (output/ and build/) of the
 * mkroot checkout this binary belongs to, wherever it is run from; never
 * the sources in download/. */
#include "mkroot.h"

#include <stdlib.h>

int clean_main(int argc, char **argv)
{
  char *top = self_dir(), *out = xprintf("%s/output", top);
  char *build = xprintf("%s/build", top);
  int rc = 0;

  (void)argv;
  if (argc > 1) {
    error_msg("no arguments (see clean --help)");
    return 1;
  }
  rc |= rmrf(out);
  rc |= rmrf(build);
  free(top);
  free(out);
  free(build);
  return rc ? 1 : 0;
}
