/* module.c: run module/NAME shell scripts with the seed's API. bash runs
 * module-api.sh beside this file, which defines download, setupfor,
 * cleanup, die and announce (the first three call back into this
 * program), sources the module, and on success dumps its variables, which
 * become the build's (ctx.c): every variable a module sets stays in force
 * for the modules after it and for the kernel step, as if every module
 * were sourced into one shell, the seed's way. Those it exported reach
 * every later program's environment; those it did not reach only the
 * later modules' shells, through a file (.sh-NAME) the API reads.
 *
 * A module runs in a scratch directory, build/NAME/module-NAME, not in the
 * checkout: stray files (a.out) land there and are deleted with it. The
 * checkout's directories are linked into it, so a relative path the seed
 * resolves against TOP (overlay's default "overlay") still works; its
 * files are not, so a stale one left in the checkout is never read.
 * Modules' $BUILD is build/NAME/modules: whatever setupfor is asked for,
 * it can't reach mkroot's own directories beside it (linux, cc, steps).
 *
 * With -d only the modules' download lines run (module-api.sh). */
#define _GNU_SOURCE
#include "step.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The module API, read when a module runs (like init.c) */
static char *api_path(struct ctx *c)
{
  return xprintf("%s/src/step/module-api.sh", c->src);
}

/* Module directories: those in $MODULE_PATH (users' own, searched first),
 * then the module/ directory beside this program. (MODULES is toybox's:
 * kernel symbols built as loadable modules, kernel.c.) */
static char **module_dirs(struct ctx *c, int *n)
{
  const char *extra = ctx_get(c, "MODULE_PATH");
  char *copy = xstrdup(extra ? extra : ""), *s, *save = 0;
  char **dirs = xmalloc((strlen(copy) / 2 + 3) * sizeof(char *));

  *n = 0;
  for (s = strtok_r(copy, ": ", &save); s; s = strtok_r(0, ": ", &save))
    dirs[(*n)++] = s;
  dirs[(*n)++] = xprintf("%s/module", c->src);
  return dirs;
}

char *module_find(struct ctx *c, const char *name)
{
  int n, i;
  char **dirs = module_dirs(c, &n), *p;

  if (!valid_name(name)) return 0;
  for (i = 0; i < n; i++) {
    p = xprintf("%s/%s", dirs[i], name);
    if (!access(p, R_OK) && !is_dir(p)) return p;
    free(p);
  }
  return 0;
}

/* Why name can't be found: one line, then what can be */
void module_missing(struct ctx *c, const char *name)
{
  const char *mp = ctx_get(c, "MODULE_PATH");

  if (mp && *mp) error_msg("%s: no such module in MODULE_PATH=%s or %s/module; "
                           "available:", name, mp, c->src);
  else error_msg("%s: no such module; available:", name);
  module_list(c, stderr);
}

int module_list(struct ctx *c, FILE *f)
{
  int n, i;
  char **dirs = module_dirs(c, &n);

  fprintf(f, "kernel");
  for (i = 0; i < n; i++) {
    char **names = dir_names(dirs[i]);
    size_t j;

    for (j = 0; names && names[j]; j++)
      if (*names[j] != '.') fprintf(f, " %s", names[j]);
    free_names(names);
  }
  fputc('\n', f);
  return 0;
}

static int by_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Is path one of the build's own (TOP, or what holds it; output/, build/,
 * the sources, mkroot's own), or the host system's: not a module's input */
