/* ccwrap.c: build/TARGET/cc, the compiler the build sees: PREFIXgcc and
 * PREFIXcc run the real gcc, with a specs file naming the musl sysroot
 * (musl.c) when the build has one; PREFIXld, ar, strip ... link to the real
 * tools. CROSS_COMPILE points here (natively too), so toybox, /init and
 * modules get musl without knowing, and every toolchain gets the names
 * module scripts use (Debian's has only PREFIXgcc, the seed's scripts call
 * PREFIXcc). The kernel is built with the real compiler (c->kprefix). */
#define _GNU_SOURCE
#include "step.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
 * when the prefix is empty: cc there would be the host's own name.) root
 * names the musl sysroot for the real gcc (whose target is triple), or is
 * 0 for the toolchain's own C library. */
int cc_wrap(struct ctx *c, const char *real, const char *root,
            const char *triple)
{
  const char *slash = strrchr(c->kprefix, '/');
  /* musl's tools by musl's names, the toolchain's by its own */
  char *base = root ? musl_base(triple)
                    : xstrdup(slash ? slash + 1 : c->kprefix);
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
  free(base);
  return rc;
}

