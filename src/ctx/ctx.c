/* ctx.c: the build's context. Filled once, here, from the command line and
 * the environment; every step reads its variables through it (ctx_get),
 * and every child gets ctx->env as its whole environment. The process's
 * own environment is never changed.
 *
 * A module may set any variable for the modules and the kernel step after
 * it (KEXTRA, KARGS, QEMU_MORE, ...). One it did not export stays out of
 * every environment (ctx->sh): ctx_get reads it, and the next module's
 * shell gets it from a file (module.c). The variables that place the build
 * (TOP OUTPUT ROOT BUILD DOWNLOAD TARGET CROSS_COMPILE CROSS_BASE
 * CROSS_SHORT PATH) are set again after each module: a module can't move
 * the build. */
#define _GNU_SOURCE
#include "ctx.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static int list_find(char **list, int n, const char *name)
{
  size_t len = strlen(name);
  int i;

  for (i = 0; i < n; i++)
    if (!strncmp(list[i], name, len) && list[i][len] == '=') return i;
  return -1;
}

const char *ctx_get(const struct ctx *c, const char *name)
{
  int i = list_find(c->env, c->nenv, name);

  if (i >= 0) return c->env[i] + strlen(name) + 1;
  i = list_find(c->sh, c->nsh, name);
  return i < 0 ? 0 : c->sh[i] + strlen(name) + 1;
}

/* In *list (0-terminated), NAME=value; value 0 removes NAME */
static void list_set(char ***list, int *n, const char *name, const char *value)
{
  int i = list_find(*list, *n, name);

  if (i >= 0) {
    free((*list)[i]);
    (*list)[i] = (*list)[--*n];
    (*list)[*n] = 0;
  }
  if (!value) return;
  *list = xrealloc(*list, (*n + 2) * sizeof(char *));
  (*list)[(*n)++] = xprintf("%s=%s", name, value);
  (*list)[*n] = 0;
}

/* An exported variable; value 0 removes the variable */
void ctx_set(struct ctx *c, const char *name, const char *value)
{
  list_set(&c->sh, &c->nsh, name, 0);
  list_set(&c->env, &c->nenv, name, value);
}

/* A variable for mkroot and the modules' shells only */
void ctx_set_sh(struct ctx *c, const char *name, const char *value)
{
  list_set(&c->env, &c->nenv, name, 0);
  list_set(&c->sh, &c->nsh, name, value);
}

/* The variables, NAME=VALUE with a NUL after each, in the form a module's
 * shell writes them (module-api.sh): exported, unexported, then
 * MKROOT_SHVARS naming the unexported. sh_only: the unexported alone. */
char *ctx_vars(const struct ctx *c, int sh_only, size_t *len)
{
  size_t size = 16;
  char *out, *o;
  int i;

  for (i = 0; i < c->nenv; i++) size += strlen(c->env[i]) + 1;
  for (i = 0; i < c->nsh; i++) size += 2 * strlen(c->sh[i]) + 2;
  o = out = xmalloc(size);
  for (i = 0; !sh_only && i < c->nenv; i++) o = stpcpy(o, c->env[i]) + 1;
  for (i = 0; i < c->nsh; i++) o = stpcpy(o, c->sh[i]) + 1;
  if (!sh_only) {
    o = stpcpy(o, "MKROOT_SHVARS=");
    for (i = 0; i < c->nsh; i++)
      o += sprintf(o, "%.*s ", (int)strcspn(c->sh[i], "="), c->sh[i]);
    o++;
  }
  *len = o - out;
  return out;
}

int ctx_is(const struct ctx *c, const char *name)
{
  return is_true(ctx_get(c, name));
}

/* SOURCE_DATE_EPOCH: every time stamp of the initramfs (newc holds 32 bits) */
int ctx_epoch(const struct ctx *c, long long *out)
{
  const char *s = ctx_get(c, "SOURCE_DATE_EPOCH");
  unsigned long long v = 0;

  if (var_check("SOURCE_DATE_EPOCH", s)) return -1;
  if (s && *s) parse_uint(s, 0xffffffffULL, &v);
  *out = (long long)v;
  return 0;
}

