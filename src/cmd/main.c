/* main.c: one binary, chosen by the name it was started as (as toybox
 * does): mkroot, cross, run, clean, boottest. "mkroot --helper VERB"
 * serves the module API's shell functions and the tests. "NAME --help"
 * prints that command's usage, "mkroot --man" the manual page (man.c). */
#include "cmd.h"

#include <string.h>

static void usage_cross(FILE *f)
{
  fputs(
"usage: cross [TARGET|all] [CMD...]\n"
"       cross toolchain TARGET|all\n\n"
"cross                 list the targets that have a compiler here, and the\n"
"                      cross and native toolchains built from source\n"
"                      (toolchain/) for the targets that can have them\n"
"cross TARGET CMD...   run CMD with CROSS_COMPILE set for TARGET; a compiler\n"
"                      built from source (those cross lists) is built first\n"
"                      if missing: binutils, gcc (C, C++) and musl from make\n"
"                      deps-all's sources\n"
"cross all CMD...      every target in turn; output/TARGET/log.txt each, the\n"
"                      terminal output in output/TARGET/cross.txt, a failed\n"
"                      target renamed output/TARGET.failed; side by side as\n"
"                      cores and memory allow (JOBS=N to choose)\n"
"cross toolchain TARGET  build TARGET's cross toolchain and its native one\n"
"                      (runs on the target: gcc, binutils, musl, make, bash\n"
"                      in a squashfs image, toolchain/TRIPLE-native-KEY.sqf)\n"
"cross toolchain all   every target's pair, side by side (JOBS=N); the\n"
"                      terminal output of each in toolchain/TARGET.txt\n\n"
"TOOLCHAIN=source      use the compiler built from source for a target that\n"
"                      has a Debian one too (x86_64, aarch64, armv7l),\n"
"                      building it first if missing\n",
    f);
}

static void usage_run(FILE *f)
{
  fputs(
"usage: run [TARGET [QEMU ARGS...]]\n"
"       run [OPTIONS] TARGET[,TARGET...]|all [QEMU ARGS...] -- CMD [ARGS...]\n\n"
"Boot output/TARGET with its launch script, QEMU ARGS appended (with no\n"
"TARGET, list the targets that are built).\n\n"
"With -- CMD: boot it, run CMD as root after the rc scripts (stdin\n"
"/dev/null, in $SHARE or else /root), power off. CMD's stdout and stderr\n"
"come to ours, byte for byte (not the kernel's messages: those are in\n"
"output/TARGET/run.log), and run exits with CMD's exit status, or:\n"
"  124  the guest was killed at the timeout (one line says so)\n"
"  125  run or the guest failed (one line says why: not built, kernel\n"
"       panic, a share too big, $OUT lost ...)\n\n"
"  --timeout SECONDS  kill the guest after this long (default 600, 0: never)\n"
"  --share DIR        DIR's files, readable in the guest at $SHARE\n"
"                     (/mnt/share; a copy in the guest's memory)\n"
"  --out DIR          what the guest leaves in $OUT (/mnt/out) appears in\n"
"                     DIR afterwards (any board with a disk)\n\n"
"Several targets, or all that are built: side by side as cores allow,\n"
"one line each (exit status, seconds), each one's output in\n"
"output/TARGET/run.out, $OUT in DIR/TARGET; exit status 0 if every CMD\n"
"exited 0.\n\n"
"  ./run host -- uname -m\n"
"  ./run --share tests --out results aarch64 -- sh -c 'cp $SHARE/* $OUT'\n"
"  ./run aarch64,x86_64 -- sh -c 'echo $((6*7))'\n",
    f);
}

static void usage_clean(FILE *f)
{
  fputs("usage: clean\n\n"
        "Delete output/ and build/ of the mkroot checkout this program is\n"
        "in; download/ stays, and so does toolchain/: the compilers built\n"
        "from source and the musl sysroots (toolchain/musl/KEY), which a\n"
        "build after clean reuses. rm -rf toolchain/musl removes the musl\n"
        "sysroots, rm -rf toolchain every built compiler and C library. A\n"
        "copy of this program outside a checkout deletes nothing.\n", f);
}

static void usage_boottest(FILE *f)
{
  fputs("usage: boottest [TARGET...]\n\n"
        "Boot output/TARGET (every built one by default) with a disk image\n"
        "and an HTTP server on 127.0.0.1, and check: prompt, typing, date\n"
        "(within a few seconds of the host), network, disk, user (a user\n"
        "name resolves), hosts (localhost resolves), ssh (when the root has\n"
"dropbear: a command over ssh answers, a file sent with scp reads back),\n"
"poweroff.\n"
        "BOOTTEST_TIMEOUT=seconds per target (default 300).\n", f);
}

static const struct command commands[] = {
  {"mkroot", mkroot_main, mkroot_usage},
  {"cross", cross_main, usage_cross},
  {"run", run_main, usage_run},
  {"clean", clean_main, usage_clean},
  {"boottest", boottest_main, usage_boottest},
  {0, 0, 0}
};

int main(int argc, char **argv)
{
  const char *name = strrchr(argv[0], '/');
  const struct command *c;

  name = name ? name + 1 : argv[0];
  proc_init();
  if (argc > 1 && !strcmp(argv[1], "--helper")) {
    progname = "mkroot --helper";
    return helper_main(argc - 1, argv + 1);
  }
  if (argc == 2 && !strcmp(argv[1], "--man")) return man_page(stdout, commands);
  for (c = commands; c->name; c++) {
    if (strcmp(name, c->name)) continue;
    progname = c->name;
    if (argc > 1 && !strcmp(argv[1], "--help")) {
      c->usage(stdout);
      return 0;
    }
    if (argc > 1 && *argv[1] == '-' && strcmp(c->name, "mkroot")
        && strcmp(c->name, "run")) {
      c->usage(stderr);
      return 1;
    }
    return c->main(argc, argv);
  }
  fprintf(stderr, "mkroot: unknown command name '%s'\n", escape(name));
  return 1;
}
