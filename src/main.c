/* main.c: one binary, chosen by the name it was started as (as toybox does):
 * mkroot, cross, run, clean, boottest. "mkroot --helper" serves the module
 * API's shell functions. */
#include "mkroot.h"

#include <string.h>

static const struct {
  const char *name;
  int (*main)(int, char **);
} commands[] = {
  {"mkroot", mkroot_main}, {"cross", cross_main}, {"run", run_main},
  {"clean", clean_main}, {"boottest", boottest_main}, {0, 0}
};

int main(int argc, char **argv)
{
  const char *name = strrchr(argv[0], '/');
  int i;

  name = name ? name + 1 : argv[0];
  if (argc > 1 && !strcmp(argv[1], "--helper"))
    return helper_main(argc - 1, argv + 1);
  if (argc > 1 && !strcmp(argv[1], "--help")) {
    if (!strcmp(name, "mkroot")) usage(stderr);
    else fprintf(stderr, "see README.md: %s\n", name);
    return 1;
  }
  for (i = 0; commands[i].name; i++)
    if (!strcmp(name, commands[i].name)) return commands[i].main(argc, argv);
  fprintf(stderr, "mkroot: unknown command name '%s'\n", name);
  return 1;
}