/* MIRROR, DOWNLOAD_MAX (bytes, default 2 GiB), DOWNLOAD_TIMEOUT (seconds,
 * default an hour) */
int ctx_fetchopts(const struct ctx *c, struct fetchopts *o)
{
  const char *max = ctx_get(c, "DOWNLOAD_MAX"), *t = ctx_get(c, "DOWNLOAD_TIMEOUT");
  unsigned long long v;

  o->mirror = ctx_get(c, "MIRROR");
  o->maxbytes = 2ULL << 30;
  o->timeout = 3600;
  o->tarball = 0;
  if (var_check("DOWNLOAD_MAX", max) || var_check("DOWNLOAD_TIMEOUT", t))
    return -1;
  if (max && *max && !parse_uint(max, ~0ULL >> 1, &v)) o->maxbytes = v;
  if (t && *t && !parse_uint(t, LONG_MAX, &v)) o->timeout = (long)v;
  return 0;
}

/* EXTRACT_MAX (bytes, default 4 GiB) and EXTRACT_MAX_ENTRIES (default a
 * million): what one tarball may unpack to. The largest source mkroot
 * knows, the kernel's, is about 1.5 GB in 90,000 entries. */
int ctx_caps(const struct ctx *c, struct caps *caps)
{
  const char *max = ctx_get(c, "EXTRACT_MAX");
  const char *n = ctx_get(c, "EXTRACT_MAX_ENTRIES");
  unsigned long long v;

  caps->bytes = CAPS_BYTES;
  caps->entries = CAPS_ENTRIES;
  if (var_check("EXTRACT_MAX", max) || var_check("EXTRACT_MAX_ENTRIES", n))
    return -1;
  if (max && *max && !parse_uint(max, ~0ULL >> 1, &v)) caps->bytes = v;
  if (n && *n && !parse_uint(n, ~0ULL >> 1, &v)) caps->entries = v;
  return 0;
}

int ctx_run(struct ctx *c, const char *dir, char *const argv[])
{
  return run(c->env, dir, argv);
}

/* ctx_run for a long make: on a terminal, a count of the log's lines
 * holding mark, out of a dry run's count (make -n, fast where the build
 * can list its commands without running its configure: musl) when dry */
int ctx_make(struct ctx *c, const char *dir, char *const argv[],
             const char *name, const char *mark, int dry)
{
  long total = 0;
  int rc, i;

  if (log_tty() && dry) {
    char *n[64];

    n[0] = argv[0];
    n[1] = "-n";
    for (i = 1; argv[i] && i < 62; i++) n[i + 1] = argv[i];
    n[i + 1] = 0;
    if ((total = run_count(c->env, dir, n, mark)) < 0) total = 0;
  }
  if (log_tty()) meter_start(name, log_path(), 0, mark, total, 0);
  rc = run(c->env, dir, argv);
  meter_stop();
  return rc;
}

char *ctx_cc(const struct ctx *c)
{
  return xprintf("%s%s", c->prefix, c->cc);
}

/* Variables the tools read from the environment, so in the keys of the
 * steps that run them (a name ending in '*' is a prefix). A module's key
 * holds every variable already; a builtin step's, those of its tools. */
