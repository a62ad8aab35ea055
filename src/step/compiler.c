/* compiler.c: C and C++ cross compilers built from source, for the
 * targets whose row needs one (Debian has no compiler for them, or a broken
 * one) and, with TOOLCHAIN=source, for any row that names a triple: the
 * seed's mcm-buildall. binutils, then gcc (C and C++, static libgcc and
 * libstdc++) with musl as its C library and the kernel's headers in its
 * sysroot, all from Debian's source packages (make deps-all):
 *
 *   toolchain/TRIPLE-KEY/        the toolchain, relocatable (prefix "",
 *                                sysroot TRIPLE/ under it): bin/TRIPLE-cc
 *   toolchain/TRIPLE-KEY.log     the log of its build
 *
 * KEY is the hash of the sources, the configuration and the host's
 * compilers, so a change to any of them builds a new one. It is built in
 * TRIPLE-KEY.partPID (a newdir) and renamed when it compiles and links a
 * program: an interrupted or failed build is never used, and the next
 * build deletes it. ./clean leaves toolchain/ alone (a build takes a quarter of an hour). */
#define _GNU_SOURCE
#include "step.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* Debian's bytes (binutils' .orig; the dfsg tarball inside gcc-11's .orig),
 * put in download/ by make deps-all */
const struct srcfile gnusrc[] = {
  {"binutils", "binutils-2.40.tar.xz",
   "d78c2d2eb24a9be1e02f8854cb1bd435556d7f584fb6bfb6b07e6527d43fc41d"},
  /* 11, not 12: GCC 12 drops sh's branch tests (GCC bug 106609) */
  {"gcc", "gcc-11.3.0-dfsg.tar.xz",
   "1bd80692bef90e95a0f18fa50d2fb810481093470b2eb31b99883943a3ac7de7"},
  {0, 0, 0}
};

/* Disk space, as measured here: or1k's C-only build used 1,532 MiB besides
 * the toolchain it kept (117 MiB; sh4's is 119); C++ adds to both. A build
 * insists on some margin above that. */
#define BUILD_MIB 3000
#define KEEP_MIB 250

const char *const binutils_conf[] = {
  "--prefix=", "--libdir=/lib", "--disable-nls", "--disable-werror",
  "--disable-multilib", "--enable-deterministic-archives", "--disable-gdb",
  "--disable-gprofng", "--disable-sim", "CFLAGS=-O2", "CXXFLAGS=-O2", 0};

/* C and C++, as musl-cross-make's; libgcc and libstdc++ static (musl links
 * libgcc into libc.so too; the programs mkroot builds are static); no
 * precompiled headers (a few hundred MiB for one header); the headers in
 * the sysroot's include/, as musl installs them */
const char *const gcc_conf[] = {
  "--prefix=", "--libdir=/lib", "--with-native-system-header-dir=/include",
  "--enable-languages=c,c++", "--disable-bootstrap", "--disable-nls",
  "--disable-werror", "--disable-shared", "--disable-libsanitizer",
  "--disable-libssp", "--disable-libquadmath", "--disable-libgomp",
  "--disable-libatomic", "--disable-libitm", "--disable-libvtv",
  "--enable-tls", "--enable-initfini-array", "--enable-libstdcxx-time=rt",
  "--disable-libstdcxx-pch", "CFLAGS=-O2", "CXXFLAGS=-O2", 0};

/* The order of build(), below: a change to it is a new toolchain */
#define RECIPE "binutils; headers; gcc; libgcc; musl; libstdc++ (4)"

static const char *const muslconf[] = {"--prefix=/", "--syslibdir=/lib",
                                       "CFLAGS=-Os -pipe", 0};

/* The toolchain's directory for c's target: TOP/toolchain/TRIPLE-KEY; 0
 * when a host tool is missing (said if loud) */
