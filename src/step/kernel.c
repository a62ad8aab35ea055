/* kernel.c: the "kernel" module. Miniconfig -> allnoconfig -> symbol check
 * -> build (out of tree, in build/TARGET/linux, kept so a rebuild is
 * incremental; another LINUX= tree gets a directory of its own) -> image
 * and dtb into output/TARGET, then the initramfs (initramfs.c) and the QEMU
 * launch script (qemu.c).
 *
 * The image's key is the target, the miniconfig (KEXTRA and all), the
 * kernel tree's manifest (paths, sizes, times), the compiler and the build
 * stamps; while it and the outputs are unchanged, kbuild isn't run at all.
 * The build stamps (KBUILD_BUILD_TIMESTAMP, _USER, _HOST, _VERSION) come from
 * SOURCE_DATE_EPOCH, so the same inputs give the same bytes. */
#define _GNU_SOURCE
#include "step.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The kernel tree: $LINUX, else download/linux (the kernel step and the
 * kernel headers musl and the toolchain builder install both use it) */
char *kernel_tree(struct ctx *c)
{
  const char *linux = ctx_get(c, "LINUX");

  return linux && *linux ? xstrdup(linux) : xprintf("%s/linux", c->download);
}

static char *kernel_source(struct ctx *c, int quiet)
{
  char *dir = kernel_tree(c);
  char *mk = xprintf("%s/Makefile", dir), *kdir = xprintf("%s/kernel", dir);
  char real[PATH_MAX];
  int ok = exists(mk) && is_dir(kdir);

  free(mk);
  free(kdir);
  if (!ok && !quiet) {
    error_msg("%s: not a kernel source tree (set LINUX=DIR, or run 'make deps' "
          "for download/linux)", dir);
  }
  if (!ok) {
    free(dir);
    return 0;
  }
  if (realpath(dir, real)) {
    free(dir);
    dir = xstrdup(real);
  }
  return dir;
}

/* The build directory for source tree SRC (a real path): build/TARGET/linux
 * for download/linux, build/TARGET/linux-HASH for any other. One directory
 * shared by two trees would have the second's configure step clobber the
 * first's .config, and the first's next "incremental" build then gives
 * other bytes than a clean one (seen: tests/rebuild.sh after kernel_boot's
 * failing tree). */
static char *kernel_obj(struct ctx *c, const char *src)
{
  char *dflt = xprintf("%s/linux", c->download), real[PATH_MAX], key[65];
  int mine = realpath(dflt, real) && !strcmp(real, src);
  struct key k;

  free(dflt);
  if (mine) return xprintf("%s/linux", c->build);
  key_init(&k, "kernel tree");
  key_str(&k, "path", src);
  key_done(&k, key);
  return xprintf("%s/linux-%.12s", c->build, key);
}

/* The first line of the build's output that names an error */
static void first_error(long from)
{
  char *text = read_file(log_path(), 0), *s, *line = 0;

  if (!text) return;
  for (s = text + (from < (long)strlen(text) ? from : 0); *s; ) {
    size_t n = strcspn(s, "\n");
    char *l = xprintf("%.*s", (int)n, s);

    if (strstr(l, "error:") || strstr(l, "Error ") || strstr(l, "*** ")) {
      line = l;
      break;
    }
    free(l);
    s += n + !!s[n];
  }
  if (line) error_msg("%s", line);
  error_msg("kernel build failed, see %s", log_path());
  free(line);
  free(text);
}

static long log_size(void)
{
  struct stat st;

  return stat(log_path(), &st) ? 0 : (long)st.st_size;
}

static int kconfig(struct ctx *c, const char *src, const char *obj,
                   char *arch, char *cross)
{
  const struct target *t = c->t;
  char *mini = miniconfig_make(t, ctx_get(c, "KEXTRA"), ctx_get(c, "MODULES"));
  char *miniconf = xprintf("%s/%s.miniconf", c->output, t->name);
  char *fullconf = xprintf("%s/%s.config", c->output, t->name);
  char *dotconfig = xprintf("%s/.config", obj), *config, *missing;
  int bad;

  if (write_file_below(c->outtop, miniconf, mini, 0644)) return -1;
  stage("kernel config %s", t->name);
  if (ctx_run(c, 0, (char *const[]){"make", "-C", (char *)src, xprintf("O=%s", obj),
                          arch, cross,
                          xprintf("KCONFIG_ALLCONFIG=%s", miniconf),
                          "allnoconfig", 0})) {
    log_fail("kernel allnoconfig");
    return -1;
  }
  if (!(config = read_file(dotconfig, 0))
      || copy_file_below(dotconfig, c->outtop, fullconf, 0644))
    return -1;
  if ((bad = symbol_check(mini, config, &missing))) {
    char *s = missing;

    while (*s) {
      size_t n = strcspn(s, "\n");

      error_msg("%s: kernel symbol %.*s did not stick", t->name, (int)n, s);
      s += n + !!s[n];
    }
    if (ctx_is(c, "STRICT")) {
      error_msg("%s: %d kernel symbols missing (STRICT set)", t->name, bad);
      return -1;
    }
  }
  free(mini);
  free(config);
  return 0;
}