static const struct { const char *name; int tools; } tool_vars[] = {
  /* gcc and its driver */
  {"CPATH", T_CC}, {"C_INCLUDE_PATH", T_CC}, {"CPLUS_INCLUDE_PATH", T_CC},
  {"LIBRARY_PATH", T_CC}, {"COMPILER_PATH", T_CC}, {"GCC_EXEC_PREFIX", T_CC},
  {"SOURCE_DATE_EPOCH", T_CC},
  /* toybox's scripts/make.sh and install.sh */
  {"ASAN", T_TOYBOX}, {"HOSTCC", T_TOYBOX | T_KERNEL}, {"LDOPTIMIZE", T_TOYBOX},
  {"NOSTRIP", T_TOYBOX}, {"OPTIMIZE", T_TOYBOX}, {"PEDANTIC", T_TOYBOX},
  {"STRIP", T_TOYBOX}, {"UNSTRIPPED", T_TOYBOX}, {"GENDIR", T_TOYBOX},
  {"OUTNAME", T_TOYBOX}, {"KCONFIG_CONFIG", T_TOYBOX | T_KERNEL},
  /* kbuild */
  {"KCFLAGS", T_KERNEL}, {"KCPPFLAGS", T_KERNEL}, {"KAFLAGS", T_KERNEL},
  {"KRUSTFLAGS", T_KERNEL}, {"LOCALVERSION", T_KERNEL},
  {"HOSTCFLAGS", T_KERNEL}, {"HOSTCXXFLAGS", T_KERNEL},
  {"HOSTLDFLAGS", T_KERNEL}, {"HOSTLDLIBS", T_KERNEL},
  {"HOSTRUSTFLAGS", T_KERNEL}, {"LLVM", T_KERNEL}, {"LLVM_IAS", T_KERNEL},
  {"KBUILD_*", T_KERNEL}, {"KCONFIG_*", T_KERNEL},
  {"INSTALL_MOD_STRIP", T_KERNEL},
  {0, 0}
};

/* Each variable of the build that tools reads, in the key (by name, so
 * the order of the environment doesn't matter) */
void ctx_tool_key(const struct ctx *c, struct key *k, int tools)
{
  int i, j;

  for (i = 0; tool_vars[i].name; i++) {
    const char *n = tool_vars[i].name;
    size_t len = strcspn(n, "*");

    if (!(tool_vars[i].tools & tools)) continue;
    if (!n[len]) key_str(k, n, ctx_get(c, n));
    else for (j = 0; j < c->nenv; j++)
      if (!strncmp(c->env[j], n, len)) key_str(k, n, c->env[j]);
  }
}

/* Variables that say only where the compiles run, not what they make:
 * in no key, and a cached step leaves this build's values (cache.c) */
static const char *const where_vars[] = {"DISTCC_HOSTS", "DISTCC_DIR",
  "DISTCC_FALLBACK", "DISTCC_IO_TIMEOUT", "DISTCC_VERBOSE", "DISTCC_LOG",
  "DISTCC_BACKOFF_PERIOD", "DISTCC_SKIP_LOCAL_RETRY", 0};

int ctx_unkeyed(const char *nameval)
{
  int i;

  if (!strncmp(nameval, "MKROOT_", 7)) return 1;
  for (i = 0; where_vars[i]; i++) {
    size_t n = strlen(where_vars[i]);

    if (!strncmp(nameval, where_vars[i], n) && (!nameval[n] || nameval[n] == '='))
      return 1;
  }
  return 0;
}

/* The compiler, as a key input: the driver's path, size and time, the
 * target's flags and the libc, and what gcc reads from the environment;
 * for the kernel, the real compiler alone */
int ctx_cc_key(const struct ctx *c, struct key *k, int kernel)
{
  char *cc = kernel ? xprintf("%sgcc", c->kprefix) : ctx_cc(c);
  char *path = which(c->path, cc);
  int rc = path ? key_tool(k, "cc", path) : -1;

  if (!path) error_msg("%s: not found", cc);
  ctx_tool_key(c, k, T_CC);
  if (!kernel) {  /* the kernel's build takes neither */
    key_str(k, "cflags", c->t ? c->t->cflags : "");
    key_str(k, "libc", c->libc);
  }
  free(cc);
  free(path);
  return rc;
}

static char *absolute(const char *top, const char *p)
{
  return *p == '/' ? xstrdup(p) : xprintf("%s/%s", top, p);
}

/* MODULES is toybox's: kernel symbols built as loadable modules
 * ("FSCACHE,CACHEFILES"). It used to name module directories here, now
 * MODULE_PATH's job: a value that looks like one says so. */
