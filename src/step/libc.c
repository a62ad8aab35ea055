/* libc.c: the target's C library, musl, built from source, so every target
 * gets small static binaries that can look up users and hosts (Debian's
 * cross compilers link glibc, whose static binaries can't use NSS). The
 * seed's musl-cross-make does this with a compiler of its own; we point the
 * target's existing gcc at a musl sysroot instead:
 *
 *   toolchain/musl/KEY/ the sysroot: musl's lib/ and include/ plus the
 *                       kernel's headers, built once per key (musl's source,
 *                       the target triple, the compiler, its flags, the
 *                       kernel headers' version) in a temporary directory,
 *                       then renamed: a half-built sysroot is never used
 *                       (static libc.a and shared libc.so, whose
 *                       ld-musl-ARCH.so.1 link is relative). It is part of
 *                       the toolchain, kept where the built compilers are:
 *                       ./clean leaves it, as the seed's musl stays with
 *                       its musl-cross-make compiler.
 *   build/TARGET/cc/    the compiler the build sees: PREFIXgcc and PREFIXcc
 *                       run the real gcc with a specs file naming that
 *                       sysroot; PREFIXld, ar, strip ... link to the real
 *                       tools. CROSS_COMPILE points here (natively too), so
 *                       toybox, /init and modules get musl without knowing.
 *
 * The kernel is built with the real compiler (c->kprefix). LIBC=glibc
 * keeps Debian's C library; a compiler that already targets musl (a
 * musl-cross-make toolchain) is used as it is. Either way build/TARGET/cc
 * gives the toolchain every name module scripts use (PREFIXcc too). */
#define _GNU_SOURCE
#include "step.h"

#include <errno.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MUSL_FILE "musl-1.2.3.tar.gz"
#define MUSL_URL "https://musl.libc.org/releases/" MUSL_FILE
#define MUSL_SHA1 "3b6b673196c2dc96b24c5d6028c5fa922457dd26"

/* 1 if the build should get a musl sysroot, 0 if not, -1 on a bad LIBC */
static int musl_wanted(struct ctx *c, const char *triple)
{
  const char *libc = ctx_get(c, "LIBC");

  if (var_check("LIBC", libc)) return -1;
  if (strstr(triple, "musl")) {   /* already a musl toolchain */
    stage("libc musl (the toolchain's own)");
    return 0;
  }
  if (libc && !strcmp(libc, "glibc")) return 0;
  if (c->t && c->t->nomusl) {
    if (libc && *libc) {
      error_msg("LIBC=musl: %s: %s", c->target, c->t->nomusl);
      return -1;
    }
    say("libc: glibc (%s: %s)", c->target, c->t->nomusl);
    return 0;
  }
  return 1;
}

static int libc_key(struct ctx *c, const char *triple, const char *real,
                    const char *tree, char key[65])
{
  char *mk = xprintf("%s/Makefile", tree), *path = which(c->path, real);
  struct key k;
  int rc;

  char *src = source_path(c->download, "musl");

  key_init(&k, "musl");
  key_str(&k, "build", "shared and static");
  /* by its name and content, not the checkout's path: a sysroot stays
   * valid when the checkout moves or toolchain/ is shared (compiler.c) */
  key_str(&k, "source", src ? strrchr(src, '/') + 1 : 0);
  rc = src && (is_dir(src) ? key_tree(&k, "musl", src, 1)
                           : key_file(&k, "musl", src));
  free(src);
  key_str(&k, "triple", triple);
  key_str(&k, "cflags", c->t ? c->t->cflags : "");
  key_str(&k, "muslflags", c->t ? c->t->muslflags : "");
  key_str(&k, "karch", c->t ? c->t->karch : "");
  rc = rc || !path || key_tool(&k, "cc", path) || key_file(&k, "kernel", mk);
  key_done(&k, key);
  if (!path) error_msg("%s: not found", real);
  free(mk);
  free(path);
  return rc ? -1 : 0;
}

