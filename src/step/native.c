/* native.c: a native toolchain for a target, as the seed's mcm-buildall
 * makes them: binutils, gcc (C and C++) and musl that run *on* the target,
 * static, plus GNU make and bash, and busybox's awk, tr, expr and diff
 * (what ./configure and make check use that toybox 0.8.9 lacks), in a
 * squashfs image to mount in its guest. A canadian cross: built on the host by the target's cross
 * compiler from source (compiler.c, built first if missing), from the same
 * sources and configuration; gcc's target libraries (libgcc, libstdc++)
 * and musl's sysroot are the cross compiler's own, copied.
 *
 *   toolchain/TRIPLE-native-KEY.sqf   the image (everything owned by root)
 *   toolchain/TRIPLE-native-KEY.log   the log of its build
 *
 * The image's layout is the cross toolchain's: bin/ (gcc, g++, cc, c++,
 * as, ld ..., make, bash, busybox and its awk, tr, expr, diff), libexec/, lib/gcc/, and the sysroot TRIPLE/
 * (include/, lib/). gcc and ld find all of it relative to where bin/ is,
 * so the image works wherever it is mounted (no "usr -> ." link: gcc's
 * sysroot is TRIPLE/ beside bin/, not "/").
 *
 * KEY is the cross toolchain's (sources, configuration, host compilers)
 * and the sources and recipe below; the image is made as NAME.partPID and
 * renamed only when complete. */
#define _GNU_SOURCE
#include "step.h"