char *toolchain_dir(struct ctx *c, int loud)
{
  const char *tools[] = {"gcc", "g++", 0};
  char *mk = xprintf("%s/linux/Makefile", c->download), key[65];
  struct key k;
  int i, rc = 0;

  char *msrc = source_path(c->download, "musl");

  key_init(&k, "toolchain");
  key_str(&k, "recipe", RECIPE);
  for (i = 0; gnusrc[i].name; i++) key_str(&k, gnusrc[i].file, gnusrc[i].sha256);
  /* musl by its name and content, not where the checkout is: a toolchain
   * is worth keeping when the checkout moves or toolchain/ is shared */
  key_str(&k, "musl", msrc ? strrchr(msrc, '/') + 1 : 0);
  if (msrc) rc = is_dir(msrc) ? key_tree(&k, "musl", msrc, 1)
                              : key_file(&k, "musl", msrc);
  free(msrc);
  for (i = 0; muslconf[i]; i++) key_str(&k, "musl conf", muslconf[i]);
  for (i = 0; binutils_conf[i]; i++) key_str(&k, "binutils", binutils_conf[i]);
  for (i = 0; gcc_conf[i]; i++) key_str(&k, "gcc", gcc_conf[i]);
  key_str(&k, "triple", c->t->gcc);
  key_str(&k, "target", c->t->gccconf ? c->t->gccconf : "");
  key_str(&k, "karch", c->t->karch);
  for (i = 0; tools[i]; i++) {
    char *p = which(HOST_PATH, tools[i]);

    if (!p && loud) error_msg("%s: not found (run 'make deps-all')", tools[i]);
    rc |= !p || key_tool(&k, tools[i], p);
    free(p);
  }
  /* the kernel headers' version */
  if (!rc && exists(mk)) rc = key_file(&k, "kernel", mk);
  key_done(&k, key);
  free(mk);
  return rc ? 0 : xprintf("%s/toolchain/%s-%.16s", c->top, c->t->gcc, key);
}

static char *prefix_in(const char *dir, const struct target *t)
{
  return xprintf("%s/bin/%s-", dir, t->gcc);
}

/* The prefix of the compiler built for c's target if it is there, else 0 */
char *compiler_built(struct ctx *c)
{
  char *dir = toolchain_dir(c, 0), *p = dir ? prefix_in(dir, c->t) : 0;
  char *cc = p ? xprintf("%scc", p) : 0;

  if (cc && !exists(cc)) {
    free(p);
    p = 0;
  }
  free(cc);
  free(dir);
  return p;
}

/* Are the sources there to build one? */
int compiler_buildable(struct ctx *c)
{
  int i, ok = 1;

  for (i = 0; gnusrc[i].name; i++) {
    char *p = xprintf("%s/%s", c->download, gnusrc[i].file);

    ok &= exists(p);
    free(p);
  }
  return ok;
}

/* Every file of the table s there, with Debian's hash (a source directory,
 * sha256 0, only there) */
int tc_sources(struct ctx *c, const struct srcfile *s)
{
  int i, rc = 0;

  for (i = 0; !rc && s[i].name; i++) {
    char *p = xprintf("%s/%s", c->download, s[i].file), got[65];

    if (!exists(p)) {
      error_msg("%s: missing (run 'make deps-all')", p);
      rc = -1;
    } else if (!s[i].sha256) {
    } else if (file_hash(p, 1, got)) {
      perror_msg("%s", p);
      rc = -1;
    } else if (strcmp(got, s[i].sha256)) {
      error_msg("%s: sha256 mismatch: want %s, got %s (run 'make deps-all')",
                p, s[i].sha256, got);
      rc = -1;
    }
    free(p);
  }
  return rc;
}

/* An argv: cmd, the 0-ended list (or 0), then the other arguments */
struct av *av(struct av *a, const char *cmd, const char *const *list, ...)
{
  const char *s;
  va_list va;

  a->n = 0;
  a->v[a->n++] = (char *)cmd;
  while (list && *list && a->n < 48) a->v[a->n++] = (char *)*list++;
  va_start(va, list);
  while ((s = va_arg(va, const char *)) && a->n < 63) a->v[a->n++] = (char *)s;
  va_end(va);
  a->v[a->n] = 0;
  return a;
}

/* Add the words of s (the row's configure options) */
struct av *words(struct av *a, char *s)
{
  char *save = 0, *w;

  for (w = strtok_r(s, " ", &save); w && a->n < 63; w = strtok_r(0, " ", &save))
    a->v[a->n++] = w;
  a->v[a->n] = 0;
  return a;
}

/* build()'s stages (step() calls), for the count on a terminal: reset
 * by step_count */
static int stages, nstages;

void step_count(int total)
{
  stages = 0;
  nstages = total;
}

/* One stage of the build, named on the terminal and in the log. On a
 * terminal, a count of the files it compiled (a line of the log with " -c
 * " in it: GNU's makes can't list their commands before configuring; musl's
 * can, so its count has a total). */
int step(struct ctx *c, const char *what, const char *dir, struct av *a)
{
  char *name = xprintf("toolchain %s: %s", c->t->gcc, what);
  char *count = xprintf("stage %d/%d, %s", ++stages, nstages, what);
  int musl = !strcmp(what, "musl make"), rc;

  stage("%s", name);
  /* the log's last lines, then "NAME failed, see LOG" */
  if ((rc = ctx_make(c, dir, a->v, count, musl ? MUSL_CC : " -c ", musl)))
    log_fail(name);
  free(name);
  free(count);
  return rc;
}