/* The kernel's exported headers (linux/, asm/, ...) beside musl's, which
 * win where both have one (scsi/sg.h) (headers_install would use rsync,
 * which a host may lack): each entry not there yet copied whole, a
 * directory both have entered */
struct headers { const char *from, *to; };

static int header_entry(struct walk *w)
{
  struct headers *h = w->arg;
  char *t;
  int rc = 0;

  if (w->post || !strcmp(w->path, h->from)) return 0;
  if (*w->name == '.') return WALK_SKIP;
  t = xprintf("%s%s", h->to, w->path + strlen(h->from));
  if (!exists(t)) rc = copy_tree(w->path, t) ? -1 : WALK_SKIP;
  else if (!S_ISDIR(w->st.st_mode) || !is_dir(t)) rc = WALK_SKIP;
  free(t);
  return rc;
}

static int copy_headers(const char *from, const char *to)
{
  struct headers h = {from, to};

  return walk_tree(from, header_entry, &h, 0);
}

/* The kernel's exported headers for ARCH karch, into include (beside
 * musl's, which win): the musl sysroot's and the toolchain builder's */
int kernel_headers(struct ctx *c, const char *karch, const char *include)
{
  char *tree = kernel_tree(c), *mk = xprintf("%s/Makefile", tree);
  char *khdr = xprintf("%s/khdr", c->build);
  int rc = -1;

  if (!exists(mk))
    error_msg("%s: no kernel tree for the kernel's headers (run 'make deps', "
              "or set LINUX=)", tree);
  else rc = rmrf(khdr) || mkdirp(include, 0755)
    || ctx_run(c, 0, (char *const[]){"make", "-C", tree, xprintf("O=%s", khdr),
                 xprintf("ARCH=%s", karch), "headers", 0})
    || copy_headers(xprintf("%s/usr/include", khdr), include);
  rmrf(khdr);
  free(khdr);
  free(mk);
  free(tree);
  return rc ? -1 : 0;
}

/* The musl source in download/, confirmed (or fetched) */
int musl_source(struct ctx *c)
{
  struct fetchopts o;

  if (ctx_fetchopts(c, &o) || download(c->download, MUSL_SHA1, MUSL_URL, &o)) {
    error_msg("%s: no musl source (run 'make deps', or LIBC=glibc)", MUSL_FILE);
    return -1;
  }
  return 0;
}

/* Build musl and install it, with the kernel's headers, into dest */
static int musl_build(struct ctx *c, const char *triple, const char *real,
                      const char *dest)
{
  char *src;
  char *cflags = xprintf("CFLAGS=-Os -pipe %s %s",
                         c->t && c->t->cflags ? c->t->cflags : "",
                         c->t && c->t->muslflags ? c->t->muslflags : "");
  struct caps caps;
  int rc;

  if (ctx_caps(c, &caps)
      || setupfor(c->download, c->build, "musl", &caps, &src, 0)) return -1;
  rc = ctx_run(c, src, (char *const[]){"./configure",
                 xprintf("--target=%s", triple), "--prefix=/",
                 "--syslibdir=/lib",
                 xprintf("CROSS_COMPILE=%s", c->kprefix),
                 c->distcc ? xprintf("CC=%s %s", c->distcc, real)
                           : xprintf("CC=%s", real), cflags, 0})
    || ctx_make(c, src, (char *const[]){"make", xprintf("-j%d", c->jobs > 0
                                        ? c->jobs : ncpus()), 0},
                "musl", MUSL_CC, 1)
    || ctx_run(c, src, (char *const[]){"make", xprintf("DESTDIR=%s", dest),
                                       "install", 0})
    || kernel_headers(c, c->t->karch, xprintf("%s/include", dest));
  if (!rc && !ctx_is(c, "NO_CLEANUP")) cleanup(c->build, src);
  free(cflags);
  return rc;
}

/* Make path a symlink to to, unless it already is one */
static int link_as(const char *to, const char *path)
{
  char have[4096];
  ssize_t n = readlink(path, have, sizeof(have) - 1);

  if (n >= 0 && (have[n] = 0, !strcmp(have, to))) return 0;
  unlink(path);
  if (!symlink(to, path)) return 0;
  perror_msg("%s", path);
  return -1;
}

