/* cmd.h: the commands (one binary, chosen by its name), using the steps
 * (step.h), the context and the library. */
#ifndef CMD_H
#define CMD_H

#include "step.h"

/* The commands, one binary chosen by its name (main.c's table) */
struct command {
  const char *name;
  int (*main)(int, char **);
  void (*usage)(FILE *);
};
int man_page(FILE *f, const struct command *commands);
void files_list(FILE *f);
int mkroot_main(int argc, char **argv);
int cross_main(int argc, char **argv);
int cross_dialect(int argc, char **argv, struct args *a);
int run_main(int argc, char **argv);
int clean_main(int argc, char **argv);
int boottest_main(int argc, char **argv);
int helper_main(int argc, char **argv);
char *launch_script(const char *top, const char *name);
const struct target *script_target(const char *script);
char *qemu_absent(const struct target *t);
FILE *new_output(const char *path);
char **disk_argv(const char *tmpl, const char *disk, int *n);
int frame_decode(const char *line, size_t len, const char *token,
                 unsigned char *buf, int *n);
int built_targets(const char *top, char ***out);

#endif