/* musl's name for the target's architecture (its arch/ directory): the
 * triple's first word, or the arch/ its prefix names */
char *musl_arch(const char *triple)
{
  static const char *const pre[][2] = {{"sh", "sh"}, {"arm", "arm"},
    {"i", "i386"}, {"mips64", "mips64"}, {"mips", "mips"},
    {"powerpc64", "powerpc64"}, {0, 0}};
  size_t n = strcspn(triple, "-");
  int i;

  for (i = 0; pre[i][0]; i++)
    if (!strncmp(triple, pre[i][0], strlen(pre[i][0])))
      return xprintf("ARCH=%s", pre[i][1]);
  return xprintf("ARCH=%.*s", (int)n, triple);
}

/* libstdc++ for the default multilib only, on a row that lists its
 * multilibs (sh4, sh4eb: --with-multilib-list=m4,m4-nofpu): gcc's own
 * configure arguments for its target libraries (from its Makefile) and
 * --disable-multilib. m4-nofpu (the kernel's) has a libgcc but no C
 * library, and libstdc++'s configure there stops at "Link tests are not
 * allowed after GCC_NO_EXECUTABLES". Other rows' multilibs (microblaze's)
 * link against the one musl and keep theirs. (No RECIPE change: no row
 * with a multilib list had built since libstdc++ came in.) "" for the
 * other rows; 0 (said) if the Makefile lacks the arguments. */
static char *one_multilib(const struct target *t, const char *og)
{
  char *mf, *text, *s, *out = 0;
  const char *name = "\nTARGET_CONFIGARGS = ";

  if (!t->gccconf || !strstr(t->gccconf, "--with-multilib-list"))
    return xstrdup("");
  mf = xprintf("%s/Makefile", og);
  text = read_file(mf, 0);
  if (text && (s = strstr(text, name))) {
    s += strlen(name);
    out = xprintf("TARGET_CONFIGARGS=%.*s --disable-multilib",
                  (int)strcspn(s, "\n"), s);
  } else error_msg("%s: no TARGET_CONFIGARGS in it", mf);
  free(text);
  free(mf);
  return out;
}

/* Build into dest (installed with prefix "", so relocatable) from the
 * sources unpacked in work. The order matters: musl's and the kernel's
 * headers go into the sysroot before gcc is built (gcc's limits.h
 * includes the C library's only if it finds one then), and libgcc is
 * built before musl is configured (musl's libc.so links it). The new
 * binutils come first in PATH, for gcc's build to find. */
