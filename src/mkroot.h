/* mkroot: shared declarations. One file per job under src/, see README. */
#ifndef MKROOT_H
#define MKROOT_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* util.c: memory, strings, paths, files */
void *xmalloc(size_t n);
char *xstrdup(const char *s);
char *xstrndup_(const char *s, size_t n);
char *xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void errx_(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
#define warnm warnx_
#define die errx_
int mkdirp(const char *path, mode_t mode);
int rmrf(const char *path);
int write_file(const char *path, const char *text, mode_t mode);
char *read_file(const char *path, size_t *len);
int is_dir(const char *path);
int exists(const char *path);
int copy_file(const char *from, const char *to, mode_t mode);
char *self_dir(void);
int ncpus(void);

/* log.c: the build's log, stage lines, running commands */
int log_open(const char *path, const char *cmdlog);
void log_close(void);
void stage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int run(char *const argv[]);
int runl(const char *arg0, ...) __attribute__((sentinel));
int run_in(const char *dir, char *const argv[]);
void log_fail(const char *what);
const char *log_path(void);
int log_fd(void);

/* args.c: command line and environment */
struct args {
  int n, d, l;
  char **vars;    /* NAME=VALUE, in order */
  int nvars;
  char **mods;    /* module names, in order */
  int nmods;
};
int parse_args(int argc, char **argv, struct args *a, char **why);
int env_keep(const char *name);
void clear_env(struct args *a);
void usage(FILE *f);

/* targets.c: the target table */
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
  const char *note;     /* why this target can't pass yet, or 0 */
};
const struct target *target_find(const char *name);
void target_list(FILE *f);
extern const struct target targets[];

/* toolchain.c */
const char *triplet_target(const char *prefix);
char *which(const char *name);
int cc_try(const char *cc, const char *code, const char *a, const char *b);
int libm_fix(const char *cc, const char *dir);
int toolchain_resolve(const char *cross, char **prefix_out, char **cc_out,
                      char **why);

/* sources.c */
int hash_check_form(const char *hash);
int file_hash(const char *path, int sha256, char out[65]);
int download(const char *dl_dir, const char *hash, const char *url);
int setupfor(const char *dl_dir, const char *build, const char *name, char **dir_out);
int cleanup_dir(const char *dir);

/* extract.c */
int extract_archive(const char *tarball, const char *dest, int strip);

/* linktree.c */
int link_tree(const char *from, const char *to);

/* rootfs.c, toybox.c, initbuild.c */
int rootfs_skeleton(const char *root);
int toybox_build(void);
int toybox_source(void);
int init_build(const char *root);

/* airlock.c */
int airlock_setup(void);

/* module.c */
int module_run(const char *name);
int module_list(FILE *f);
char *module_find(const char *name);

/* kernel.c, miniconfig.c */
char *microconfig_expand(const char *csv, const char *value);
char *miniconfig_make(const struct target *t, const char *kextra);
int symbol_check(const char *miniconf, const char *dotconfig, char **missing);
int kernel_build(const struct target *t);

/* cpio.c */
int cpio_write(const char *root, const char *out_gz, long long mtime);

/* qemu.c */
int qemu_script(const struct target *t, const char *outdir);

/* commands */
int mkroot_main(int argc, char **argv);
int cross_main(int argc, char **argv);
int run_main(int argc, char **argv);
char *launch_script(const char *name);
int built_targets(char ***out);
int clean_main(int argc, char **argv);
int boottest_main(int argc, char **argv);
int helper_main(int argc, char **argv);

/* the build's context, filled by mkroot_main */
struct build {
  char *top, *src, *output, *root, *build, *download, *target, *cross;
  char *prefix, *cc;  /* absolute CROSS_COMPILE prefix, cc or gcc */
  int cross_build;
};
extern struct build B;

#endif