/* The dynamic loader's name musl installed (ld-musl-ARCH.so.1, ARCH as
 * musl spells it: armhf, mipsel-sf, ...), its link made relative so the
 * sysroot's copy can be followed; 0 if there is none */
char *musl_ldso(const char *root)
{
  char *lib = xprintf("%s/lib", root), *name = 0;
  DIR *d = opendir(lib);
  struct dirent *e;

  while (d && !name && (e = readdir(d)))
    if (!strncmp(e->d_name, "ld-musl-", 8)) name = xstrdup(e->d_name);
  if (d) closedir(d);
  if (name) {
    char *p = xprintf("%s/%s", lib, name);

    if (link_as("libc.so", p)) {
      free(name);
      name = 0;
    }
    free(p);
  }
  free(lib);
  return name;
}

/* musl's gcc specs (as its tools/musl-gcc.specs.sh writes them): dynamic
 * unless -static, as with any gcc */
static char *specs(const char *root, const char *ldso)
{
  return xprintf(
    "%%rename cpp_options old_cpp_options\n\n"
    "*cpp_options:\n"
    "-nostdinc -isystem %s/include -isystem include%%s %%(old_cpp_options)\n\n"
    "*cc1:\n%%(cc1_cpu) -nostdinc -isystem %s/include -isystem include%%s\n\n"
    "*link_libgcc:\n-L%s/lib -L .%%s\n\n"
    "*libgcc:\nlibgcc.a%%s %%:if-exists(libgcc_eh.a%%s)\n\n"
    "*startfile:\n%%{!shared: %s/lib/Scrt1.o} %s/lib/crti.o crtbeginS.o%%s\n\n"
    "*endfile:\ncrtendS.o%%s %s/lib/crtn.o\n\n"
    "*link:\n-dynamic-linker /lib/%s -nostdlib %%{shared:-shared} "
    "%%{static:-static} %%{rdynamic:-export-dynamic}\n\n"
    "*esp_link:\n\n\n*esp_options:\n\n\n*esp_cpp_options:\n\n\n",
    root, root, root, root, root, root, ldso);
}

/* Write path only if its text differs: its time stays, and so do the keys
 * that name it */
static int write_same(const char *path, const char *text, mode_t mode)
{
  char *have = read_file(path, 0);
  int same = have && !strcmp(have, text);

  free(have);
  return same ? 0 : write_file(path, text, mode);
}

/* gcc's own directory for the target, as the wrapper shows it: links to
 * what gcc itself adds to a musl link (libgcc, crt*.o) and its headers.
 * Debian's real one also holds links to glibc's sanitizer and libstdc++
 * runtimes and the host's plugins (x86-64 .so files), which a script that
 * copies the search path's libraries (toybox's dynamic) must not see. */
static char *gcc_view(struct ctx *c, const char *cc, const char *dir,
                      char **real)
{
  static const char *const keep[] = {"include", "include-fixed", "libgcc.a",
    "libgcc_eh.a", "libgcov.a", "crtbegin.o", "crtbeginS.o", "crtbeginT.o",
    "crtend.o", "crtendS.o", "crtfastmath.o", 0};
  char *lib = run_line(c->env, (char *const[]){(char *)cc,
                                                "-print-libgcc-file-name", 0});
  char *view = xprintf("%s/gcc-lib", dir);
  int rc = !lib || !strrchr(lib, '/') || mkdirp(view, 0755), i;

  if (!lib) error_msg("%s -print-libgcc-file-name: failed", cc);
  if (!rc) *strrchr(lib, '/') = 0;
  *real = lib;
  for (i = 0; !rc && keep[i]; i++) {
    char *from = xprintf("%s/%s", lib, keep[i]);
    char *to = xprintf("%s/%s", view, keep[i]);

    if (exists(from)) rc = link_as(from, to);
    free(from);
    free(to);
  }
  if (!rc) return view;
  free(view);
  return 0;
}