static char *outname(struct ctx *c, const char *rel)
{
  const char *s = strrchr(rel, '/');

  return xprintf("%s/%s", c->output, s ? s + 1 : rel);
}

/* make's variables for a reproducible build */
static char **kbuild_vars(long long epoch)
{
  char **v = xmalloc(5 * sizeof(char *)), when[64];
  time_t t = (time_t)epoch;

  strftime(when, sizeof(when), "%a %b %e %H:%M:%S UTC %Y", gmtime(&t));
  v[0] = xprintf("KBUILD_BUILD_TIMESTAMP=%s", when);
  v[1] = "KBUILD_BUILD_USER=mkroot";
  v[2] = "KBUILD_BUILD_HOST=mkroot";
  v[3] = "KBUILD_BUILD_VERSION=1";   /* else each build counts up: "#2" */
  return v;
}

/* On a terminal: how many files the build will compile, counted by a dry
 * run of the same make (make -n runs only kbuild's recursion, which needs
 * tools/ to exist; its output is counted, not logged), written to todo
 * too, for a parent showing the count of a build in the background. Some
 * seconds, against minutes of building. */
static long kernel_todo(struct ctx *c, const char *obj, char *const mk[],
                        const char *todo)
{
  char *argv[16], *tools = xprintf("%s/tools", obj), *n;
  long count;
  int i, j = 0;

  for (i = 0; mk[i] && j < 13; i++) {
    if (!strncmp(mk[i], "-j", 2)) continue;
    argv[j++] = mk[i];
    if (!i) argv[j++] = "-n", argv[j++] = "-k";
  }
  argv[j] = 0;
  count = mkdirp(tools, 0755) ? -1 : run_count(c->env, 0, argv, "  CC ");
  free(tools);
  if (count <= 0) return 0;
  n = xprintf("%ld\n", count);
  if (write_file(todo, n, 0644)) count = 0;
  free(n);
  return count;
}

static int image_key(struct ctx *c, const char *src, long long epoch,
                     char key[65])
{
  char *mini = miniconfig_make(c->t, ctx_get(c, "KEXTRA"),
                                ctx_get(c, "MODULES")), *e, *patch;
  struct key k;
  int rc;

  key_init(&k, "kernel");
  key_str(&k, "target", c->t->name);
  key_str(&k, "miniconfig", mini);
  e = xprintf("%lld", epoch);
  key_str(&k, "epoch", e);
  ctx_tool_key(c, &k, T_KERNEL);
  rc = key_tree(&k, "linux", src, 0) || ctx_cc_key(c, &k, 1);
  if ((patch = kpatch_path(c))) {
    rc = rc || key_file(&k, "patch", patch);
    free(patch);
  }
  key_done(&k, key);
  free(mini);
  free(e);
  return rc;
}

/* The image's key as the build stands now, for the speculative kernel
 * build (mkroot.c); 0 if it can't be known (the step will say why) */
char *kernel_key(struct ctx *c)
{
  char key[65], *src;
  long long epoch;

  if (!c->t || ctx_epoch(c, &epoch) || !(src = kernel_source(c, 1))
      || image_key(c, src, epoch, key)) return 0;
  free(src);
  return xstrdup(key);
}

