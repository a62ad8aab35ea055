/* args_test: command line parsing, NAME=VALUE, module names, environment
 * clearing, usage text. */
#define _GNU_SOURCE
#include "mkroot.h"
#include "check.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int parse(struct args *a, char **why, ...)
{
  char *argv[32] = {"mkroot"};
  int argc = 1;
  va_list va;

  va_start(va, why);
  while ((argv[argc] = va_arg(va, char *))) argc++;
  va_end(va);
  return parse_args(argc, argv, a, why);
}

int main(void)
{
  struct args a;
  char *why;
  FILE *f;
  char buf[4096];
  size_t n;

  CHECK(!parse(&a, &why, (char *)0) && !a.n && !a.d && !a.l && !a.nmods);
  CHECK(!parse(&a, &why, "-n", "-l", "dropbear", "kernel", (char *)0));
  CHECK(a.n && a.l && !a.d && a.nmods == 2 && !strcmp(a.mods[1], "kernel"));
  CHECK(!parse(&a, &why, "-nd", (char *)0) && a.n && a.d);
  CHECK(!parse(&a, &why, "CROSS_COMPILE=x-", "KEXTRA=A,B=1", "kernel",
               (char *)0));
  CHECK(a.nvars == 2 && !strcmp(a.vars[1], "KEXTRA=A,B=1") && a.nmods == 1);
  CHECK(parse(&a, &why, "-x", (char *)0) && why && !*why);
  CHECK(parse(&a, &why, "--help", (char *)0) && why && !*why);
  CHECK(parse(&a, &why, "=value", (char *)0) && why && strstr(why, "=value"));
  CHECK(parse(&a, &why, "1X=2", (char *)0) && why && *why);
  CHECK(parse(&a, &why, "a/b", (char *)0) && why && strstr(why, "a/b"));
  CHECK(parse(&a, &why, ".hidden", (char *)0) && why && *why);
  CHECK(parse(&a, &why, "", (char *)0) && why && *why);
  CHECK(!parse(&a, &why, "--", "-n", (char *)0) && a.nmods == 1 && !a.n);

  CHECK(env_keep("HOME") && env_keep("PATH") && env_keep("CROSS_COMPILE"));
  CHECK(env_keep("http_proxy") && env_keep("HTTPS_PROXY") && env_keep("no_proxy"));
  CHECK(!env_keep("TERM") && !env_keep("LD_PRELOAD") && !env_keep("proxy"));

  setenv("TERM", "xterm", 1);
  setenv("https_proxy", "http://p:3128", 1);
  setenv("SECRET", "x", 1);
  CHECK(!parse(&a, &why, "FOO=bar baz", "kernel", (char *)0));
  clear_env(&a);
  CHECK(!getenv("TERM") && !getenv("SECRET"));
  CHECK(getenv("PATH") && getenv("https_proxy"));
  CHECK(getenv("FOO") && !strcmp(getenv("FOO"), "bar baz"));

  f = tmpfile();
  usage(f);
  rewind(f);
  n = fread(buf, 1, sizeof(buf) - 1, f);
  buf[n] = 0;
  CHECK(strstr(buf, "usage: mkroot [-n] [-d] [-l] [NAME=VALUE...] [MODULE...]"));
  return DONE();
}
