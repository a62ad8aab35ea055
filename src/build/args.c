/* args.c: mkroot's command line. The usage text is the spec. */
#define _GNU_SOURCE
#include "mkroot.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void mkroot_usage(FILE *f)
{
  fputs(
"usage: mkroot [-n] [-d] [-l] [NAME=VALUE...] [MODULE...]\n"
"\n"
"Build a toybox root filesystem in output/TARGET/root, then run each MODULE\n"
"(module/NAME, a bash script) in the order given; the module \"kernel\"\n"
"builds a kernel, initramfs and QEMU launch script.\n"
"\n"
"-n  build the listed modules over the existing root (default: rebuild it)\n"
"-d  only download and verify sources, build nothing\n"
"-l  record each command the build runs in output/TARGET/cmdlog.txt\n"
"\n"
"NAME=VALUE sets a variable for the build. The build sees only HOME, PATH,\n"
"CROSS_COMPILE, the *_proxy variables and these; a module may read a\n"
"variable of its own.\n", f);
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
        if (*s == 'n') a->n = 1;
        else if (*s == 'd') a->d = 1;
        else if (*s == 'l') a->l = 1;
        else {
          *why = "";
          return -1;
        }
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
  static const char *const keep[] = {"HOME", "PATH", "CROSS_COMPILE", 0};
  size_t len = strlen(name);
  int i;

  for (i = 0; keep[i]; i++) if (!strcmp(name, keep[i])) return 1;
  return len > 6 && !strcasecmp(name + len - 6, "_proxy");
}