static int build(struct ctx *c, const char *work, const char *dest)
{
  const char *T = c->t->gcc;
  char *ob = xprintf("%s/obj-binutils", work), *og = xprintf("%s/obj-gcc", work);
  char *musl = xprintf("%s/musl", work), *sys = xprintf("%s/%s", dest, T);
  char *bconf = xprintf("%s/binutils/configure", work);
  char *gconf = xprintf("%s/gcc/configure", work);
  char *j = xprintf("-j%d", ncpus()), *destdir = xprintf("DESTDIR=%s", dest);
  char *sysdest = xprintf("DESTDIR=%s", sys), *inc = xprintf("%s/include", sys);
  char *target = xprintf("--target=%s", T), *sysroot = xprintf("--with-sysroot=/%s", T);
  char *bsys = xprintf("--with-build-sysroot=%s", sys);
  char *cc = xprintf("CC=%s/bin/%s-gcc", dest, T);
  char *cross = xprintf("CROSS_COMPILE=%s/bin/%s-", dest, T);
  char *path = xprintf("%s/bin:%s", dest, HOST_PATH), *arch = musl_arch(T);
  char *opts = xstrdup(c->t->gccconf ? c->t->gccconf : ""), *ldso = 0;
  char *stamp = xprintf("%s/gcc/s-tm-texi", og), *tca = 0;
  const char *const mk[] = {"MAKEINFO=true", 0};
  struct av a;
  int rc;

  ctx_set(c, "PATH", path);
  step_count(14);
  rc = mkdirp(ob, 0755) || mkdirp(og, 0755) || mkdirp(inc, 0755)
    || step(c, "binutils configure", ob, av(&a, bconf, binutils_conf, target,
                                            sysroot, (char *)0))
    || step(c, "binutils make", ob, av(&a, "make", mk, j, (char *)0))
    || step(c, "binutils install", ob, av(&a, "make", mk, destdir, "install",
                                          (char *)0))
    || step(c, "musl headers", musl, av(&a, "make", 0, arch, "prefix=/",
                                        sysdest, "install-headers", (char *)0))
    || kernel_headers(c, c->t->karch, inc)
    || step(c, "gcc configure", og, words(av(&a, gconf, gcc_conf, target,
                                             sysroot, bsys, (char *)0), opts))
    || step(c, "gcc make (the longest part)", og,
            av(&a, "make", mk, j, "all-gcc", (char *)0))
    /* Debian's dfsg tarball lacks the hook docs tm.texi.in would need to
     * be regenerated from, which installing the docs tries: its stamp,
     * newer than what it depends on, says tm.texi is current (it is) */
    || write_file(stamp, "timestamp\n", 0644)
    || step(c, "gcc install", og, av(&a, "make", mk, destdir, "install-gcc",
                                     (char *)0))
    || step(c, "libgcc make", og, av(&a, "make", mk, j, "all-target-libgcc",
                                     (char *)0))
    || step(c, "libgcc install", og, av(&a, "make", mk, destdir,
                                        "install-target-libgcc", (char *)0))
    || step(c, "musl configure", musl, av(&a, "./configure", muslconf, target,
                                          cc, cross, (char *)0))
    || step(c, "musl make", musl, av(&a, "make", 0, j, (char *)0))
    || step(c, "musl install", musl, av(&a, "make", 0, sysdest, "install",
                                        (char *)0))
    /* C++'s library needs the C library installed: it comes last */
    || !(tca = one_multilib(c->t, og))
    /* tca last: when it is "" the list ends there */
    || step(c, "libstdc++ make", og, av(&a, "make", mk, j,
                                        "all-target-libstdc++-v3",
                                        *tca ? tca : (char *)0, (char *)0))
    || step(c, "libstdc++ install", og, av(&a, "make", mk, destdir,
                                           "install-target-libstdc++-v3",
                                           *tca ? tca : (char *)0, (char *)0))
    /* musl links its loader to /lib/libc.so, the host's: make it relative */
    || !(ldso = musl_ldso(sys));
  if (!rc) say("musl's loader: %s/lib/%s", T, ldso);
  free(ob); free(og); free(musl); free(sys); free(bconf); free(gconf);
  free(j); free(destdir); free(sysdest); free(inc); free(target);
  free(sysroot); free(bsys); free(cc); free(cross); free(path); free(opts);
  free(arch); free(ldso); free(stamp); free(tca);
  return rc;
}

/* The toolchain's own names for the seed's scripts (TRIPLE-cc), and proof
 * that it links a static program, a dynamic one and a static C++ one */
static int finish(struct ctx *c, const char *dest, const char *work)
{
  /* PATH_MAX: gcc's limits.h reaches musl's */
  static const char prog[] = "#include <limits.h>\n#include <stdio.h>\n"
    "int main(void){printf(\"%d\\n\", PATH_MAX);return 0;}\n";
  /* g++ compiles t.c as C++ */
  static const char cxx[] = "#include <iostream>\n#include <string>\n"
    "int main(){std::string s(\"hello\");std::cout<<s<<std::endl;}\n";
  char *gcc = xprintf("%s-gcc", c->t->gcc);
  char *cc = xprintf("%s/bin/%s-cc", dest, c->t->gcc);
  char *gxx = xprintf("%s/bin/%s-g++", dest, c->t->gcc);
  char *src = xprintf("%s/t.c", work), *out = xprintf("%s/t", work);
  int rc = symlink(gcc, cc);

  if (rc) perror_msg("%s", cc);
  else if ((rc = cc_try(c, cc, prog, 0, 0)))
    error_msg("%s: can't build a static program (log: %s)", cc, log_path());
  else if ((rc = write_file(src, prog, 0644)
                 || runl(c->env, cc, src, "-o", out, (char *)0)))
    error_msg("%s: can't link a dynamic program (log: %s)", cc, log_path());
  else if ((rc = cc_try(c, gxx, cxx, 0, 0)))
    error_msg("%s: can't build a static C++ program (log: %s)", gxx,
              log_path());
  free(gcc);
  free(gxx);
  free(cc);
  free(src);
  free(out);
  return rc;
}

/* 0 if dir has mib MiB free, else says how much is needed */
int tc_space(const char *dir, int mib)
{
  struct statvfs v;
  long long have;

  if (statvfs(dir, &v)) return 0;
  have = (long long)v.f_bavail * v.f_frsize >> 20;
  if (have >= mib) return 0;
  error_msg("%s: %lld MiB free, this build needs about %d MiB", dir, have, mib);
  return -1;
}

