/* kernel.c: the "kernel" module. Miniconfig -> allnoconfig -> symbol check
 * -> build (out of tree, in build/TARGET/linux, kept so a rebuild is
 * incremental) -> image and dtb into output/TARGET, then the initramfs and
 * the QEMU launch script. */
#define _GNU_SOURCE
#include "mkroot.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char *kernel_source(struct ctx *c)
{
  const char *linux = ctx_get(c, "LINUX");
  char *dir = linux && *linux ? xstrdup(linux)
                              : xprintf("%s/linux", c->download);
  char *mk = xprintf("%s/Makefile", dir), *kdir = xprintf("%s/kernel", dir);
  char real[PATH_MAX];
  int ok = exists(mk) && is_dir(kdir);

  free(mk);
  free(kdir);
  if (!ok) {
    error_msg("%s: not a kernel source tree (set LINUX=DIR, or run 'make deps' "
          "for download/linux)", dir);
    return 0;
  }
  if (realpath(dir, real)) {
    free(dir);
    dir = xstrdup(real);
  }
  return dir;
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
  if (line) fprintf(stderr, "%s\n", line);
  fprintf(stderr, "%s: kernel build failed, see %s\n", progname, log_path());
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
  char *mini = miniconfig_make(t, ctx_get(c, "KEXTRA"));
  char *miniconf = xprintf("%s/%s.miniconf", c->output, t->name);
  char *fullconf = xprintf("%s/%s.config", c->output, t->name);
  char *dotconfig = xprintf("%s/.config", obj), *config, *missing;
  int bad;

  if (write_file(miniconf, mini, 0644)) return -1;
  stage("kernel config %s", t->name);
  if (ctx_run(c, 0, (char *const[]){"make", "-C", (char *)src, xprintf("O=%s", obj),
                          arch, cross,
                          xprintf("KCONFIG_ALLCONFIG=%s", miniconf),
                          "allnoconfig", 0})) {
    log_fail("kernel allnoconfig");
    return -1;
  }
  if (!(config = read_file(dotconfig, 0)) || copy_file(dotconfig, fullconf, 0644))
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

int kernel_build(struct ctx *c)
{
  const struct target *t = c->t;
  char *src, *obj, *arch, *cross, *jobs, *img, *out, *cpio;
  long long epoch;
  long start;

  if (!t) {
    error_msg("TARGET=%s: unknown target; known:", c->target);
    target_list(stderr);
    return -1;
  }
  if (ctx_epoch(c, &epoch) || !(src = kernel_source(c))) return -1;
  obj = xprintf("%s/linux", c->build);
  arch = xprintf("ARCH=%s", t->karch);
  cross = xprintf("CROSS_COMPILE=%s", c->prefix);
  jobs = xprintf("-j%d", ncpus());
  if (mkdirp(obj, 0755) || kconfig(c, src, obj, arch, cross)) return -1;
  stage("kernel build %s", t->name);
  start = log_size();
  if (ctx_run(c, 0, (char *const[]){"make", "-C", obj, arch, cross, jobs, 0})) {
    first_error(start);
    return -1;
  }
  img = xprintf("%s/%s", obj, t->image);
  out = xprintf("%s/%s", c->output, strrchr(t->image, '/')
                ? strrchr(t->image, '/') + 1 : t->image);
  if (copy_file(img, out, 0644)) return -1;
  if (t->dtb) {
    char *dtb = xprintf("%s/%s", obj, t->dtb);
    char *dout = xprintf("%s/%s", c->output, strrchr(t->dtb, '/') + 1);

    if (copy_file(dtb, dout, 0644)) return -1;
  }
  stage("initramfs");
  cpio = xprintf("%s/root.cpio.gz", c->output);
  if (cpio_write(c->root, cpio, epoch)) return -1;
  return qemu_script(c);
}
