/* helper.c: "mkroot --helper VERB ...": the module API's callbacks (a
 * module's shell functions run them with the build's variables in the
 * environment), and single steps for the tests and benchmarks. One table;
 * its usage lists every verb. */
#define _GNU_SOURCE
#include "cmd.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int need(struct ctx *c, const char *var, const char **out)
{
  const char *v = ctx_get(c, var);

  if (!v || !*v) {
    error_msg("$%s not set (run from a module)", var);
    return -1;
  }
  *out = v;
  return 0;
}

static int h_download(struct ctx *c, char **argv)
{
  struct fetchopts o;
  const char *dl;

  if (need(c, "DOWNLOAD", &dl) || ctx_fetchopts(c, &o)) return 1;
  return !!download(dl, argv[0], argv[1], &o);
}

/* Also notes the source it used in $MKROOT_DEPS, for the step cache.
 * $BUILD/stage holds what modules stage for later ones (zlib's library):
 * not a name setupfor may delete. */
static int h_setupfor(struct ctx *c, char **argv)
{
  const char *dl, *build, *deps = ctx_get(c, "MKROOT_DEPS");
  char *dir, *from;
  struct caps caps;

  if (!strcmp(argv[0], "stage")) {
    error_msg("setupfor stage: refused: $BUILD/stage holds what modules "
              "staged for later ones");
    return 1;
  }
  if (need(c, "DOWNLOAD", &dl) || need(c, "BUILD", &build) || ctx_caps(c, &caps)
      || setupfor(dl, build, argv[0], &caps, &dir, &from)) return 1;
  if (deps) {
    FILE *f = fopen(deps, "ae");

    if (!f || fprintf(f, "%s\n", from) < 0 || fclose(f)) {
      perror_msg("%s", deps);
      return 1;
    }
  }
  printf("%s\n", dir);
  return 0;
}

static int h_cleanup(struct ctx *c, char **argv)
{
  const char *build;

  if (need(c, "BUILD", &build)) return 1;
  if (ctx_is(c, "NO_CLEANUP")) return 0;
  return !!cleanup(build, argv[0]);
}

static int h_cpio(struct ctx *c, char **argv)
{
  long long epoch;

  return ctx_epoch(c, &epoch) || cpio_write(argv[0], argv[1], epoch);
}

/* the build's check after writing the initramfs */
static int h_fits(struct ctx *c, char **argv)
{
  return !!initramfs_fits(c, argv[0]);
}

/* a failed extraction leaves nothing behind */
static int h_extract(struct ctx *c, char **argv)
{
  int exists_before = exists(argv[1]);
  struct caps caps;

  if (ctx_caps(c, &caps)) return 1;
  if (!extract_archive(argv[0], argv[1], 0, &caps) && !links_inside(argv[1]))
    return 0;
  if (!exists_before) rmrf(argv[1]);
  return 1;
}

static int h_rmrf(struct ctx *c, char **argv)
{
  (void)c;
  return !!rmrf(argv[0]);
}

static int h_miniconfig(struct ctx *c, char **argv)
{
  const struct target *t = target_find(argv[0]);

  if (!t) return !!target_unknown(argv[0], 0);
  fputs(miniconfig_make(t, ctx_get(c, "KEXTRA"), ctx_get(c, "MODULES")), stdout);
  return 0;
}

static int h_symcheck(struct ctx *c, char **argv)
{
  char *mini = read_file(argv[0], 0), *conf = read_file(argv[1], 0), *miss;

  (void)c;
  if (!mini || !conf) {
    perror_msg("%s", mini ? argv[1] : argv[0]);
    return 1;
  }
  symbol_check(mini, conf, &miss);
  fputs(miss, stdout);
  return !!*miss;
}

/* the native module's: the target's native image, built first when
 * missing (its progress on stderr: stdout is the path), on a row that can
 * attach it */
static int h_native(struct ctx *c, char **argv)
{
  const struct target *t = target_find(argv[0]);
  struct ctx h;
  char *img = 0;
  int out;

  (void)c;
  if (!t) return !!target_unknown(argv[0], 0);
  if (!t->xdrive) {
    error_msg("native: %s's board has no drive for the image (no xdrive in "
              "its row)", t->name);
    return 1;
  }
  if (!t->gcc) {
    error_msg("native: %s: no native toolchain (no triple in its row)", t->name);
    return 1;
  }
  fflush(stdout);
  out = dup(1);
  if (out < 0 || dup2(2, 1) < 0) return 1;
  if (!ctx_host(&h, t)) img = native_build(&h);
  fflush(stdout);
  dup2(out, 1);
  close(out);
  if (!img) return 1;
  printf("%s %s\n", t->gcc, img);
  free(img);
  return 0;
}

/* A target's kernel patch applied to a view of TREE in DIR (new), as the
 * kernel step makes it: to read what its kernel is built from */
