/* launch_test: the launch script quotes what the user gave: KARGS reaches
 * QEMU's -append as text, QEMU_MORE as words, and neither runs a command.
 * The script is run for real, with a stand-in qemu-system-x86_64 first on
 * PATH that records its arguments. */
#define _GNU_SOURCE
#include "cmd.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
  char tmpl[] = "/tmp/launch_testXXXXXX", *top = mkdtemp(tmpl), *args, *cmd;
  struct ctx c = {0};

  c.output = c.outtop = top;
  c.t = target_find("x86_64");
  ctx_set(&c, "KARGS", "quiet x=\"$(touch INJ1)\" `touch INJ2` 'q' $HOME");
  ctx_set(&c, "QEMU_MORE", " -nic  user,hostfwd=tcp:127.0.0.1:2222-:22 $(touch INJ3)");
  CHECK(!qemu_script(&c));
  CHECK(!mkdirp(xprintf("%s/bin", top), 0755));
  CHECK(!write_file(xprintf("%s/bin/qemu-system-x86_64", top),
                    "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$OUT\"\n", 0755));
  cmd = xprintf("cd %s && PATH=%s/bin:$PATH OUT=%s/args KARGS=late ./qemu-x86_64.sh -x",
                top, top, top);
  CHECK(!system(cmd));
  args = read_file(xprintf("%s/args", top), 0);
  CHECK(args && strstr(args, " quiet x=\"$(touch INJ1)\" `touch INJ2` 'q' $HOME late\n"));
  CHECK(args && strstr(args, "-nic\nuser,hostfwd=tcp:127.0.0.1:2222-:22\n$(touch\nINJ3)\n"));
  CHECK(args && strstr(args, xprintf("panic=1 quiet %s HOST=x86_64 console=ttyS0 DATE=",
                                     c.t->kargs)));
  CHECK(args && strstr(args, "\n-x\n"));
  CHECK(access(xprintf("%s/INJ1", top), F_OK) && access(xprintf("%s/INJ2", top), F_OK)
        && access(xprintf("%s/INJ3", top), F_OK));
  if (checks_failed) printf("%s\n", args);
  CHECK(!rmrf(top));
  return DONE();
}