#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Debian's source packages, put in download/ by make deps-all. GCC builds
 * GMP, MPFR and MPC for the target in its tree; make is a source
 * directory (Debian's patches applied, configure generated) */
static const struct srcfile natsrc[] = {
  {"binutils", "binutils-2.40.tar.xz",
   "d78c2d2eb24a9be1e02f8854cb1bd435556d7f584fb6bfb6b07e6527d43fc41d"},
  {"gcc", "gcc-11.3.0-dfsg.tar.xz",
   "1bd80692bef90e95a0f18fa50d2fb810481093470b2eb31b99883943a3ac7de7"},
  {"gcc/gmp", "gmp_6.2.1+dfsg1.orig.tar.xz",
   "471b9e463e04362a0124f215afc5f0a4b99caedeeb62634c61bbc12988efa64c"},
  {"gcc/mpfr", "mpfr4_4.2.0.orig.tar.xz",
   "06a378df13501248c1b2db5aa977a2c8126ae849a9d9b7be2546fb4a9c26d993"},
  {"gcc/mpc", "mpclib3_1.3.1.orig.tar.gz",
   "ab642492f5cf882b74aa0cb730cd410a81edcdbec895183ce930e706c1c759b8"},
  {"bash", "bash_5.2.15.orig.tar.gz",
   "7a315bc0e9d90713159e4390ec1096a41e4f33cd8cc3d1a749a8e5ad56600f51"},
  {"busybox", "busybox_1.35.0.orig.tar.bz2",
   "faeeb244c35a348a334f4a59e44626ee870fb07b6884d68c10ae8bc19f83a694"},
  {"make", "make", 0},
  {0, 0, 0}
};

/* The order of build(), below: a change to it is a new image */
#define RECIPE "sysroot and target libraries copied; binutils; gcc (no lto); " \
               "make; bash; busybox; strip; static check; squashfs " \
               "(5: gmp doc stub)"

/* Measured here: aarch64's build used about 2,400 MiB besides the image */
#define BUILD_MIB 3500

/* bash_cv_func_strtoimax=no: cross, configure can't run its test and
 * bash 5.2 then links its own strtoimax, which collides with musl's in a
 * static link (module/bash says the same) */
static const char *const bash_conf[] = {"--prefix=", "--without-bash-malloc",
  "--enable-static-link", "--disable-nls", "CFLAGS=-Os",
  "bash_cv_func_strtoimax=no", 0};
static const char *const make_conf[] = {"--prefix=", "--disable-nls",
  "CFLAGS=-Os", 0};
/* busybox: only what a package's ./configure, make and make check need
 * that toybox 0.8.9 doesn't have (autoconf's config.status is awk; tr,
 * expr; diff for tests), static. Set in allnoconfig's .config, then
 * settled by oldconfig: busybox's allnoconfig ignores KCONFIG_ALLCONFIG */
static const char *const busybox_conf[] = {"STATIC", "LONG_OPTS", "AWK",
  "FEATURE_AWK_LIBM", "FEATURE_AWK_GNU_EXTENSIONS", "TR", "FEATURE_TR_CLASSES",
  "FEATURE_TR_EQUIV", "EXPR", "EXPR_MATH_SUPPORT_64", "DIFF",
  "FEATURE_DIFF_LONG_OPTIONS", "FEATURE_DIFF_DIR", 0};
static const char *const busybox_links[] = {"awk", "tr", "expr", "diff", 0};

/* The image's path for c's target (without loud, 0 quietly when a host
 * tool or the cross toolchain's key can't be had) */
char *native_image(struct ctx *c, int loud)
{
  char *cross = toolchain_dir(c, loud), *mk, key[65], *p;
  struct key k;
  int i, rc = 0;

  if (!cross) return 0;
  key_init(&k, "native");
  key_str(&k, "cross", strrchr(cross, '/') + 1);
  key_str(&k, "recipe", RECIPE);
  for (i = 0; natsrc[i].name; i++)
    key_str(&k, natsrc[i].file, natsrc[i].sha256 ? natsrc[i].sha256 : "dir");
  for (i = 0; bash_conf[i]; i++) key_str(&k, "bash", bash_conf[i]);
  for (i = 0; make_conf[i]; i++) key_str(&k, "make", make_conf[i]);
  for (i = 0; busybox_conf[i]; i++) key_str(&k, "busybox", busybox_conf[i]);
  for (i = 0; busybox_links[i]; i++) key_str(&k, "busybox link", busybox_links[i]);
  mk = xprintf("%s/make", c->download);
  if (is_dir(mk)) rc = key_tree(&k, "make", mk, 1);
  key_done(&k, key);
  free(mk);
  p = rc ? 0 : xprintf("%s/toolchain/%s-native-%.16s.sqf", c->top, c->t->gcc,
                       key);
  free(cross);
  return p;
}

/* The image if it is there, else 0 */
char *native_built(struct ctx *c)
{
  char *p = c->t->gcc ? native_image(c, 0) : 0;

  if (p && !exists(p)) {
    free(p);
    p = 0;
  }
  return p;
}

/* Are the sources there to build one? */
int native_buildable(struct ctx *c)
{
  int i, ok = c->t->gcc != 0;

  for (i = 0; ok && natsrc[i].name; i++) {
    char *p = xprintf("%s/%s", c->download, natsrc[i].file);

    ok &= exists(p);
    free(p);
  }
  return ok;
}

/* The cross toolchain's file or directory from (relative) into dest */
static int copy_in(const char *cross, const char *dest, const char *from)
{
  char *a = xprintf("%s/%s", cross, from), *b = xprintf("%s/%s", dest, from);
  int rc = is_dir(a) ? copy_tree(a, b) : copy_file(a, b, 0644);

  if (rc) perror_msg("%s", b);
  free(a);
  free(b);
  return rc;
}

/* gcc's target libraries and musl's sysroot, from the cross toolchain
 * (same sources, same configuration): the sysroot's include/ and lib/
 * (musl, the kernel's headers; libstdc++ in lib64/ where gcc's multilib
 * says so), and libgcc and its crt files in lib/gcc/TRIPLE/11.3.0, where
 * install-gcc puts its headers. Not TRIPLE/bin/: the host's binutils. */
static int copy_target(struct ctx *c, const char *cross, const char *dest)
{
  static const char *const sysdirs[] = {"include", "lib", "lib64", "lib32", 0};
  static const char *const gccfiles[] = {"libgcc.a", "libgcc_eh.a",
    "libgcov.a", "crtbegin.o", "crtbeginS.o", "crtbeginT.o", "crtend.o",
    "crtendS.o", "crtfastmath.o", 0};
  const char *T = c->t->gcc;
  char *sys = xprintf("%s/%s", dest, T);
  char *dgl = xprintf("%s/lib/gcc/%s/11.3.0", dest, T);
  int i, rc;

  stage("toolchain %s: native sysroot and target libraries", T);
  /* first, into an empty tree: copy_tree makes the directory it copies */
  rc = mkdirp(sys, 0755) || mkdirp(dgl, 0755);
  for (i = 0; !rc && sysdirs[i]; i++) {
    char *f = xprintf("%s/%s", T, sysdirs[i]);
    char *in = xprintf("%s/%s", cross, f);

    if (is_dir(in)) rc = copy_in(cross, dest, f);
    free(f);
    free(in);
  }
  for (i = 0; !rc && gccfiles[i]; i++) {
    char *f = xprintf("lib/gcc/%s/11.3.0/%s", T, gccfiles[i]);
    char *in = xprintf("%s/%s", cross, f);

    /* crtfastmath.o and the like exist on some targets only */
    if (exists(in)) rc = copy_in(cross, dest, f);
    free(f);
    free(in);
  }
  free(sys);
  free(dgl);
  return rc;
}

/* An ELF file's unsigned field of n bytes at off, in its byte order */
static unsigned long long elf_field(const unsigned char *b, int off, int n)
{
  unsigned long long v = 0;
  int i, big = b[5] == 2;

  for (i = 0; i < n; i++) v = v << 8 | b[off + (big ? i : n - 1 - i)];
  return v;
}

/* Is the file an ELF program? Then 1 if it names a loader (PT_INTERP:
 * dynamic, useless in a root without one), else 0; -1 if not ELF */
static int elf_dynamic(const char *path)
{
  unsigned char b[4096];
  size_t len;
  FILE *f = fopen(path, "rb");
  int is64, i, rc = -1;

  if (!f) return -1;
  len = fread(b, 1, sizeof(b), f);
  fclose(f);
  if (len < 64 || memcmp(b, "\177ELF", 4)) return -1;
  is64 = b[4] == 2;
  {
    unsigned long long phoff = elf_field(b, is64 ? 32 : 28, is64 ? 8 : 4);
    int phsz = elf_field(b, is64 ? 54 : 42, 2), phn = elf_field(b, is64 ? 56 : 44, 2);

    rc = 0;
    for (i = 0; i < phn && phoff + (i + 1ULL) * phsz <= len; i++)
      if (elf_field(b, phoff + i * phsz, 4) == 3) rc = 1;
  }
  return rc;
}

/* Does the file start with "#!"? */
static int is_script(const char *path)
{
  char buf[2] = {0, 0};
  FILE *f = fopen(path, "r");

  if (f) {
    if (fread(buf, 1, 2, f) != 2) buf[0] = 0;
    fclose(f);
  }
  return buf[0] == '#' && buf[1] == '!';
}

/* The host programs checked static and stripped (the cross toolchain's
 * strip), cc linked */
static int finish(struct ctx *c, const char *cross, const char *dest)
{
  const char *T = c->t->gcc;
  char *strip = xprintf("%s/bin/%s-strip", cross, T);
  char *bin = xprintf("%s/bin", dest), *tbin = xprintf("%s/%s/bin", dest, T);
  char *lx = xprintf("%s/libexec/gcc/%s/11.3.0", dest, T);
  char *cc = xprintf("%s/cc", bin);
  const char *dirs[] = {bin, tbin, lx, 0};
  int i, rc = 0;

  stage("toolchain %s: native strip", T);
  for (i = 0; !rc && dirs[i]; i++) {
    glob_t g;
    char *pat = xprintf("%s/*", dirs[i]);

    if (!glob(pat, 0, 0, &g)) {
      size_t j;

      for (j = 0; !rc && j < g.gl_pathc; j++) {
        struct stat st;

        /* programs only: lto-wrapper's plugin dir and scripts stay */
        if (lstat(g.gl_pathv[j], &st) || !S_ISREG(st.st_mode)
            || !(st.st_mode & 0111) || is_script(g.gl_pathv[j]))
          continue;
        if (elf_dynamic(g.gl_pathv[j]) == 1) {
          error_msg("%s: dynamically linked (the guest has no loader for it; "
                    "log: %s)", g.gl_pathv[j], log_path());
          rc = -1;
        } else rc = runl(c->env, strip, g.gl_pathv[j], (char *)0);
      }
      globfree(&g);
    }
    free(pat);
  }
  if (!rc && !exists(cc) && symlink("gcc", cc)) {
    perror_msg("%s", cc);
    rc = -1;
  }
  free(strip);
  free(bin);
  free(tbin);
  free(lx);
  free(cc);
  return rc;
}

/* Does the .config have CONFIG_X=y for each X of syms? Else say which
 * not (the kernel's check, symbol_check, on a miniconfig of them) */
static int kconfig_has(const char *config, const char *const *syms)
{
  char *text = read_file(config, 0), *mini = xstrdup(""), *miss = 0, *m;
  int i, rc = -1;

  for (i = 0; syms[i]; i++) {
    m = xprintf("%sCONFIG_%s=y\n", mini, syms[i]);
    free(mini);
    mini = m;
  }
  if (!text) perror_msg("%s", config);
  else if (symbol_check(mini, text, &miss)) {
    for (m = miss; *m; m++) if (*m == '\n') *m = ' ';
    error_msg("%s: didn't stick: %s", config, miss);
  } else rc = 0;
  free(text);
  free(mini);
  free(miss);
  return rc;
}

/* "# CONFIG_X is not set" becomes "CONFIG_X=y" in a .config, for each X
 * of syms */
static int kconfig_enable(const char *config, const char *const *syms)
{
  char *text = read_file(config, 0), *out, *p;
  int i, rc;

  if (!text) {
    perror_msg("%s", config);
    return -1;
  }
  for (i = 0; syms[i]; i++) {
    char *off = xprintf("# CONFIG_%s is not set\n", syms[i]);

    if ((p = strstr(text, off)) && (p == text || p[-1] == '\n')) {
      out = xprintf("%.*sCONFIG_%s=y\n%s", (int)(p - text), text, syms[i],
                    p + strlen(off));
      free(text);
      text = out;
    }
    free(off);
  }
  rc = write_file(config, text, 0644);
  free(text);
  return rc;
}

/* busybox, configured as busybox_conf says, into dest/bin with its links */
static int busybox(struct ctx *c, const char *work, const char *dest)
{
  char *dir = xprintf("%s/busybox", work), *conf = xprintf("%s/.config", dir);
  char *cross = xprintf("CROSS_COMPILE=%s-", c->t->gcc);
  char *j = xprintf("-j%d", ncpus()), *from = xprintf("%s/busybox", dir);
  char *to = xprintf("%s/bin/busybox", dest);
  struct av a;
  int i, rc;

  rc = step(c, "native busybox config", dir,
            av(&a, "make", 0, "allnoconfig", (char *)0))
    || kconfig_enable(conf, busybox_conf)
    || step(c, "native busybox oldconfig", dir,
            av(&a, "make", 0, "oldconfig", (char *)0))
    || kconfig_has(conf, busybox_conf)
    || step(c, "native busybox make", dir,
            av(&a, "make", 0, cross, j, "busybox", (char *)0))
    || copy_file(from, to, 0755);
  for (i = 0; !rc && busybox_links[i]; i++) {
    char *l = xprintf("%s/bin/%s", dest, busybox_links[i]);

    if (symlink("busybox", l)) {
      perror_msg("%s", l);
      rc = -1;
    }
    free(l);
  }
  free(dir); free(conf); free(cross); free(j); free(from); free(to);
  return rc;
}

/* Build into dest, with the cross toolchain (cross: its directory) first
 * in PATH for the host programs and as gcc's build sysroot */
static int build(struct ctx *c, const char *cross, const char *work,
                 const char *dest)
{
  const char *T = c->t->gcc;
  char *ob = xprintf("%s/obj-binutils", work), *og = xprintf("%s/obj-gcc", work);
  char *bconf = xprintf("%s/binutils/configure", work);
  char *gconf = xprintf("%s/gcc/configure", work);
  char *mk = xprintf("%s/make", work), *bash = xprintf("%s/bash", work);
  char *j = xprintf("-j%d", ncpus()), *destdir = xprintf("DESTDIR=%s", dest);
  char *host = xprintf("--host=%s", T), *target = xprintf("--target=%s", T);
  char *sysroot = xprintf("--with-sysroot=/%s", T);
  char *bsys = xprintf("--with-build-sysroot=%s/%s", cross, T);
  char *gxx = xprintf("--with-gxx-include-dir=/%s/include/c++/11.3.0", T);
  /* static programs: they run from wherever the image is mounted, in a
   * root with no loader. "--static" too, as mcm-buildall does: libtool
   * (binutils' ld, ...) takes -static for its own meaning and drops it */
  char *cc = xprintf("CC=%s-gcc -static --static", T);
  char *cxx = xprintf("CXX=%s-g++ -static --static", T);
  char *path = xprintf("%s/bin:%s", cross, HOST_PATH);
  char *opts = xstrdup(c->t->gccconf ? c->t->gccconf : "");
  char *stamp = xprintf("%s/gcc/s-tm-texi", og), *share = xprintf("%s/share", dest);
  const char *const mi[] = {"MAKEINFO=true", 0};
  struct av a;
  int rc;

  ctx_set(c, "PATH", path);
  step_count(16);
  rc = mkdirp(ob, 0755) || mkdirp(og, 0755) || copy_target(c, cross, dest)
    || step(c, "native binutils configure", ob,
            av(&a, bconf, binutils_conf, host, target, sysroot, cc, cxx,
               (char *)0))
    || step(c, "native binutils make", ob, av(&a, "make", mi, j, (char *)0))
    || step(c, "native binutils install", ob,
            av(&a, "make", mi, destdir, "install", (char *)0))
    /* no LTO: its linker plugin is a shared library, which the static
     * ld can't load */
    || step(c, "native gcc configure", og,
            words(av(&a, gconf, gcc_conf, host, target, sysroot, bsys, gxx,
                     cc, cxx, "--disable-lto", (char *)0), opts))
    || step(c, "native gcc make (the longest part)", og,
            av(&a, "make", mi, j, "all-gcc", (char *)0))
    /* as for the cross compiler: the dfsg tarball can't remake tm.texi */
    || write_file(stamp, "timestamp\n", 0644)
    || step(c, "native gcc install", og,
            av(&a, "make", mi, destdir, "install-gcc", (char *)0))
    || step(c, "native make configure", mk,
            av(&a, "./configure", make_conf, host, cc, (char *)0))
    || step(c, "native make make", mk, av(&a, "make", mi, j, (char *)0))
    || step(c, "native make install", mk,
            av(&a, "make", mi, destdir, "install", (char *)0))
    || step(c, "native bash configure", bash,
            av(&a, "./configure", bash_conf, host, cc, (char *)0))
    || step(c, "native bash make", bash, av(&a, "make", mi, j, (char *)0))
    || step(c, "native bash install", bash,
            av(&a, "make", mi, destdir, "install", (char *)0))
    || busybox(c, work, dest)
    /* manuals and message catalogs: not needed to build */
    || rmrf(share);
  free(ob); free(og); free(bconf); free(gconf); free(mk); free(bash);
  free(j); free(destdir); free(host); free(target); free(sysroot);
  free(bsys); free(gxx); free(cc); free(cxx); free(path); free(opts);
  free(stamp); free(share);
  return rc;
}

/* Build the native image for c's target (a host build context) unless it
 * is there, the cross compiler first if that is missing; its path, or 0
 * after saying why not */
char *native_build(struct ctx *c)
{
  char *img, *cross, *log, *part, *work, *dest, *sq, *top, *gmpdir, *gmpdoc;
  double t0 = now_secs();
  struct av a;
  int rc, lock;

  if ((img = native_built(c))) return img;
  if (!c->t->gcc) {
    error_msg("%s: no triple to build a compiler for in its row", c->t->name);
    return 0;
  }
  if (tc_sources(c, natsrc)) return 0;
  if (!(sq = which(HOST_PATH, "mksquashfs"))) {
    error_msg("mksquashfs: not found (run 'make deps-all')");
    return 0;
  }
  /* before the cross compiler's build, which needs less */
  top = xprintf("%s/toolchain", c->top);
  rc = mkdirp(top, 0755) || tc_space(top, BUILD_MIB);
  /* what builds killed outright left (their process is gone) */
  if (!rc) remove_stale_parts(top, 0);
  free(top);
  if (rc || !(cross = compiler_build(c))) return 0;
  /* PREFIX is DIR/bin/TRIPLE-: the toolchain is DIR */
  *strrchr(cross, '/') = 0;
  *strrchr(cross, '/') = 0;
  if (!(img = native_image(c, 1))) return 0;
  /* one build per image: a second waits for the first's, then uses it */
  log = xprintf("%.*s.lock", (int)(strlen(img) - 4), img);
  lock = tc_lock(log, "toolchain", img);
  free(log);
  if (lock < 0 || exists(img)) {
    if (lock >= 0) close(lock);
    free(cross);
    return lock < 0 ? (free(img), (char *)0) : img;
  }
  remove_stale_parts(c->build, "native");
  log = xprintf("%.*s.log", (int)(strlen(img) - 4), img);
  if (log_open(log, 0, c->t->name)) {
    close(lock);
    return 0;
  }
  say("Building the %s native compiler (binutils, gcc C and C++, musl, make, "
      "bash, busybox's awk, tr, expr and diff, static, to run on %s) into %s: it needs %d MiB free while it "
      "builds; about an hour on two cores; log %s", c->t->gcc, c->t->name,
      img, BUILD_MIB, log);
  part = xprintf("%s.part%d", img, (int)getpid());
  work = xprintf("%s/native.part%d", c->build, (int)getpid());
  dest = xprintf("%s/root", work);
  tmpfile_add(part);
  stage("toolchain %s: native unpack", c->t->gcc);
  gmpdir = xprintf("%s/gcc/gmp/doc", work);
  gmpdoc = xprintf("%s/Makefile.in", gmpdir);
  rc = mkdirp(dest, 0755) || tc_unpack(c, natsrc, work)
    /* Debian's dfsg GMP has no doc/ (its patch drops it from configure,
     * which would need autoreconf): a Makefile there that does nothing */
    || mkdirp(gmpdir, 0755)
    || write_file(gmpdoc, "all install install-strip uninstall check "
                  "installcheck clean distclean mostlyclean maintainer-clean "
                  "info dvi pdf ps html tags ctags distdir:\n", 0644)
    || build(c, cross, work, dest) || finish(c, cross, dest);
  if (!rc) {
    char *du = run_line(c->env, (char *const[]){"du", "-sm", dest, 0});

    if (du) say("toolchain %s: native tree %s MiB", c->t->gcc, strtok(du, " \t"));
    free(du);
    rc = step(c, "native squashfs", work, av(&a, sq, 0, dest, part,
                                              "-all-root", "-noappend",
                                              (char *)0));
  }
  if (!rc && rename(part, img)) {
    perror_msg("%s", img);
    rc = -1;
  }
  rmrf(part);
  rmrf(work);
  tmpfile_del(part);
  close(lock);
  if (!rc) say("toolchain %s: native image built in %.0fs: %s", c->t->gcc,
               now_secs() - t0, img);
  free(part);
  free(work);
  free(dest);
  free(gmpdir);
  free(gmpdoc);
  free(log);
  free(cross);
  free(sq);
  if (rc) {
    free(img);
    img = 0;
  }
  return img;
}