static int not_input(struct ctx *c, const char *real)
{
  static const char *const sys[] = {"/usr", "/bin", "/sbin", "/lib",
    "/lib32", "/lib64", "/libx32", "/proc", "/sys", "/dev", "/run", 0};
  char *build = xprintf("%s/build", c->top);
  const char *own[] = {c->outtop, c->download, c->src, build, 0};
  char *top = xprintf("%s/", c->top), *r = xprintf("%s/", real);
  int i, no = !strncmp(top, r, strlen(r));    /* TOP or above it */

  for (i = 0; !no && own[i]; i++) {
    size_t n = strlen(own[i]);

    no = !strncmp(real, own[i], n) && (!real[n] || real[n] == '/');
  }
  for (i = 0; !no && sys[i]; i++) {
    size_t n = strlen(sys[i]);

    no = !strncmp(real, sys[i], n) && (!real[n] || real[n] == '/');
  }
  free(top);
  free(r);
  free(build);
  return no;
}

/* A variable's value, or each ':'-separated part of it, that names an
 * existing file or directory outside the build (absolute, or relative to
 * TOP, as the module's scratch directory resolves it) is something the
 * module may read: its manifest (paths, modes, sizes, times) goes in the
 * key, so an edited OVERLAY file reruns the overlay module. Not these:
 * PATH (the host's tools), LINUX (the kernel step's, keyed there),
 * MODULE_PATH (each module's own script is in its key). */
static int path_inputs(struct ctx *c, const char *nameval, struct key *k)
{
  static const char *const skip[] = {"PATH", "LINUX", "MODULE_PATH", 0};
  size_t n = strcspn(nameval, "=");
  char *copy, *s, *save = 0;
  int i, rc = 0;

  for (i = 0; skip[i]; i++)
    if (strlen(skip[i]) == n && !strncmp(nameval, skip[i], n)) return 0;
  if (!nameval[n]) return 0;
  copy = xstrdup(nameval + n + 1);
  for (s = strtok_r(copy, ":", &save); !rc && s; s = strtok_r(0, ":", &save)) {
    char *abs = *s == '/' ? xstrdup(s) : xprintf("%s/%s", c->top, s), *real;

    if (strlen(s) < 4096 && exists(abs) && (real = realpath(abs, 0))) {
      if (!not_input(c, real)) {
        key_str(k, "input", abs);
        rc = key_tree(k, "input", real, 0);
      }
      free(real);
    }
    free(abs);
  }
  free(copy);
  return rc;
}

/* The script, the API and every variable of the build (a module may read
 * any), sorted (the order a shell left them in means nothing), less our
 * own bookkeeping and those that only say where compiles run; and the
 * files and directories the variables name */
int module_inputs(struct ctx *c, const char *name, struct key *k)
{
  char *path = module_find(c, name), *api = api_path(c);
  char **v = xmalloc((c->nenv + c->nsh + 1) * sizeof(char *));
  int i, n = 0, rc = path ? key_file(k, "script", path) : -1;

  if (!path) module_missing(c, name);
  if (!rc) rc = key_file(k, "api", api);
  for (i = 0; i < c->nenv; i++) if (!ctx_unkeyed(c->env[i])) v[n++] = c->env[i];
  qsort(v, n, sizeof(char *), by_str);
  for (i = 0; i < n; i++) key_str(k, "env", v[i]);
  for (i = 0; !rc && i < n; i++) rc = path_inputs(c, v[i], k);
  for (n = i = 0; i < c->nsh; i++) if (!ctx_unkeyed(c->sh[i])) v[n++] = c->sh[i];
  qsort(v, n, sizeof(char *), by_str);
  for (i = 0; i < n; i++) key_str(k, "sh", v[i]);
  for (i = 0; !rc && i < n; i++) rc = path_inputs(c, v[i], k);
  free(v);
  free(api);
  free(path);
  return rc;
}

/* The sources a module unpacked, each as "identity path" (cache.c) */
static char *module_deps(const char *list)
{
  char *text = read_file(list, 0), *out = xstrdup(""), *s;

  for (s = text; s && *s; s += strcspn(s, "\n"), s += !!*s) {
    char *path = xstrndup(s, strcspn(s, "\n")), *id = source_id(path), *o;

    if (*path && id) {
      o = xprintf("%s%s %s\n", out, id, path);
      free(out);
      out = o;
    }
    free(id);
    free(path);
  }
  free(text);
  return out;
}