/* The image (and dtb) in output/TARGET */
int kernel_image(struct ctx *c)
{
  const struct target *t = c->t;
  char *src, *obj, *arch, *cross, *jobs, *stamp, key[65], **kv, *dcc, *todo;
  char *outs[3] = {0, 0, 0}, *tree;
  long long epoch;
  long start;
  int rc;

  if (!t) return target_unknown(xprintf("TARGET=%s", c->target), 0);
  if (ctx_modules_ok(c) || ctx_epoch(c, &epoch) || !(src = kernel_source(c, 0)))
    return -1;
  /* src, or its view with the row's patch */
  if (!(tree = kpatch_tree(c, src))) return -1;
  obj = kernel_obj(c, tree);
  stamp = xprintf("%s/.mkroot-stamp", obj);
  if (image_key(c, src, epoch, key)) return -1;
  if (stamp_ok(stamp, key)) {
    stage("kernel %s (unchanged)", t->name);
    return 0;
  }
  unlink(stamp);
  if (kpatch_view(c, src, tree)) return -1;
  arch = xprintf("ARCH=%s", t->karch);
  cross = xprintf("CROSS_COMPILE=%s", c->kprefix);
  jobs = xprintf("-j%d", c->jobs > 0 ? c->jobs : ncpus());
  kv = kbuild_vars(epoch);
  if (mkdirp(obj, 0755) || kconfig(c, tree, obj, arch, cross)) return -1;
  stage("kernel build %s", t->name);
  start = log_size();
  /* distcc (distcc.c): the compiler by its path, which the servers'
   * whitelist takes as its bare name */
  dcc = c->distcc ? xprintf("CC=%s %sgcc", c->distcc, c->kprefix) : 0;
  if (dcc) say("kernel: compiling through distcc on %s, make %s",
               ctx_get(c, "DISTCC_HOSTS"), jobs);
  char *mk[] = {"make", "-C", obj, arch, cross, jobs, kv[0], kv[1], kv[2],
                kv[3], dcc, 0};
  todo = xprintf("%s/kernel.todo", c->build);
  unlink(todo);
  if (log_tty())
    meter_start("kernel", log_path(), 0, "  CC ", kernel_todo(c, obj, mk, todo), 0);
  rc = ctx_run(c, 0, mk);
  meter_stop();
  free(todo);
  if (rc) {
    first_error(start);
    return -1;
  }
  outs[0] = outname(c, t->image);
  rc = copy_file_below(xprintf("%s/%s", obj, t->image), c->outtop, outs[0], 0644);
  if (!rc && t->dtb) {
    outs[1] = outname(c, t->dtb);
    rc = copy_file_below(xprintf("%s/%s", obj, t->dtb), c->outtop, outs[1], 0644);
  }
  return rc || stamp_write(stamp, key, outs);
}

/* A directory of the root, not a symlink (a module's link must not send
 * our writes out of the tree) */
static int root_dir(struct ctx *c, const char *rel)
{
  char *p = xprintf("%s/%s", c->root, rel);
  struct stat st;
  int rc = lstat(p, &st) || !S_ISDIR(st.st_mode);

  if (rc) error_msg("%s: not a directory of the root", p);
  free(p);
  return rc ? -1 : 0;
}

/* Did modules_install run depmod (lib/modules/VERSION/modules.dep)? */
static int has_depmod(const char *dir)
{
  char **names = dir_names(dir);
  size_t i;
  int found = 0;

  for (i = 0; names && !found && names[i]; i++) {
    char *p = xprintf("%s/%s/modules.dep", dir, names[i]);

    found = *names[i] != '.' && exists(p);
    free(p);
  }
  free_names(names);
  return found;
}

/* MODULES (toybox's): the kernel's loadable modules, installed with their
 * modules.dep into the root's /lib/modules before the initramfs is
 * packed, so modprobe NAME works in the guest */
int kernel_modules(struct ctx *c)
{
  const char *m = ctx_get(c, "MODULES");
  char *src, *obj, *tmp, *from, *to, *depmod;
  int rc, dep;

  if (!m || !*m || !c->t) return 0;
  if (!(src = kernel_source(c, 0))) return -1;
  /* by its path: the airlock may predate the host's kmod, and a user's
   * PATH may lack sbin */
  if (!(depmod = which("/usr/sbin:/sbin:" HOST_PATH, "depmod"))) {
    error_msg("MODULES=%s: no depmod here to index the modules (install "
              "kmod: make deps)", m);
    free(src);
    return -1;
  }
  stage("kernel modules %s", m);
  /* the image's tree: its view, made again if it went since */
  if (!(obj = kpatch_tree(c, src))
      || (strcmp(obj, src) && !is_dir(obj) && kpatch_view(c, src, obj))) {
    free(src);
    free(obj);
    free(depmod);
    return -1;
  }
  free(src);
  src = obj;
  obj = kernel_obj(c, src);
  free(src);
  tmp = xprintf("%s/modules", c->build);
  from = xprintf("%s/lib/modules", tmp);
  to = xprintf("%s/usr/lib/modules", c->root);
  dep = 0;
  rc = rmrf(tmp) || ctx_run(c, 0, (char *const[]){"make", "-C", obj,
         xprintf("ARCH=%s", c->t->karch),
         xprintf("CROSS_COMPILE=%s", c->kprefix),
         xprintf("INSTALL_MOD_PATH=%s", tmp), xprintf("DEPMOD=%s", depmod),
         "modules_install", 0});
  if (rc) error_msg("MODULES=%s: make modules_install failed, see %s", m,
                    log_path());
  if (!rc) {
    dep = has_depmod(from);
    if (!dep) error_msg("MODULES=%s: depmod wrote no modules.dep", m);
    rc = !dep || root_dir(c, "usr") || root_dir(c, "usr/lib") || rmrf(to)
         || copy_tree(from, to);
  }
  rmrf(tmp);
  free(depmod);
  free(obj);
  free(tmp);
  free(from);
  free(to);
  return rc ? -1 : 0;
}
