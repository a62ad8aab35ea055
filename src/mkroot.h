/* mkroot.h: the build. The library (lib/lib.h) knows nothing of builds;
 * this header declares the build's context (build/), the steps that use it
 * (step/) and the commands (cmd/). */
#ifndef MKROOT_H
#define MKROOT_H

#include "lib/lib.h"

/* build/args.c: mkroot's command line */
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

/* build/vars.c: every variable read by name, as a table: --help's list,
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

/* build/targets.c: the target table */
struct target {
  const char *name;     /* mkroot's name, as in output/NAME */
  const char *karch;    /* the kernel's ARCH= */
  const char *qemu;     /* qemu-system-QEMU */
  const char *machine;  /* board and CPU arguments */
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
  int nodisk;           /* its board has no disk controller */
  const char *kargs;    /* kernel arguments its board boots faster with */
};
const struct target *target_find(const char *name);
void target_list(FILE *f);
char *target_names(void);
int target_unknown(const char *what, const char *why);
extern const struct target targets[];

/* build/ctx.c: the one build context, filled once from the command line
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

/* build/distcc.c */
int distcc_setup(struct ctx *c);

/* build/toolchain.c */
const char *triplet_target(const char *prefix);
int cc_try(struct ctx *c, const char *cc, const char *code, const char *a,
           const char *b);
int toolchain_resolve(struct ctx *c, const char *cross, char **why);

/* build/compiler.c: cross compilers from source, and the kit native.c
 * shares: a table of sources (name: its directory in the work tree; file:
 * in download/; sha256 0 for a source directory), argv building, stages */
struct srcfile { const char *name, *file, *sha256; };
extern const struct srcfile gnusrc[];
extern const char *const binutils_conf[], *const gcc_conf[];
struct av { char *v[64]; int n; };
struct av *av(struct av *a, const char *cmd, const char *const *list, ...);
struct av *words(struct av *a, char *s);
int step(struct ctx *c, const char *what, const char *dir, struct av *a);
void step_count(int total);
int tc_sources(struct ctx *c, const struct srcfile *s);
int tc_unpack(struct ctx *c, const struct srcfile *s, const char *work);
int tc_space(const char *dir, int mib);
char *musl_arch(const char *triple);
char *toolchain_dir(struct ctx *c, int loud);
char *compiler_built(struct ctx *c);
int compiler_buildable(struct ctx *c);
char *compiler_build(struct ctx *c);
/* build/native.c: native compilers, as squashfs images */
char *native_image(struct ctx *c, int loud);
char *native_built(struct ctx *c);
int native_buildable(struct ctx *c);
char *native_build(struct ctx *c);
/* build/libfix.c */
int libm_fix(struct ctx *c, const char *cc, const char *dir);

/* build/cache.c: the root's steps, cached by key */
char *source_id(const char *path);
int cache_valid(struct ctx *c, const char *key);
int cache_env(struct ctx *c, const char *key);
int cache_restore(struct ctx *c, const char *key);
int cache_store(struct ctx *c, const char *key, const char *deps);
void cache_prune(struct ctx *c, char **keep, int n);
int stamp_ok(const char *stamp, const char *key);
int stamp_write(const char *stamp, const char *key, char *const files[]);

/* step/: one file each. A root step's inputs() adds what it reads to its
 * key (the build adds the previous step's key and this program's own) */
int rootfs_skeleton(struct ctx *c);
int toybox_source(struct ctx *c);
char *toybox_fetch(struct ctx *c);
int toybox_build(struct ctx *c);
int toybox_inputs(struct ctx *c, struct key *k);
int init_build(struct ctx *c);
int init_inputs(struct ctx *c, struct key *k);
int module_inputs(struct ctx *c, const char *name, struct key *k);
int airlock_setup(struct ctx *c);
int libc_setup(struct ctx *c);
int kernel_headers(struct ctx *c, const char *karch, const char *include);
int musl_source(struct ctx *c);
char *musl_ldso(const char *root);
int libc_download(struct ctx *c);
int module_run(struct ctx *c, const char *name, char **deps);
int module_list(struct ctx *c, FILE *f);
void module_missing(struct ctx *c, const char *name);
char *module_find(struct ctx *c, const char *name);
char *microconfig_expand(const char *csv, const char *value);
char *miniconfig_make(const struct target *t, const char *kextra,
                      const char *modules);
int symbol_check(const char *miniconf, const char *dotconfig, char **missing);
char *kernel_tree(struct ctx *c);
char *kernel_key(struct ctx *c);
int kernel_image(struct ctx *c);
int kernel_modules(struct ctx *c);
int kernel_initramfs(struct ctx *c);
int initramfs_fits(struct ctx *c, const char *cpio);
int cpio_write(const char *root, const char *out_gz, long long mtime);
struct cpio_in { const char *path, *name; };  /* a file or tree, its name */
int cpio_append(int fd, const struct cpio_in *in, int n, long long mtime);
int qemu_script(struct ctx *c);
int qemu_memory(struct ctx *c);
int root_has_ssh(const char *root);
int ssh_setup(struct ctx *c);

/* cmd/: the commands, one binary chosen by its name (main.c's table) */
struct command {
  const char *name;
  int (*main)(int, char **);
  void (*usage)(FILE *);
};
int man_page(FILE *f, const struct command *commands);
void files_list(FILE *f);
int mkroot_main(int argc, char **argv);
int cross_main(int argc, char **argv);
int cross_dialect(int argc, char **argv, struct args *a);
int run_main(int argc, char **argv);
int clean_main(int argc, char **argv);
int boottest_main(int argc, char **argv);
int helper_main(int argc, char **argv);
char *launch_script(const char *top, const char *name);
const struct target *script_target(const char *script);
FILE *new_output(const char *path);
char **disk_argv(const char *tmpl, const char *disk, int *n);
int frame_decode(const char *line, size_t len, const char *token,
                 unsigned char *buf, int *n);
int built_targets(const char *top, char ***out);

#endif
