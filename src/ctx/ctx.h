/* ctx.h: the build's context layer: what a build is and knows (its
 * command line, variables, targets, compiler and step cache), nothing that
 * produces anything. The layers, each using only those below it, the
 * compiler seeing only their headers (the Makefile's include paths) and
 * "make layers" checking the objects:
 *   cmd/   the commands: cmd.h
 *   step/  the build's steps, each given the context: step.h
 *   ctx/   the context: ctx.h
 *   lib/   the library, knowing nothing of builds: lib.h */
#ifndef CTX_H
#define CTX_H

#include "lib.h"

/* ctx/args.c: mkroot's command line */
struct args {
  int n, d, l;
  char **vars;    /* NAME=VALUE, in order */
  int nvars;
  char **mods;    /* module names, in order */
  int nmods;
};
struct opt { char letter; size_t off; const char *text; };
extern const struct opt mkroot_opts[];
extern const char mkroot_synopsis[], mkroot_about[], mkroot_varsabout[];
int parse_args(int argc, char **argv, struct args *a, char **why);
int env_keep(const char *name);
void mkroot_usage(FILE *f);

/* ctx/vars.c: every variable read by name, as a table: --help's list,
 * the README's, checks on values, near-miss names */
enum var_who { V_BUILD, V_MODULE, V_COMMAND, V_SET, V_GUEST };
struct var {
  const char *name, *dflt, *meaning;
  const char *(*check)(const char *value);  /* why a value is bad, or 0 */
  enum var_who who;   /* who reads it */
};
extern const struct var vars[];
const struct var *var_find(const char *name);
const char *var_heading(int who);
int var_check(const char *name, const char *value);
void vars_usage(FILE *f);
void vars_markdown(FILE *f);
void vars_names(FILE *f);

/* ctx/targets.c: the target table */
struct target {
  const char *name;     /* mkroot's name, as in output/NAME */
  const char *karch;    /* the kernel's ARCH= */
  const char *qemu;     /* qemu-system-QEMU */
  const char *machine;  /* board and CPU arguments */
  const char *nic;      /* its own NIC's arguments, or 0 (the board's): left
                           out when QEMU_MORE or the launch script's
                           arguments bring one (-nic, -net, -netdev) */
  const char *console;  /* console= device */
  const char *image;    /* kernel image, relative to the kernel build */
  const char *dtb;      /* device tree to copy, or 0 */
  const char *disk;     /* QEMU arguments attaching a disk image "%s" */
  const char *kconf;    /* the target's symbols, microconfig form */
  const char *kconfig;  /* raw .config lines (non-y values), or 0 */
  const char *cflags;   /* extra flags for the target's compiler, or 0 */
  const char *debian;   /* Debian's cross compiler prefix for it */
  const char *cantpass; /* the boottest checks it can't pass ("disk,poweroff"),
                           or 0: the matrix fails it if one of them passes */
  const char *note;     /* why it can't pass them */
  const char *nomusl;   /* why it keeps glibc (LIBC=musl can't work), or 0 */
  const char *muslflags;  /* flags musl's ABI needs on Debian's gcc, or 0 */
  const char *glibcnote;  /* why it can't pass with LIBC=glibc, or 0 */
  const char *gcc;      /* the triple mkroot builds a compiler for: always
                           without debian (Debian has none that works),
                           with TOOLCHAIN=source for the others; or 0 */
  const char *gccconf;  /* gcc's configure options for it, or 0 */
  int typems;           /* ms per typed character its console needs */
  const char *diskdev;  /* the guest's device (a glob) for that disk, or 0:
                           /dev/[hsv]d[a-z] */
  int diskmib;          /* the disk image's size when the board wants an
                           exact one (a flash chip), or 0: any */
  const char *kargs;    /* kernel arguments its board boots faster with, or
                           POWEROFF=1: /init powers off rather than resets */
  const char *xdrive;   /* the -device (and its slot) for an extra read-only
                           drive, the native module's image; or 0: none */
  int memory;           /* MiB its guest needs by default, or 0: 256 */
  const char *kpatch;   /* patches/KPATCH.patch, applied to a view of the
                           kernel tree for it (kpatch.c), or 0 */
};
const struct target *target_find(const char *name);
void target_list(FILE *f);
char *target_names(void);
int target_unknown(const char *what, const char *why);
const char *target_qemu_pkg(const struct target *t);
char *target_gcc_pkg(const struct target *t);
void targets_markdown(FILE *f);
extern const struct target targets[];

