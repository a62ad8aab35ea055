/* module.c: run module/NAME shell scripts with the seed's API. bash defines
 * download, setupfor and cleanup (each calls back into this program), sources
 * the module, and on success dumps its environment, which becomes the
 * environment of the modules after it: exports stay in force, as if every
 * module were sourced into one shell. */
#define _GNU_SOURCE
#include "mkroot.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char prelude[] =
  "download() { \"$MKROOT_SELF\" --helper download \"$@\" || exit 1; }\n"
  "setupfor() {\n"
  "  [ -n \"$MKROOT_DOWNLOAD_ONLY\" ] && exit 0\n"
  "  MKROOT_SETUP=\"$(\"$MKROOT_SELF\" --helper setupfor \"$1\")\" &&\n"
  "    cd \"$MKROOT_SETUP\" || exit 1\n"
  "}\n"
  "cleanup() {\n"
  "  cd \"$TOP\" && \"$MKROOT_SELF\" --helper cleanup \"$MKROOT_SETUP\" ||\n"
  "    exit 1\n"
  "}\n"
  "trap 'rc=$?; [ $rc -eq 0 ] && env -0 > \"$MKROOT_ENVOUT\"; exit $rc' EXIT\n"
  "[ -n \"$MKROOT_CMDLOG\" ] && set -T &&\n"
  "  trap 'printf \"%s\\n\" \"$BASH_COMMAND\" >> \"$MKROOT_CMDLOG\"' DEBUG\n"
  ". \"$MKROOT_MODULE\"\n";

/* Module directories: those in $MODULES (users' own, searched first), then
 * the module/ directory beside this program. */
static char **module_dirs(int *n)
{
  const char *extra = getenv("MODULES");
  char *copy = xstrdup(extra ? extra : ""), *s, *save = 0;
  char **dirs = xmalloc((strlen(copy) / 2 + 3) * sizeof(char *));

  *n = 0;
  for (s = strtok_r(copy, ": ", &save); s; s = strtok_r(0, ": ", &save))
    dirs[(*n)++] = s;
  dirs[(*n)++] = xprintf("%s/module", B.src);
  return dirs;
}

char *module_find(const char *name)
{
  int n, i;
  char **dirs = module_dirs(&n), *p;

  for (i = 0; i < n; i++) {
    p = xprintf("%s/%s", dirs[i], name);
    if (!access(p, R_OK) && !is_dir(p)) return p;
    free(p);
  }
  return 0;
}

int module_list(FILE *f)
{
  int n, i;
  char **dirs = module_dirs(&n);

  fprintf(f, "kernel");
  for (i = 0; i < n; i++) {
    DIR *d = opendir(dirs[i]);
    struct dirent *e;

    while (d && (e = readdir(d)))
      if (*e->d_name != '.') fprintf(f, " %s", e->d_name);
    if (d) closedir(d);
  }
  fputc('\n', f);
  return 0;
}

/* Replace our environment with the NUL-separated one bash left in path. */
static int env_load(const char *path)
{
  size_t len, i;
  char *data = read_file(path, &len);
  static const char *const shellvars[] = {"PWD=", "OLDPWD=", "SHLVL=", "_=", 0};

  if (!data) return -1;
  clearenv();
  for (i = 0; i < len; i += strlen(data + i) + 1) {
    int j, skip = 0;

    for (j = 0; shellvars[j]; j++)
      if (!strncmp(data + i, shellvars[j], strlen(shellvars[j]))) skip = 1;
    if (!skip && strchr(data + i, '=')) putenv(data + i);
  }
  return 0;   /* data stays: putenv keeps pointers into it */
}

int module_run(const char *name)
{
  char *path = module_find(name), *envout, *api;
  int rc;

  if (!path) {
    warnm("%s: no such module; available:", name);
    module_list(stderr);
    return -1;
  }
  envout = xprintf("%s/.env-%s", B.build, name);
  api = xprintf("%s/module-api.sh", B.build);
  if (write_file(api, prelude, 0644)) return -1;
  setenv("MKROOT_MODULE", path, 1);
  setenv("MKROOT_ENVOUT", envout, 1);
  rc = run_in(B.top, (char *const[]){"bash", api, (char *)name, 0});
  if (!rc && env_load(envout)) rc = -1;
  unlink(envout);
  unsetenv("MKROOT_MODULE");
  unsetenv("MKROOT_ENVOUT");
  free(envout);
  free(api);
  free(path);
  return rc;
}