int ctx_modules_ok(const struct ctx *c)
{
  const char *m = ctx_get(c, "MODULES"), *s;

  if (!m) return 0;
  for (s = m; *s; s += strcspn(s, ", \t\n"), s += !!*s) {
    size_t n = strcspn(s, ", \t\n"), i;
    char *one = xstrndup(s, n);
    int bad = 0;

    for (i = 0; i < n; i++)
      bad |= !(one[i] == '_' || (one[i] >= 'A' && one[i] <= 'Z')
               || (one[i] >= 'a' && one[i] <= 'z') || (one[i] >= '0' && one[i] <= '9'));
    if (bad && (strchr(one, '/') || is_dir(one)))
      error_msg("MODULES=%s: MODULES lists kernel symbols to build as modules "
                "now (toybox's meaning); module directories go in "
                "MODULE_PATH=%s", m, m);
    else if (bad) error_msg("MODULES=%s: '%s' is not a kernel symbol", m, one);
    free(one);
    if (bad) return -1;
  }
  return 0;
}

/* Paths the user typed are relative to where mkroot started, not to the
 * module's scratch directory it is read in: MODULE_PATH's entries and
 * OVERLAY made absolute */
static void absolute_vars(struct ctx *c)
{
  const char *mp = ctx_get(c, "MODULE_PATH"), *ov = ctx_get(c, "OVERLAY");
  char *copy, *s, *save = 0, *out = 0;

  if (ov && *ov && *ov != '/') {
    char *abs = absolute(c->top, ov);

    ctx_set(c, "OVERLAY", abs);
    free(abs);
  }
  if (!mp || !*mp) return;
  copy = xstrdup(mp);
  for (s = strtok_r(copy, ": ", &save); s; s = strtok_r(0, ": ", &save)) {
    char *abs = absolute(c->top, s), *o = xprintf("%s%s%s", out ? out : "",
                                                  out ? ":" : "", abs);

    free(out);
    free(abs);
    out = o;
  }
  ctx_set(c, "MODULE_PATH", out ? out : "");
  free(out);
  free(copy);
}

/* The variables that place the build, for every child. Modules' BUILD is
 * a directory of their own, so no name setupfor is given reaches mkroot's
 * own directories in build/NAME (the kernel's objects, the cc wrapper,
 * the step cache). */
void ctx_export(struct ctx *c)
{
  const char *base = strrchr(c->prefix, '/');
  char *mods = xprintf("%s/modules", c->build);

  ctx_set(c, "TOP", c->top);
  ctx_set(c, "OUTPUT", c->output);
  ctx_set(c, "ROOT", c->root);
  ctx_set(c, "BUILD", mods);
  free(mods);
  ctx_set(c, "DOWNLOAD", c->download);
  ctx_set(c, "TARGET", c->target);
  ctx_set(c, "CROSS_COMPILE", *c->prefix ? c->prefix : 0);
  ctx_set(c, "CROSS_BASE", base ? base + 1 : c->prefix);
  ctx_set(c, "CROSS_SHORT", c->name);
  ctx_set(c, "PATH", c->path);
  ctx_set(c, "MKROOT_SELF", xprintf("%s/mkroot", c->src));
}

