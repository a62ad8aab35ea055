/* step.h: the build's steps, each given the build context (ctx.h); no
 * step calls a command (cmd.h). */
#ifndef STEP_H
#define STEP_H

#include "ctx.h"

/* One file each. A root step's inputs() adds what it reads to its key
 * (the build adds the previous step's key and this program's own) */
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
int libc_download(struct ctx *c);
int kernel_headers(struct ctx *c, const char *karch, const char *include);
int musl_source(struct ctx *c);
char *musl_ldso(const char *root);
char *musl_sysroot(struct ctx *c, const char *triple, const char *real,
                   char key[65]);
int cc_wrap(struct ctx *c, const char *real, const char *root,
            const char *triple);
int module_run(struct ctx *c, const char *name, char **deps);
int module_list(struct ctx *c, FILE *f);
void module_missing(struct ctx *c, const char *name);
char *module_find(struct ctx *c, const char *name);
char *microconfig_expand(const char *csv, const char *value);
char *miniconfig_make(const struct target *t, const char *kextra,
                      const char *modules);
int symbol_check(const char *miniconf, const char *dotconfig, char **missing);
char *kernel_tree(struct ctx *c);
char *kpatch_path(struct ctx *c);
char *kpatch_tree(struct ctx *c, const char *tree);
int kpatch_view(struct ctx *c, const char *tree, const char *view);
char *kernel_key(struct ctx *c);
int kernel_image(struct ctx *c);
int kernel_modules(struct ctx *c);
int kernel_initramfs(struct ctx *c);
int initramfs_fits(struct ctx *c, const char *cpio);
int qemu_script(struct ctx *c);
int qemu_memory(struct ctx *c);
int root_has_ssh(const char *root);
int ssh_setup(struct ctx *c);

/* distcc.c: DISTCC_HOSTS's servers checked, the jobs they add */
int distcc_setup(struct ctx *c);

/* compiler.c: cross compilers from source, and the kit native.c
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
int tc_lock(const char *path, const char *what, const char *thing);
char *musl_arch(const char *triple);
char *toolchain_dir(struct ctx *c, int loud);
char *compiler_built(struct ctx *c);
int compiler_buildable(struct ctx *c);
char *compiler_build(struct ctx *c);
/* native.c: native compilers, as squashfs images */
char *native_image(struct ctx *c, int loud);
char *native_built(struct ctx *c);
int native_buildable(struct ctx *c);
char *native_build(struct ctx *c);
/* libfix.c: a libm.a whose members name files no package installs,
 * repaired */
int libm_fix(struct ctx *c, const char *cc, const char *dir);

#endif
