/* args.c: mkroot's command line: its options as a table, the usage made
 * of it and of the variables table. */
#define _GNU_SOURCE
#include "ctx.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The options, the description and the paragraph on variables: the usage
 * and the man page are made of these and the variables table */
const struct opt mkroot_opts[] = {
  {'n', offsetof(struct args, n), "build the listed modules over the "
   "existing root (default: rebuild it)"},
  {'d', offsetof(struct args, d), "only download and verify sources (every "
   "download line of the listed modules, with the assignments and tests "
   "that compute them); build or write nothing"},
  {'l', offsetof(struct args, l), "record each command the build runs in "
   "output/TARGET/cmdlog.txt"},
  {0, 0, 0}
};
const char mkroot_synopsis[] = "[-n] [-d] [-l] [NAME=VALUE...] [MODULE...]";
const char mkroot_about[] = "Build a toybox root filesystem in "
  "output/TARGET/root, then run each MODULE (module/NAME, a bash script) in "
  "the order given; the module \"kernel\" builds a kernel, initramfs and "
  "QEMU launch script.";
const char mkroot_varsabout[] = "NAME=VALUE sets a variable for the build. "
  "The build sees only HOME, PATH, CROSS_COMPILE, CROSS, LINUX, the *_proxy "
  "variables and these; a module may read a variable of its own.";

void mkroot_usage(FILE *f)
{
  const struct opt *o;

  fprintf(f, "usage: mkroot %s\n\n", mkroot_synopsis);
  fwrap(f, mkroot_about, 0, 76);
  fputc('\n', f);
  for (o = mkroot_opts; o->letter; o++) {
    fprintf(f, "-%c  ", o->letter);
    fwrap(f, o->text, 4, 79);
  }
  fputc('\n', f);
  fwrap(f, mkroot_varsabout, 0, 76);
  vars_usage(f);
}

/* A variable name: letters, digits and underscores, not starting with a digit */
static int var_name(const char *s, size_t len)
{
  size_t i;

  if (!len || (*s >= '0' && *s <= '9')) return 0;
  for (i = 0; i < len; i++)
    if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z')
          || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
      return 0;
  return 1;
}

/* Fill *a from argv. On error return -1 with *why set to a one-line reason;
 * *why "" means "print usage". */
int parse_args(int argc, char **argv, struct args *a, char **why)
{
  int i, opts = 1;

  memset(a, 0, sizeof(*a));
  a->vars = xmalloc(argc * sizeof(char *));
  a->mods = xmalloc(argc * sizeof(char *));
  *why = 0;
  for (i = 1; i < argc; i++) {
    char *s = argv[i], *eq = strchr(s, '=');

    if (opts && !strcmp(s, "--")) opts = 0;
    else if (opts && *s == '-' && s[1]) {
      for (s++; *s; s++) {
        const struct opt *o;

        for (o = mkroot_opts; o->letter && o->letter != *s; o++) {}
        if (!o->letter) {
          *why = "";
          return -1;
        }
        *(int *)((char *)a + o->off) = 1;
      }
    } else if (eq) {
      if (!var_name(s, eq - s)) {
        *why = xprintf("%s: bad variable name", s);
        return -1;
      }
      a->vars[a->nvars++] = s;
    } else if (!valid_name(s)) {
      *why = xprintf("'%s': bad module name", s);
      return -1;
    } else a->mods[a->nmods++] = s;
  }
  return 0;
}

/* What survives into the build's environment besides NAME=VALUE arguments */
int env_keep(const char *name)
{
  static const char *const keep[] = {"HOME", "PATH", "CROSS_COMPILE", "CROSS",
                                     "LINUX", 0};
  size_t len = strlen(name);
  int i;

  for (i = 0; keep[i]; i++) if (!strcmp(name, keep[i])) return 1;
  return len > 6 && !strcasecmp(name + len - 6, "_proxy");
}