/* The questions build scripts ask the compiler about itself, answered as
 * a musl-cross-make gcc answers them: libraries from musl's sysroot and
 * gcc's own directory for the target (gcc_view), never the host's or
 * Debian's glibc directories; programs from gcc's own (cc1) and by the
 * names in dir */
static char *cc_answers(const char *view, const char *real, const char *root,
                        const char *dir, const char *base, const char *cc)
{
  char *lib = xprintf("%s/lib", root), *qv = shell_quote(view);
  char *qr = shell_quote(real);
  char *ql = shell_quote(lib), *qd = shell_quote(dir), *qb = shell_quote(base);
  char *qc = shell_quote(cc);
  char *out = xprintf(
    "for a; do case \"$a\" in\n"
    "  -print-search-dirs)\n"
    "    printf 'install: %%s/\\nprograms: =%%s/:%%s/\\nlibraries: =%%s/:%%s/\\n' "
    "%s %s %s %s %s; exit ;;\n"
    "  -print-file-name=*)\n"
    "    for d in %s %s; do\n"
    "      [ -e \"$d/${a#*=}\" ] && { echo \"$d/${a#*=}\"; exit; }\n"
    "    done; echo \"${a#*=}\"; exit ;;\n"
    "  -print-prog-name=*)\n"
    "    [ -x %s/%s\"${a#*=}\" ] && { echo %s/%s\"${a#*=}\"; exit; }\n"
    "    exec %s \"$a\" ;;\n"
    "esac; done\n",
    qv, qr, qd, qv, ql, qv, ql, qd, qb, qd, qb, qc);

  free(lib);
  free(qr);
  free(qv);
  free(ql);
  free(qd);
  free(qb);
  free(qc);
  return out;
}

/* PREFIXcc's text: the real gcc, with musl's specs when root names a
 * musl sysroot (written to dir). When distcc is here, a compile alone (-c)
 * goes through it if DISTCC_HOSTS is set when the script runs (distcc.c);
 * distcc keeps a compile with -specs local, so that one names musl's
 * headers as the specs would (the sysroot's, then gcc's own). The text
 * doesn't depend on DISTCC_HOSTS: the step keys stay the same. */
static char *cc_script(struct ctx *c, const char *cc, const char *root,
                       const char *dir, const char *base)
{
  char *distcc = which(HOST_PATH, "distcc"), *qcc = shell_quote(cc);
  char *plain = 0, *dist = 0, *out = 0, *branch = 0, *answers = 0;

  if (root) {
    char *sp = xprintf("%s/musl.specs", dir), *ldso = musl_ldso(root);
    char *text = ldso ? specs(root, ldso) : 0, *qsp = shell_quote(sp);
    char *inc = run_line(c->env, (char *const[]){(char *)cc,
                                 "-print-file-name=include", 0});
    char *real = 0, *view = gcc_view(c, cc, dir, &real);

    if (!ldso) error_msg("%s/lib: no ld-musl-*.so.1", root);
    if (!inc) error_msg("%s -print-file-name=include: failed", cc);
    if (view) answers = cc_answers(view, real, root, dir, base, cc);
    free(view);
    free(real);
    if (ldso && inc && answers && !write_same(sp, text, 0644)) {
      /* and the flags musl's ABI needs, for every program (not the kernel) */
      const char *mf = c->t && c->t->muslflags ? c->t->muslflags : 0;

      plain = xprintf(" -specs=%s%s%s", qsp, mf ? " " : "", mf ? mf : "");
      char *ri = xprintf("%s/include", root), *qri = shell_quote(ri);
      char *qinc = shell_quote(inc);

      dist = xprintf(" -nostdinc -isystem %s -isystem %s%s%s", qri, qinc,
                     mf ? " " : "", mf ? mf : "");
      free(ri);
      free(qri);
      free(qinc);
    }
    free(sp);
    free(ldso);
    free(text);
    free(qsp);
    free(inc);
    if (!plain) goto done;
  }
  if (distcc)
    branch = xprintf("case \" $* \" in\n  *\" -c \"*) [ -n \"$DISTCC_HOSTS\" ] &&\n"
                     "    exec %s %s%s \"$@\" ;;\nesac\n", distcc, qcc,
                     dist ? dist : "");
  out = xprintf("#!/bin/sh\n# the target's gcc%s (mkroot's libc step)\n%s%s"
                "exec %s%s \"$@\"\n", root ? " with musl" : "",
                answers ? answers : "", branch ? branch : "", qcc,
                plain ? plain : "");
done:
  free(answers);
  free(distcc);
  free(qcc);
  free(plain);
  free(dist);
  free(branch);
  return out;
}