/* Unpack the sources of the table s into work, each under its name (a
 * source directory is copied) */
int tc_unpack(struct ctx *c, const struct srcfile *s, const char *work)
{
  struct caps caps;
  int i, rc = ctx_caps(c, &caps) || mkdirp(work, 0755);

  for (i = 0; !rc && s[i].name; i++) {
    char *from = xprintf("%s/%s", c->download, s[i].file);
    char *to = xprintf("%s/%s", work, s[i].name);

    rc = s[i].sha256 ? extract_archive(from, to, 1, &caps) || links_inside(to)
                     : copy_source(from, to);
    free(from);
    free(to);
  }
  return rc;
}

/* Unpack the sources into work: binutils/, gcc/, musl/ */
static int unpack(struct ctx *c, const char *work)
{
  int rc;

  stage("toolchain %s: unpack", c->t->gcc);
  rc = tc_unpack(c, gnusrc, work);
  if (!rc) {
    struct caps caps;
    char *src;

    rc = ctx_caps(c, &caps)
      || setupfor(c->download, work, "musl", &caps, &src, 0);
    if (!rc) free(src);
  }
  return rc;
}

/* Hold path's lock (flock; the file made if missing), waiting with one
 * line naming what (the step) and thing when another process holds it: builds of the same
 * thing queue rather than run twice. Its fd (close it to let go), or -1
 * after saying why */
int tc_lock(const char *path, const char *what, const char *thing)
{
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

  if (fd < 0) perror_msg("%s", path);
  else if (flock(fd, LOCK_EX | LOCK_NB)) {
    say("%s: another build is making %s: waiting for it", what, thing);
    if (flock(fd, LOCK_EX)) {
      perror_msg("%s", path);
      close(fd);
      fd = -1;
    }
  }
  return fd;
}

/* Build the compiler for c's target (a host build context) unless it is
 * there; its prefix, or 0 after saying why not */
char *compiler_build(struct ctx *c)
{
  char *dir, *top, *log, *work, *p;
  struct newdir d = {0, 0};
  double t0 = now_secs();
  int rc, lock;

  if ((p = compiler_built(c))) return p;
  if (tc_sources(c, gnusrc) || musl_source(c) || !(dir = toolchain_dir(c, 1)))
    return 0;
  top = xprintf("%s/toolchain", c->top);
  if (mkdirp(top, 0755) || mkdirp(c->build, 0755)) return 0;
  /* one build per toolchain: a second waits for the first's, then uses it */
  log = xprintf("%s.lock", dir);
  lock = tc_lock(log, "toolchain", dir);
  free(log);
  if (lock < 0) return 0;
  if ((p = compiler_built(c))) {
    close(lock);
    return p;
  }
  /* what interrupted or failed builds left (their process is gone) */
  remove_stale_parts(top, 0);
  remove_stale_parts(c->build, "toolchain");
  log = xprintf("%s.log", dir);
  if (log_open(log, 0, c->t->name)) {
    close(lock);
    return 0;
  }
  say("Building the %s cross compiler (binutils 2.40, gcc 11.3.0 C and C++, "
      "musl 1.2.3) "
      "in %s: it needs %d MiB free while it builds and keeps about %d MiB; "
      "about half an hour on two cores; log %s", c->t->gcc, dir, BUILD_MIB,
      KEEP_MIB, log);
  if (tc_space(top, BUILD_MIB)) {
    close(lock);
    return 0;
  }
  /* both named for this process: builds side by side don't collide */
  work = xprintf("%s/toolchain.part%d", c->build, (int)getpid());
  /* if another build finished first, its toolchain serves */
  rc = newdir_open(&d, dir) || unpack(c, work) || build(c, work, d.tmp)
    || finish(c, d.tmp, work) || newdir_commit(&d, 0);
  if (!rc) {
    char *du = run_line(c->env, (char *const[]){"du", "-sm", work, 0});

    if (du) say("toolchain %s: the build used %s MiB besides the toolchain",
                c->t->gcc, strtok(du, " \t"));
    free(du);
  }
  newdir_abort(&d);
  rmrf(work);
  close(lock);
  if (!rc) say("toolchain %s built in %.0fs: %s", c->t->gcc, now_secs() - t0, dir);
  free(work);
  free(log);
  free(top);
  p = rc ? 0 : prefix_in(dir, c->t);
  free(dir);
  return p;
}
