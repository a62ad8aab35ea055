/* args_test: command line parsing, NAME=VALUE, module names, environment
 * clearing, usage text. */
#define _GNU_SOURCE
#include "cmd.h"
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
  struct ctx c;
  long long epoch;
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
  CHECK(!parse(&a, &why, "--", "kernel", (char *)0) && a.nmods == 1 && !a.n);
  CHECK(parse(&a, &why, "--", "-n", (char *)0) && strstr(why, "bad module"));

  CHECK(env_keep("HOME") && env_keep("PATH") && env_keep("CROSS_COMPILE"));
  CHECK(env_keep("http_proxy") && env_keep("HTTPS_PROXY") && env_keep("no_proxy"));
  CHECK(!env_keep("TERM") && !env_keep("LD_PRELOAD") && !env_keep("proxy"));

  /* the build's environment: kept variables and NAME=VALUE, nothing else;
   * the process's own environment untouched */
  setenv("TERM", "xterm", 1);
  setenv("https_proxy", "http://p:3128", 1);
  setenv("SECRET", "x", 1);
  CHECK(!parse(&a, &why, "FOO=bar baz", "SOURCE_DATE_EPOCH=7", (char *)0));
  CHECK(!ctx_init(&c, &a));
  CHECK(!ctx_get(&c, "TERM") && !ctx_get(&c, "SECRET"));
  CHECK(ctx_get(&c, "PATH") && ctx_get(&c, "https_proxy"));
  CHECK(ctx_get(&c, "FOO") && !strcmp(ctx_get(&c, "FOO"), "bar baz"));
  CHECK(getenv("TERM") && getenv("SECRET"));
  CHECK(!strcmp(c.name, "host") && ctx_get(&c, "ROOT") && !c.cross);
  CHECK(!ctx_epoch(&c, &epoch) && epoch == 7);

  /* bad values are refused with a message */
  CHECK(!parse(&a, &why, "TARGET=../../x", (char *)0) && ctx_init(&c, &a));
  CHECK(!parse(&a, &why, "TARGET=a b", (char *)0) && ctx_init(&c, &a));
  CHECK(!parse(&a, &why, "SOURCE_DATE_EPOCH=-1", (char *)0) && ctx_init(&c, &a));
  CHECK(!parse(&a, &why, "SOURCE_DATE_EPOCH=abc", (char *)0) && ctx_init(&c, &a));
  CHECK(!parse(&a, &why, "SOURCE_DATE_EPOCH=4294967296", (char *)0)
        && ctx_init(&c, &a));
  CHECK(!parse(&a, &why, "DOWNLOAD_MAX=1k", (char *)0) && ctx_init(&c, &a));

  /* shell quoting, names, numbers */
  CHECK(!strcmp(shell_quote("it's $(x)"), "'it'\\''s $(x)'"));
  CHECK(valid_name("hello-1.0_x+y") && !valid_name("..") && !valid_name("a/b")
        && !valid_name(".x") && !valid_name("-x") && !valid_name(""));
  CHECK(!strcmp(package_name("hello-world-9.tar.gz"), "hello-world"));
  CHECK(!strcmp(package_name("hello-1.0.tar.gz"), "hello"));
  CHECK(!strcmp(package_name("zlib-1.2.13.dfsg.tar.gz"), "zlib"));
  CHECK(!strcmp(package_name("linux.tar.xz"), "linux"));
  CHECK(archive_suffix("a-1.tar.gz") && !archive_suffix("a-1.tar.gz.sig"));
  CHECK(!url_file("http://example.com") && !url_file("http://example.com/")
        && !url_file("http://h/x/?f=a.tar.gz"));
  CHECK(!strcmp(url_file("http://h/d/a-1.tar.gz?x=1#y"), "a-1.tar.gz"));

  f = tmpfile();
  mkroot_usage(f);
  rewind(f);
  n = fread(buf, 1, sizeof(buf) - 1, f);
  buf[n] = 0;
  CHECK(strstr(buf, "usage: mkroot [-n] [-d] [-l] [NAME=VALUE...] [MODULE...]"));
  return DONE();
}