static int unlink_bare(const char *dir, const char *name)
{
  char *p = xprintf("%s/%s", dir, name);
  int rc = unlink(p) && errno != ENOENT;

  if (rc) perror_msg("%s", p);
  free(p);
  return rc ? -1 : 0;
}

/* build/TARGET/cc: the toolchain under the names module scripts use, for
 * every toolchain (Debian's has only PREFIXgcc, the seed's scripts call
 * PREFIXcc). PREFIXcc and PREFIXgcc run the real gcc, with musl's specs
 * when root names a musl sysroot; the other tools link to the real ones. */
static int tool_dir(struct ctx *c, const char *real, const char *root,
                    const char *dir, const char *base)
{
  static const char *const tools[] = {"ld", "as", "ar", "ranlib", "strip",
    "nm", "objcopy", "objdump", "readelf", "size", "strings", "addr2line", 0};
  char *cc = which(c->path, real), *script = 0;
  int rc = !cc || mkdirp(dir, 0755), i;

  if (!cc) error_msg("%s: not found", real);
  /* A LIBC=glibc build of the host writes the bare names here; with this
   * directory first on PATH they would stand in for the host's gcc (the
   * kernel's: its version text says "cc", and the image differs) */
  if (*base) {
    rc = rc || unlink_bare(dir, "cc") || unlink_bare(dir, "gcc");
    for (i = 0; !rc && tools[i]; i++) rc = unlink_bare(dir, tools[i]);
  }
  if (!rc && !(script = cc_script(c, cc, root, dir, base))) rc = -1;
  for (i = 0; !rc && i < 2; i++) {
    char *p = xprintf("%s/%s%s", dir, base, i ? "gcc" : "cc");

    /* written only if it differs: its time stays, and so do the step keys
     * that name it (a link from an older mkroot is replaced, by rename) */
    rc = write_same(p, script, 0755);
    free(p);
  }
  for (i = 0; !rc && tools[i]; i++) {
    char *name = xprintf("%s%s", c->kprefix, tools[i]);
    char *to = which(c->path, name), *p = xprintf("%s/%s%s", dir, base, tools[i]);

    if (to) rc = link_as(to, p);
    free(name);
    free(to);
    free(p);
  }
  free(script);
  free(cc);
  return rc;
}

/* Should this build get musl? 1 yes (*triple set), 0 no, -1 error */
static int libc_wanted(struct ctx *c, char **triple)
{
  char *real = ctx_cc(c);
  int want;

  *triple = run_line(c->env, (char *const[]){real, "-dumpmachine", 0});
  if (!*triple) error_msg("%s -dumpmachine: failed", real);
  want = *triple ? musl_wanted(c, *triple) : -1;
  free(real);
  return want;
}

/* -d: the musl source, if this build would use it */
int libc_download(struct ctx *c)
{
  char *triple;
  int rc = libc_wanted(c, &triple);

  if (rc > 0) rc = musl_source(c);
  free(triple);
  return rc < 0 ? -1 : rc;
}

/* The prefix musl's tools go by: the triple with musl for gnu
 * (aarch64-linux-musl-, arm-linux-musleabihf-, x86_64-linux-muslx32-), as
 * musl-cross-make names them. Natively too: the programs it makes need a
 * loader the host lacks, so configure scripts must know they cross
 * compile (--host=${CROSS_BASE%-}). */
