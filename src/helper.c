/* helper.c: the module API's callbacks. A module's shell functions run
 * "mkroot --helper download|setupfor|cleanup ..." with the build's
 * variables in the environment. */
#define _GNU_SOURCE
#include "mkroot.h"

#include <stdlib.h>
#include <string.h>

static const char *need(const char *var)
{
  const char *v = getenv(var);

  if (!v || !*v) die("--helper: $%s not set (run from a module)", var);
  return v;
}

int helper_main(int argc, char **argv)
{
  char *dir;

  if (argc == 4 && !strcmp(argv[1], "download"))
    return !!download(need("DOWNLOAD"), argv[2], argv[3]);
  if (argc == 3 && !strcmp(argv[1], "setupfor")) {
    if (setupfor(need("DOWNLOAD"), need("BUILD"), argv[2], &dir)) return 1;
    printf("%s\n", dir);
    return 0;
  }
  if (argc == 3 && !strcmp(argv[1], "cleanup")) {
    const char *build = need("BUILD");

    /* Only ever delete a directory setupfor made */
    if (strncmp(argv[2], build, strlen(build)) || argv[2][strlen(build)] != '/')
      die("cleanup: %s: not under %s", argv[2], build);
    return !!cleanup_dir(argv[2]);
  }
  /* for bench/run: the initramfs writer alone */
  if (argc == 4 && !strcmp(argv[1], "cpio")) {
    const char *sde = getenv("SOURCE_DATE_EPOCH");

    return !!cpio_write(argv[2], argv[3], sde ? atoll(sde) : 0);
  }
  /* a target's miniconfig, and the symbol check, on their own */
  if (argc == 3 && !strcmp(argv[1], "miniconfig")) {
    const struct target *t = target_find(argv[2]);

    if (!t) die("%s: unknown target", argv[2]);
    fputs(miniconfig_make(t, getenv("KEXTRA")), stdout);
    return 0;
  }
  if (argc == 4 && !strcmp(argv[1], "symcheck")) {
    char *mini = read_file(argv[2], 0), *conf = read_file(argv[3], 0), *miss;

    if (!mini || !conf) die("symcheck: can't read %s or %s", argv[2], argv[3]);
    symbol_check(mini, conf, &miss);
    fputs(miss, stdout);
    return !!*miss;
  }
  /* for tests/matrix: the target table's names, and a target's known issue */
  if (argc == 2 && !strcmp(argv[1], "targets")) {
    target_list(stdout);
    return 0;
  }
  if (argc == 3 && !strcmp(argv[1], "note")) {
    const struct target *t = target_find(argv[2]);

    if (t && t->note) printf("%s\n", t->note);
    return !t;
  }
  die("--helper: usage: download HASH URL | setupfor NAME | cleanup DIR");
}
