/* libfix_test: with Debian's x32 cross compiler (if installed), "-static -lm"
 * fails as shipped and links with the repaired libm.a; with the native
 * compiler nothing needs fixing. */
#define _GNU_SOURCE
#include "cmd.h"
#include "check.h"

#include <stdlib.h>
#include <unistd.h>

int main(void)
{
  char tmpl[] = "/tmp/libfix_testXXXXXX", *top = mkdtemp(tmpl);
  const char *x32 = "/usr/bin/x86_64-linux-gnux32-gcc";

  struct ctx c = {.top = top};

  ctx_set(&c, "PATH", getenv("PATH"));
  CHECK(libm_fix(&c, "cc", xprintf("%s/native", top)) == 0);
  if (!access(x32, X_OK)) {
    CHECK(libm_fix(&c, x32, xprintf("%s/x32", top)) == 1);
    CHECK(!cc_try(&c, x32, "#include <math.h>\nint main(int c, char **v)"
                  "{ (void)v; return sin(c) > 2; }\n",
                  xprintf("-L%s/x32", top), "-lm"));
  } else printf("no %s: x32 part skipped\n", x32);
  CHECK(!system(xprintf("rm -rf %s", top)));
  return DONE();
}