static char *musl_base(const char *triple)
{
  const char *gnu = strstr(triple, "-gnu");

  if (!gnu) return xprintf("%s-", triple);
  return xprintf("%.*s-musl%s-", (int)(gnu - triple), triple, gnu + 4);
}

/* Point the build at build/TARGET/cc (CROSS_COMPILE), and put it first on
 * PATH, as the seed's mkroot.sh puts the cross compiler's directory before
 * the airlock: configure --host=${CROSS_BASE%-} looks for PREFIXgcc, ar,
 * strip ... there and would otherwise fall back to the host's cc. (Not
 * when the prefix is empty: cc there would be the host's own name.) */
static int tools_here(struct ctx *c, const char *real, const char *root,
                      const char *base)
{
  char *dir = xprintf("%s/cc", c->build);
  int rc = tool_dir(c, real, root, dir, base);

  if (!rc) {
    free(c->prefix);
    c->prefix = xprintf("%s/%s", dir, base);
    free(c->cc);
    c->cc = xstrdup("cc");
    if (*base) {
      char *path = xprintf("%s:%s", dir, c->path);

      free(c->path);
      c->path = path;
    }
    ctx_export(c);
  }
  free(dir);
  return rc;
}

int libc_setup(struct ctx *c)
{
  char *real = ctx_cc(c), *triple, *tree, *root, *tmp, *mk, *lockf, key[65];
  const char *base = strrchr(c->kprefix, '/');
  int want, rc = 0, lock;

  base = base ? base + 1 : c->kprefix;
  if ((want = libc_wanted(c, &triple)) <= 0) {
    free(triple);
    if (!want) want = tools_here(c, real, 0, base);
    free(real);
    return want;
  }
  if (!c->t)
    return target_unknown(xprintf("TARGET=%s", c->target),
                          "(no musl for it: LIBC=glibc)");
  /* gcc's spec language has no quoting: the sysroot's path must be plain */
  if (strpbrk(c->top, " \t\n%")) {
    error_msg("%s: a space or %% in the path: musl's specs can't name it "
              "(build elsewhere, or LIBC=glibc)", c->top);
    return -1;
  }
  tree = kernel_tree(c);
  mk = xprintf("%s/Makefile", tree);
  if (!exists(mk)) {
    error_msg("%s: not a kernel source tree (musl needs its headers: run "
              "'make deps', set LINUX=, or LIBC=glibc)", tree);
    return -1;
  }
  if (musl_source(c)) return -1;
  if (libc_key(c, triple, real, tree, key)) return -1;
  tmp = xprintf("%s/toolchain/musl", c->top);
  root = xprintf("%s/%s", tmp, key);
  if (mkdirp(tmp, 0755)) return -1;
  remove_stale_parts(tmp, 0);
  free(tmp);
  /* one musl per key, shared by the targets of this checkout: a second
   * build that wants it waits for the first's, then uses it */
  lockf = xprintf("%s.lock", root);
  if ((lock = open(lockf, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
    perror_msg("%s", lockf);
    rc = -1;
  } else if (flock(lock, LOCK_EX | LOCK_NB)) {
    say("libc musl: another build is making %s: waiting for it", root);
    if (flock(lock, LOCK_EX)) perror_msg("%s", lockf), rc = -1;
  }
  if (rc) {}
  else if (is_dir(root)) stage("libc musl (unchanged)");
  else {
    double t0 = now_secs();
    struct newdir d;

    stage("libc musl for %s", triple);
    rc = newdir_open(&d, root) || musl_build(c, triple, real, d.tmp)
      || newdir_commit(&d, 0);
    if (!rc) say("musl built in %.1fs", now_secs() - t0);
    if (rc) {
      log_fail("libc musl");
      newdir_abort(&d);
    }
  }
  if (lock >= 0) close(lock);
  free(lockf);
  if (!rc) {
    char *mbase = musl_base(triple);

    if (!(rc = tools_here(c, real, root, mbase))) c->libc = xstrdup(key);
    free(mbase);
  }
  free(root);
  free(mk);
  free(tree);
  free(triple);
  free(real);
  return rc;
}
