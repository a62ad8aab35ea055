/* clean.c: ./clean deletes build output (output/ and build/), never the
 * sources in download/. */
#include "mkroot.h"

int clean_main(int argc, char **argv)
{
  int rc = 0;

  if (argc > 1) {
    fprintf(stderr, "usage: %s\n\nDelete output/ and build/; download/ "
            "stays.\n", argv[0]);
    return 1;
  }
  if (is_dir("output")) rc |= rmrf("output");
  if (is_dir("build")) rc |= rmrf("build");
  return rc ? 1 : 0;
}
