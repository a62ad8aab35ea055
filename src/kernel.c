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

static char *kernel_source(void)
{
  const char *linux = getenv("LINUX");
  char *dir = linux && *linux ? xstrdup(linux)
                              : xprintf("%s/linux", B.download);
  char *mk = xprintf("%s/Makefile", dir), *kdir = xprintf("%s/kernel", dir);
  char real[PATH_MAX];
  int ok = exists(mk) && is_dir(kdir);

  free(mk);
  free(kdir);
  if (!ok) {
    warnm("%s: not a kernel source tree (set LINUX=DIR, or run 'make deps' "
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
  fprintf(stderr, "mkroot: kernel build failed, see %s\n", log_path());
  free(line);
  free(text);
}

static long log_size(void)
{
  struct stat st;

  return stat(log_path(), &st) ? 0 : (long)st.st_size;
}

static int kconfig(const struct target *t, const char *src, const char *obj,
                   char *arch, char *cross)
{
  char *mini = miniconfig_make(t, getenv("KEXTRA"));
  char *miniconf = xprintf("%s/%s.miniconf", B.output, t->name);
  char *fullconf = xprintf("%s/%s.config", B.output, t->name);
  char *dotconfig = xprintf("%s/.config", obj), *config, *missing;
  const char *strict = getenv("STRICT");
  int bad;

  if (write_file(miniconf, mini, 0644)) return -1;
  stage("kernel config %s", t->name);
  if (run((char *const[]){"make", "-C", (char *)src, xprintf("O=%s", obj),
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

      warnm("%s: kernel symbol %.*s did not stick", t->name, (int)n, s);
      s += n + !!s[n];
    }
    if (strict && *strict && strcmp(strict, "0")) {
      warnm("%s: %d kernel symbols missing (STRICT set)", t->name, bad);
      return -1;
    }
  }
  free(mini);
  free(config);
  return 0;
}

int kernel_build(const struct target *t)
{
  char *src, *obj, *arch, *cross, *jobs, *img, *out;
  long start;

  if (!t) {
    warnm("TARGET=%s: unknown target; known:", B.target);
    target_list(stderr);
    return -1;
  }
  if (!(src = kernel_source())) return -1;
  obj = xprintf("%s/linux", B.build);
  arch = xprintf("ARCH=%s", t->karch);
  cross = xprintf("CROSS_COMPILE=%s", B.prefix);
  jobs = xprintf("-j%d", ncpus());
  if (mkdirp(obj, 0755) || kconfig(t, src, obj, arch, cross)) return -1;
  stage("kernel build %s", t->name);
  start = log_size();
  if (run((char *const[]){"make", "-C", obj, arch, cross, jobs, 0})) {
    first_error(start);
    return -1;
  }
  img = xprintf("%s/%s", obj, t->image);
  out = xprintf("%s/%s", B.output, strrchr(t->image, '/')
                ? strrchr(t->image, '/') + 1 : t->image);
  if (copy_file(img, out, 0644)) return -1;
  if (t->dtb) {
    char *dtb = xprintf("%s/%s", obj, t->dtb);
    char *dout = xprintf("%s/%s", B.output, strrchr(t->dtb, '/') + 1);

    if (copy_file(dtb, dout, 0644)) return -1;
  }
  stage("initramfs");
  {
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    char *cpio = xprintf("%s/root.cpio.gz", B.output);

    if (cpio_write(B.root, cpio, sde ? atoll(sde) : 0)) return -1;
  }
  return qemu_script(t, B.output);
}