/* The module's scratch directory: TOP's directories linked in, nothing else */
static char *scratch(struct ctx *c, const char *name)
{
  char *dir = xprintf("%s/module-%s", c->build, name), **names = 0;
  int rc = rmrf(dir) || mkdirp(dir, 0755);
  size_t i;

  if (!rc && !(names = dir_names(c->top))) rc = -1, perror_msg("%s", c->top);
  for (i = 0; !rc && names[i]; i++) {
    char *from = xprintf("%s/%s", c->top, names[i]);
    char *to = xprintf("%s/%s", dir, names[i]);

    if (*names[i] != '.' && is_dir(from) && symlink(from, to))
      rc = -1, perror_msg("%s", to);
    free(from);
    free(to);
  }
  free_names(names);
  if (!rc) return dir;
  free(dir);
  return 0;
}

/* The unexported variables, for the module's shell (0: there are none) */
static char *sh_file(struct ctx *c, const char *name)
{
  char *path, *vars;
  size_t len;
  int rc;

  if (!c->nsh) return 0;
  path = xprintf("%s/.sh-%s", c->build, name);
  vars = ctx_vars(c, 1, &len);
  rc = write_data(path, vars, len, 0600);
  free(vars);
  if (!rc) return path;
  free(path);
  return 0;
}

/* Run module NAME; *deps (if not 0) gets the sources it unpacked */
int module_run(struct ctx *c, const char *name, char **deps)
{
  char *path = module_find(c, name), *envout, *api = api_path(c), *list;
  char *work, *sh;
  int rc;

  if (!path) {
    module_missing(c, name);
    return -1;
  }
  if (access(api, R_OK)) {
    perror_msg("%s", api);
    return -1;
  }
  if (mkdirp(c->build, 0755) || mkdirp(ctx_get(c, "BUILD"), 0755)) return -1;
  sh = sh_file(c, name);
  if (c->nsh && !sh) return -1;
  ctx_set(c, "MKROOT_SHVARS", sh);
  envout = xprintf("%s/.env-%s", c->build, name);
  ctx_set(c, "MKROOT_MODULE", path);
  ctx_set(c, "MKROOT_NAME", name);
  ctx_set(c, "MKROOT_ENVOUT", envout);
  ctx_set(c, "MKROOT_DOWNLOAD_ONLY", c->a.d ? "1" : 0);
  ctx_set(c, "MKROOT_CMDLOG", c->a.l ? xprintf("%s/cmdlog.txt", c->output) : 0);
  list = xprintf("%s/.deps-%s", c->build, name);
  ctx_set(c, "MKROOT_DEPS", list);
  unlink(list);
  unlink(envout);
  if (!(work = scratch(c, name))) return -1;
  ctx_set(c, "MKROOT_WORK", work);
  rc = ctx_run(c, work, (char *const[]){"bash", api, (char *)name, 0});
  if (!rc && !ctx_is(c, "NO_CLEANUP")) rmrf(work);
  free(work);
  /* the API's exit trap writes the variables; a module that exec'd or was
   * killed past it left none */
  if (!rc && !exists(envout)) {
    error_msg("%s: ended without returning to the module API (exec?)", name);
    rc = -1;
  } else if (!rc && ctx_load_env(c, envout)) rc = -1;
  if (!rc && deps) *deps = module_deps(list);
  unlink(envout);
  unlink(list);
  if (sh) unlink(sh);
  free(sh);
  free(list);
  ctx_set(c, "MKROOT_MODULE", 0);
  ctx_set(c, "MKROOT_ENVOUT", 0);
  ctx_set(c, "MKROOT_WORK", 0);
  ctx_set(c, "MKROOT_SHVARS", 0);
  free(envout);
  free(api);
  free(path);
  return rc;
}
