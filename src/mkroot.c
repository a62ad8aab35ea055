/* mkroot.c: the build. Parse the command line, clear the environment, find
 * the compiler, then: root skeleton, toybox, /init, and each module in turn
 * ("kernel" is built in). */
#define _GNU_SOURCE
#include "mkroot.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

struct build B;

/* Directories and variables every step and module sees */
static void setup_paths(void)
{
  B.src = self_dir();
  B.download = getenv("DOWNLOAD") && *getenv("DOWNLOAD")
    ? xstrdup(getenv("DOWNLOAD")) : xprintf("%s/download", B.top);
  B.output = xprintf("%s/output/%s", B.top, B.cross);
  B.root = xprintf("%s/root", B.output);
  B.build = xprintf("%s/build/%s", B.top, B.cross);
  setenv("TOP", B.top, 1);
  setenv("OUTPUT", B.output, 1);
  setenv("ROOT", B.root, 1);
  setenv("BUILD", B.build, 1);
  setenv("DOWNLOAD", B.download, 1);
  setenv("TARGET", B.target, 1);
  setenv("CROSS_BASE", B.cross, 1);
  setenv("MKROOT_SELF", xprintf("%s/mkroot", B.src), 1);
}

/* Which compiler, and so which target and output directory */
static void setup_toolchain(void)
{
  const char *cross = getenv("CROSS_COMPILE"), *target = getenv("TARGET");
  char *why;
  struct utsname u;

  if (!cross) cross = "";
  if (toolchain_resolve(cross, &B.prefix, &B.cc, &why)) die("%s", why);
  if (*B.prefix) setenv("CROSS_COMPILE", B.prefix, 1);
  B.cross_build = !!*cross;
  uname(&u);
  /* output/TARGET: an explicit TARGET= names it, else the compiler does */
  B.cross = xstrdup(target && *target ? target
                    : B.cross_build ? triplet_target(cross) : "host");
  B.target = xstrdup(target && *target ? target
                     : B.cross_build ? B.cross : u.machine);
}

static int step(const char *name, int (*fn)(void))
{
  stage("%s", name);
  if (fn()) {
    log_fail(name);
    return -1;
  }
  return 0;
}

static int do_skeleton(void)
{
  return rmrf(B.root) || mkdirp(B.root, 0755) || rootfs_skeleton(B.root);
}

static int do_init(void) { return init_build(B.root); }

/* -d: fetch and verify what the build and the modules would use */
static int download_only(struct args *a)
{
  int i;

  stage("download");
  setenv("MKROOT_DOWNLOAD_ONLY", "1", 1);
  if (!is_dir(xprintf("%s/toybox", B.download)) && getenv("TOYBOX_URL")
      && download(B.download, getenv("TOYBOX_HASH") ? getenv("TOYBOX_HASH") : "",
                  getenv("TOYBOX_URL"))) return 1;
  for (i = 0; i < a->nmods; i++)
    if (strcmp(a->mods[i], "kernel") && module_run(a->mods[i])) {
      log_fail(a->mods[i]);
      return 1;
    }
  return 0;
}

int mkroot_main(int argc, char **argv)
{
  struct args a;
  char *why, *log, cwd[PATH_MAX];
  int i;

  if (parse_args(argc, argv, &a, &why)) {
    if (!*why) usage(stderr);
    else warnm("%s", why);
    return 1;
  }
  clear_env(&a);
  /* TOP first: the toolchain's static-link probe works under TOP/build */
  if (!getcwd(cwd, sizeof(cwd))) die("getcwd: %s", strerror(errno));
  B.top = xstrdup(cwd);
  setup_toolchain();
  setup_paths();
  for (i = 0; i < a.nmods; i++)
    if (strcmp(a.mods[i], "kernel") && !module_find(a.mods[i])) {
      warnm("%s: no such module; available:", a.mods[i]);
      module_list(stderr);
      return 1;
    }
  for (i = 0; i < a.nmods; i++)
    if (!strcmp(a.mods[i], "kernel") && !target_find(B.target)) {
      warnm("TARGET=%s: unknown target; known:", B.target);
      target_list(stderr);
      return 1;
    }
  if (a.n && !a.nmods) die("-n: no module to build");
  if (a.n && !is_dir(B.root)) die("-n: %s: no root to build over", B.root);
  if (!a.n && !a.d && toybox_source()) return 1;
  if (mkdirp(B.output, 0755) || mkdirp(B.build, 0755)) return 1;
  log = xprintf("%s/log.txt", B.output);
  unlink(log);
  if (log_open(log, a.l ? xprintf("%s/cmdlog.txt", B.output) : 0)) return 1;
  say("Building %s (target %s) with %s%s", B.cross, B.target, B.prefix, B.cc);
  if (a.d) return download_only(&a);
  if (airlock_setup()) return 1;
  if (!a.n && (step("root", do_skeleton) || step("toybox", toybox_build)
               || step("init", do_init))) return 1;
  for (i = 0; i < a.nmods; i++) {
    stage("%s", a.mods[i]);
    if (!strcmp(a.mods[i], "kernel") && !module_find("kernel")) {
      if (kernel_build(target_find(B.target))) return 1;
    } else if (module_run(a.mods[i])) {
      log_fail(a.mods[i]);
      return 1;
    }
  }
  stage("done: %s", B.output);
  return 0;
}
