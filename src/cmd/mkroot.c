/* mkroot.c: the build. Parse the command line, fill the build context,
 * then: root skeleton, toybox, /init, and each module in turn ("kernel" is
 * built in). */
#define _GNU_SOURCE
#include "mkroot.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int step(struct ctx *c, const char *name, int (*fn)(struct ctx *))
{
  stage("%s", name);
  if (fn(c)) {
    log_fail(name);
    return -1;
  }
  return 0;
}

static int is_kernel(struct ctx *c, const char *mod)
{
  return !strcmp(mod, "kernel") && !module_find(c, "kernel");
}

/* Refuse what can't work before anything is deleted */
static int preflight(struct ctx *c)
{
  int i;

  for (i = 0; i < c->a.nmods; i++) {
    if (!is_kernel(c, c->a.mods[i]) && !module_find(c, c->a.mods[i])) {
      error_msg("%s: no such module; available:", c->a.mods[i]);
      module_list(c, stderr);
      return -1;
    }
    if (is_kernel(c, c->a.mods[i]) && !c->t) {
      error_msg("TARGET=%s: unknown target; known:", c->target);
      target_list(stderr);
      return -1;
    }
  }
  if (c->a.n && !c->a.nmods) {
    error_msg("-n: no module to build");
    return -1;
  }
  if (c->a.n && !is_dir(c->root)) {
    error_msg("-n: %s: no root to build over", c->root);
    return -1;
  }
  if (!c->a.n && !c->a.d && toybox_source(c)) return -1;
  return 0;
}

/* -d: fetch and verify what the build and the modules would use */
static int download_only(struct ctx *c)
{
  const char *url = ctx_get(c, "TOYBOX_URL"), *hash = ctx_get(c, "TOYBOX_HASH");
  struct fetchopts o;
  char *tb = xprintf("%s/toybox", c->download);
  int i;

  stage("download");
  if (ctx_fetchopts(c, &o)) return 1;
  if (!is_dir(tb) && url && download(c->download, hash ? hash : "", url, &o))
    return 1;
  for (i = 0; i < c->a.nmods; i++)
    if (!is_kernel(c, c->a.mods[i]) && module_run(c, c->a.mods[i])) {
      log_fail(c->a.mods[i]);
      return 1;
    }
  return 0;
}

int mkroot_main(int argc, char **argv)
{
  struct args a;
  struct ctx c;
  char *why;
  int i;

  if (parse_args(argc, argv, &a, &why)) {
    if (!*why) mkroot_usage(stderr);
    else error_msg("%s", why);
    return 1;
  }
  if (ctx_init(&c, &a) || preflight(&c)) return 1;
  if (mkdirp(c.output, 0755) || mkdirp(c.build, 0755)) return 1;
  if (log_open(xprintf("%s/log.txt", c.output),
               a.l ? xprintf("%s/cmdlog.txt", c.output) : 0, c.target))
    return 1;
  say("Building %s (target %s) with %s%s", c.name, c.target, c.prefix, c.cc);
  if (a.d) return download_only(&c);
  if (airlock_setup(&c)) return 1;
  if (!a.n && (step(&c, "root", rootfs_skeleton) || step(&c, "toybox", toybox_build)
               || step(&c, "init", init_build))) return 1;
  for (i = 0; i < a.nmods; i++) {
    stage("%s", a.mods[i]);
    if (is_kernel(&c, a.mods[i])) {
      if (kernel_build(&c)) return 1;
    } else if (module_run(&c, a.mods[i])) {
      log_fail(a.mods[i]);
      return 1;
    }
  }
  stage("done: %s", c.output);
  return 0;
}