int ctx_init(struct ctx *c, struct args *a)
{
  extern char **environ;
  const char *target, *dl, *cross;
  char cwd[PATH_MAX], *why, **e;
  struct utsname u;
  int i;

  memset(c, 0, sizeof(*c));
  c->a = *a;
  c->env = xmalloc(sizeof(char *));   /* never 0: run() would pass ours */
  *c->env = 0;
  for (e = environ; *e; e++) {
    char *name = xstrndup(*e, strcspn(*e, "="));

    if (strchr(*e, '=') && env_keep(name)) ctx_set(c, name, strchr(*e, '=') + 1);
    free(name);
  }
  for (i = 0; i < a->nvars; i++) {
    char *name = xstrndup(a->vars[i], strcspn(a->vars[i], "="));

    ctx_set(c, name, strchr(a->vars[i], '=') + 1);
    free(name);
  }
  if (!getcwd(cwd, sizeof(cwd))) perror_exit("getcwd");
  c->top = xstrdup(cwd);
  c->src = self_dir();
  absolute_vars(c);
  if (ctx_modules_ok(c)) return -1;
  c->path = xstrdup(ctx_get(c, "PATH") ? ctx_get(c, "PATH") : "/usr/bin:/bin");
  if (vars_check(c)) return -1;
  cross = ctx_get(c, "CROSS_COMPILE");
  if (!cross) cross = "";
  if (toolchain_resolve(c, cross, &why)) {
    error_msg("%s", why);
    return -1;
  }
  c->cross = !!*cross;
  c->kprefix = xstrdup(c->prefix);
  /* output/NAME: an explicit TARGET= names it, else the compiler does */
  uname(&u);
  target = ctx_get(c, "TARGET");
  if (target && *target) {
    if (var_check("TARGET", target)) return -1;
    c->name = xstrdup(target);
    c->target = xstrdup(target);
  } else {
    c->name = xstrdup(c->cross ? triplet_target(cross) : "host");
    c->target = xstrdup(c->cross ? c->name : u.machine);
  }
  c->t = target_find(c->target);
  dl = ctx_get(c, "DOWNLOAD");
  c->download = dl && *dl ? absolute(c->top, dl) : xprintf("%s/download", c->top);
  c->outtop = xprintf("%s/output", c->top);
  c->output = xprintf("%s/%s", c->outtop, c->name);
  c->root = xprintf("%s/root", c->output);
  c->build = xprintf("%s/build/%s", c->top, c->name);
  ctx_export(c);
  return 0;
}

/* For the module API's helper: the build's variables, from the environment
 * the build gave the module */
int ctx_from_env(struct ctx *c)
{
  extern char **environ;
  char **e;

  memset(c, 0, sizeof(*c));
  c->env = xmalloc(sizeof(char *));
  *c->env = 0;
  for (e = environ; *e; e++) {
    char *name = xstrndup(*e, strcspn(*e, "="));

    if (strchr(*e, '=')) ctx_set(c, name, strchr(*e, '=') + 1);
    free(name);
  }
  c->download = (char *)ctx_get(c, "DOWNLOAD");
  c->build = (char *)ctx_get(c, "BUILD");
  return 0;
}

/* After a module: the variables it left (ctx_vars' form, as its shell
 * wrote them) become the build's, less the shell's own, with the build's
 * placing variables set again */
int ctx_load_env(struct ctx *c, const char *path)
{
  static const char *const skip[] = {"PWD", "OLDPWD", "SHLVL", "_",
    "MKROOT_MODULE", "MKROOT_ENVOUT", "MKROOT_SETUP", "MKROOT_DEPS",
    "MKROOT_SHVARS", 0};
  size_t len, i;
  char *data = read_file(path, &len), *sh = xstrdup(" ");

  if (!data) {
    perror_msg("%s", path);
    return -1;
  }
  for (i = 0; i < len; i += strlen(data + i) + 1)
    if (!strncmp(data + i, "MKROOT_SHVARS=", 14)) {
      free(sh);
      sh = xprintf(" %s ", data + i + 14);
    }
  while (c->nenv) free(c->env[--c->nenv]);
  while (c->nsh) free(c->sh[--c->nsh]);
  c->env[0] = 0;
  for (i = 0; i < len; i += strlen(data + i) + 1) {
    char *eq = strchr(data + i, '='), *name, *word;
    int j, keep = 1;

    if (!eq) continue;
    name = xstrndup(data + i, eq - (data + i));
    word = xprintf(" %s ", name);
    for (j = 0; skip[j]; j++) if (!strcmp(name, skip[j])) keep = 0;
    if (keep && strstr(sh, word)) ctx_set_sh(c, name, eq + 1);
    else if (keep) ctx_set(c, name, eq + 1);
    free(word);
    free(name);
  }
  free(sh);
  free(data);
  ctx_export(c);
  return 0;
}

/* A context for building t's toolchains on this machine (./cross
 * toolchain, the native module, the launch script finding its image): the
 * host's compilers, t as the target */
int ctx_host(struct ctx *c, const struct target *t)
{
  static char *vars[2];
  struct args a = {.vars = vars, .nvars = 2};

  vars[0] = "CROSS_COMPILE=";
  vars[1] = xprintf("TARGET=%s", t->name);
  return ctx_init(c, &a);
}