/* ctx/ctx.c: the one build context, filled once from the command line
 * and the (cleared) environment, passed to every step. Its env is the
 * environment every child of the build gets, and nothing else. */
struct ctx {
  struct args a;
  char *top, *src, *download, *output, *root, *build;
  char *outtop;       /* TOP/output: below it, the guest's (beneath.c) */
  char *prefix, *cc;  /* absolute CROSS_COMPILE prefix; "cc" or "gcc" */
  char *kprefix;      /* the real compiler's prefix, for the kernel */
  char *libc;         /* the musl sysroot's key, or 0 for the toolchain's own */
  char *name;         /* output/NAME: CROSS_SHORT, "host" natively */
  char *target;       /* TARGET: uname -m natively */
  const struct target *t;  /* its row, or 0 */
  int cross;          /* a cross build */
  char *path;         /* the build's PATH (the airlock for cross builds) */
  char *distcc;       /* distcc's path when DISTCC_HOSTS has servers, or 0 */
  int jobs;           /* make -j: the cores here, plus distcc's slots */
  char **env;         /* NAME=VALUE: every child's whole environment */
  int nenv;
  char **sh;          /* variables a module set and did not export: read by
                       * ctx_get and the next module's shell, in no
                       * environment */
  int nsh;
  char self[65];      /* this program's hash: part of every root step's key */
};
const char *ctx_get(const struct ctx *c, const char *name);
void ctx_set(struct ctx *c, const char *name, const char *value);
void ctx_set_sh(struct ctx *c, const char *name, const char *value);
char *ctx_vars(const struct ctx *c, int sh_only, size_t *len);
int ctx_is(const struct ctx *c, const char *name);
int ctx_epoch(const struct ctx *c, long long *out);
int ctx_fetchopts(const struct ctx *c, struct fetchopts *o);
int ctx_caps(const struct ctx *c, struct caps *caps);
int ctx_init(struct ctx *c, struct args *a);
int ctx_host(struct ctx *c, const struct target *t);
int vars_check(struct ctx *c);
int ctx_modules_ok(const struct ctx *c);
int ctx_from_env(struct ctx *c);
void ctx_export(struct ctx *c);
int ctx_load_env(struct ctx *c, const char *path);
int ctx_run(struct ctx *c, const char *dir, char *const argv[]);
int ctx_make(struct ctx *c, const char *dir, char *const argv[],
             const char *name, const char *mark, int dry);
/* what a line of musl's make says when it compiles a file */
#define MUSL_CC "-c -o obj/"
char *ctx_cc(const struct ctx *c);
int ctx_cc_key(const struct ctx *c, struct key *k, int kernel);
enum { T_CC = 1, T_TOYBOX = 2, T_KERNEL = 4 };  /* tools, for ctx_tool_key */
void ctx_tool_key(const struct ctx *c, struct key *k, int tools);
int ctx_unkeyed(const char *nameval);

/* The host's own tools, whatever PATH the build has (the airlock has no
 * ssh-keygen or distcc) */
#define HOST_PATH "/usr/local/bin:/usr/bin:/bin"

/* ctx/toolchain.c */
const char *triplet_target(const char *prefix);
int cc_try(struct ctx *c, const char *cc, const char *code, const char *a,
           const char *b);
int toolchain_resolve(struct ctx *c, const char *cross, char **why);

/* ctx/cache.c: the root's steps, cached by key */
char *source_id(const char *path);
int cache_valid(struct ctx *c, const char *key);
int cache_env(struct ctx *c, const char *key);
int cache_restore(struct ctx *c, const char *key);
int cache_store(struct ctx *c, const char *key, const char *deps);
void cache_prune(struct ctx *c, char **keep, int n);
int stamp_ok(const char *stamp, const char *key);
int stamp_write(const char *stamp, const char *key, char *const files[]);

#endif