static int h_kpatch(struct ctx *c, char **argv)
{
  char real[PATH_MAX], cwd[PATH_MAX];
  struct stat st;

  if (!(c->t = target_find(argv[0]))) return !!target_unknown(argv[0], 0);
  if (!c->t->kpatch) {
    error_msg("kpatch: %s's kernel has no patch", c->t->name);
    return 1;
  }
  if (!realpath(argv[1], real) || !is_dir(real)) {
    error_msg("kpatch: %s: not a directory", argv[1]);
    return 1;
  }
  if (!lstat(argv[2], &st)) {
    error_msg("kpatch: %s: exists (the view is made new)", argv[2]);
    return 1;
  }
  c->top = self_dir();
  /* absolute: GNU patch runs in the view, reading the part beside it */
  if (*argv[2] != '/' && getcwd(cwd, sizeof(cwd)))
    argv[2] = xprintf("%s/%s", cwd, argv[2]);
  return !!kpatch_view(c, real, argv[2]);
}

static int h_targets(struct ctx *c, char **argv)
{
  (void)c; (void)argv;
  target_list(stdout);
  return 0;
}

static int h_note(struct ctx *c, char **argv)
{
  const struct target *t = target_find(argv[0]);

  const char *libc = ctx_get(c, "LIBC");
  int glibc = (libc && !strcmp(libc, "glibc")) || (t && t->nomusl);

  /* "skip": it can't be built; "known CHECKS": it builds and boots, and
   * can't pass those checks (comma-separated) */
  if (t && glibc && t->glibcnote) printf("skip %s\n", t->glibcnote);
  else if (t && t->cantpass) printf("known %s %s\n", t->cantpass, t->note);
  return !t;
}

static int h_vars(struct ctx *c, char **argv)
{
  (void)c; (void)argv;
  vars_markdown(stdout);
  return 0;
}

static int h_varnames(struct ctx *c, char **argv)
{
  (void)c; (void)argv;
  vars_names(stdout);
  return 0;
}

static int h_files(struct ctx *c, char **argv)
{
  (void)c; (void)argv;
  files_list(stdout);
  return 0;
}

static int h_table(struct ctx *c, char **argv)
{
  (void)c; (void)argv;
  targets_markdown(stdout);
  return 0;
}

static const struct verb {
  const char *name, *args, *what;
  int nargs;
  int (*fn)(struct ctx *, char **);
} verbs[] = {
  {"download", "HASH URL", "fetch into $DOWNLOAD, verify", 2, h_download},
  {"setupfor", "NAME", "fresh $BUILD/NAME from the source; print it", 1,
   h_setupfor},
  {"cleanup", "DIR", "delete a directory setupfor made", 1, h_cleanup},
  {"cpio", "DIR OUT", "write DIR as a gzipped newc initramfs", 2, h_cpio},
  {"fits", "CPIO", "does it fit the guest's QEMU_MEMORY (as the build "
   "checks)?", 1, h_fits},
  {"extract", "TARBALL DIR", "unpack safely (as setupfor does)", 2, h_extract},
  {"rmrf", "DIR", "delete a tree (as the build does)", 1, h_rmrf},
  {"miniconfig", "TARGET", "print the target's miniconfig", 1, h_miniconfig},
  {"symcheck", "MINICONF CONFIG", "symbols that did not stick", 2, h_symcheck},
  {"targets", "", "the target table's names", 0, h_targets},
  {"native", "TARGET", "its native image, built when missing: print "
   "\"TRIPLE PATH\"", 1, h_native},
  {"vars", "", "the variables table, as doc/variables.md's markdown", 0,
   h_vars},
  {"varnames", "", "the build's variables by name, for the README", 0,
   h_varnames},
  {"files", "", "what the build writes where, as the README shows it", 0,
   h_files},
  {"table", "", "the target table, as doc/targets.md's markdown", 0,
   h_table},
  {"note", "TARGET", "with $LIBC: skip WHY | known CHECKS WHY", 1, h_note},
  {"kpatch", "TARGET TREE DIR", "TREE with TARGET's kernel patch, a view "
   "in DIR (new)", 3, h_kpatch},
  {0, 0, 0, 0, 0}
};

int helper_main(int argc, char **argv)
{
  const struct verb *v;
  struct ctx c;

  ctx_from_env(&c);
  for (v = verbs; argc > 1 && v->name; v++)
    if (!strcmp(argv[1], v->name) && argc - 2 == v->nargs)
      return v->fn(&c, argv + 2);
  fprintf(stderr, "usage: mkroot --helper VERB ...\n\n");
  for (v = verbs; v->name; v++)
    fprintf(stderr, "  %-10s %-16s %s\n", v->name, v->args, v->what);
  return 1;
}
