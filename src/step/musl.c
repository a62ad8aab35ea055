/* musl.c: the musl sysroot, built from source (libc.c decides when a build
 * gets one; ccwrap.c points the target's gcc at it):
 *
 *   toolchain/musl/KEY/ musl's lib/ and include/ plus the kernel's
 *                       headers, built once per key (musl's source, the
 *                       target triple, the compiler, its flags, the kernel
 *                       headers' version) in a temporary directory, then
 *                       renamed: a half-built sysroot is never used (static
 *                       libc.a and shared libc.so, whose ld-musl-ARCH.so.1
 *                       link is relative). It is part of the toolchain,
 *                       kept where the built compilers are: ./clean leaves
 *                       it, as the seed's musl stays with its
 *                       musl-cross-make compiler.
 *
 * The kernel's headers and musl's loader link serve the toolchain builder
 * (compiler.c) too. */
#define _GNU_SOURCE
#include "step.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MUSL_FILE "musl-1.2.3.tar.gz"
#define MUSL_URL "https://musl.libc.org/releases/" MUSL_FILE
#define MUSL_SHA1 "3b6b673196c2dc96b24c5d6028c5fa922457dd26"

static int musl_key(struct ctx *c, const char *triple, const char *real,
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

/* The dynamic loader's name musl installed (ld-musl-ARCH.so.1, ARCH as
 * musl spells it: armhf, mipsel-sf, ...), its link made relative so the
 * sysroot's copy can be followed; 0 if there is none */
char *musl_ldso(const char *root)
{
  char *lib = xprintf("%s/lib", root), *name = 0, **names = dir_names(lib);
  size_t i;

  for (i = 0; names && !name && names[i]; i++)
    if (!strncmp(names[i], "ld-musl-", 8)) name = xstrdup(names[i]);
  free_names(names);
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

/* toolchain/musl/KEY for this build's compiler (real, whose target is
 * triple), built unless it is there already; its key into key. 0 on
 * failure. */
char *musl_sysroot(struct ctx *c, const char *triple, const char *real,
                   char key[65])
{
  char *tree, *root, *tmp, *mk, *lockf;
  int rc = 0, lock;

  if (!c->t) {
    target_unknown(xprintf("TARGET=%s", c->target),
                   "(no musl for it: LIBC=glibc)");
    return 0;
  }
  /* gcc's spec language has no quoting: the sysroot's path must be plain */
  if (strpbrk(c->top, " \t\n%")) {
    error_msg("%s: a space or %% in the path: musl's specs can't name it "
              "(build elsewhere, or LIBC=glibc)", c->top);
    return 0;
  }
  tree = kernel_tree(c);
  mk = xprintf("%s/Makefile", tree);
  rc = !exists(mk);
  if (rc)
    error_msg("%s: not a kernel source tree (musl needs its headers: run "
              "'make deps', set LINUX=, or LIBC=glibc)", tree);
  rc = rc || musl_source(c) || musl_key(c, triple, real, tree, key);
  free(mk);
  free(tree);
  if (rc) return 0;
  tmp = xprintf("%s/toolchain/musl", c->top);
  root = xprintf("%s/%s", tmp, key);
  if (mkdirp(tmp, 0755)) {
    free(tmp);
    free(root);
    return 0;
  }
  remove_stale_parts(tmp, 0);
  free(tmp);
  /* one musl per key, shared by the targets of this checkout: a second
   * build that wants it waits for the first's, then uses it */
  lockf = xprintf("%s.lock", root);
  if ((lock = tc_lock(lockf, "libc musl", root)) < 0) rc = -1;
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
  if (!rc) return root;
  free(root);
  return 0;
}
