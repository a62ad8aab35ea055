/* cross.c: the seed's cross.sh. Compilers come from a ccc or mcm symlink to
 * a musl-cross-make output directory (ccc/NAME-*cross/bin/NAME*-cc), else
 * from mkroot's own toolchain/ for a row that builds one (compiler.c:
 * built first when it is missing), else from Debian's cross compilers on
 * PATH (the target table's prefix). TOOLCHAIN=source asks for mkroot's own
 * for any row that names a triple, whatever else is there. */
#define _GNU_SOURCE
#include "cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ./cross toolchain TARGET: t's cross and native toolchains, built
 * when missing (the native one needs the cross one) */
static int pair(const struct target *t)
{
  struct ctx c = {.t = t};
  char *cross, *img;

  if (!t->gcc) {
    error_msg("%s: no triple to build a compiler for in its row", t->name);
    return 1;
  }
  if (ctx_host(&c, t) || !(img = native_build(&c))) return 1;
  cross = compiler_built(&c);
  printf("%s: cross %scc\n%s: native %s\n", t->name, cross, t->name, img);
  free(cross);
  free(img);
  return 0;
}

/* For a row that builds its compiler: its prefix if built (or, with
 * build, once built), else 0; *can says whether the sources are here.
 * Looking needs only where things are; building needs a whole build
 * context for the host, naming the target. */
static char *from_source(const struct target *t, int build, int *can)
{
  char cwd[4096];
  struct ctx c = {.t = t};

  *can = 0;
  if (!getcwd(cwd, sizeof(cwd))) return 0;
  c.top = cwd;
  c.download = xprintf("%s/download", cwd);
  *can = compiler_buildable(&c);
  if (!build) return compiler_built(&c);
  return ctx_host(&c, t) ? 0 : compiler_build(&c);
}

/* Does t's compiler come from toolchain/? Always for a row Debian has no
 * compiler for; with TOOLCHAIN=source (source), for any row with a triple */
static int sourced(const struct target *t, int source)
{
  return t->gcc && (source || !t->debian);
}

/* The CROSS_COMPILE prefix for a target, or 0. A compiler from source:
 * with build, built first if missing; without, "" if it can be built. */
static char *compiler_for(const struct target *t, int build, int source)
{
  static const char *const dirs[] = {"ccc", "mcm", 0};
  char *found;
  int i;

  if (source && !t->gcc) return 0;
  for (i = 0; !source && dirs[i]; i++) {
    char *pat = xprintf("%s/%s-*cross/bin/%s*-cc", dirs[i], t->name, t->name);
    glob_t gl;

    if (!glob(pat, 0, 0, &gl)) {
      char *cc = gl.gl_pathv[0], real[4096];

      found = xprintf("%.*s", (int)(strlen(cc) - 2), cc);
      globfree(&gl);
      if (realpath(dirs[i], real)) {
        char *abs = xprintf("%s%s", real, found + strlen(dirs[i]));

        free(found);
        found = abs;
      }
      return found;
    }
    free(pat);
  }
  if (sourced(t, source)) {
    int can;
    char *p = from_source(t, build, &can);

    return p ? p : !build && can ? xstrdup("") : 0;
  }
  if (!t->debian) return 0;
  {
    char *gcc = xprintf("%sgcc", t->debian), *p = which(getenv("PATH"), gcc);

    free(gcc);
    if (!p) return 0;
    p[strlen(p) - 3] = 0;
    return p;
  }
}

/* " (Debian's gcc-NAME: make deps-all)" for a row Debian's compiler
 * serves, else "" */
static const char *package(const struct target *t)
{
  static char buf[128];
  char *p = target_gcc_pkg(t);

  snprintf(buf, sizeof(buf), p ? " (Debian's %s: make deps-all)" : "", p);
  free(p);
  return buf;
}

/* Append " NAME" to the list *l */
static void add(char **l, const char *name)
{
  char *more = xprintf("%s %s", *l, name);

  free(*l);
  *l = more;
}

/* A state of a from-source toolchain, for the listing */
static const char *state(char *built, int can)
{
  const char *s = built ? "built" : can ? "not built"
                                       : "no sources (make deps-all)";

  free(built);
  return s;
}

/* The targets with a compiler here (or one that can be built), then for
 * every row with a triple, what toolchain/ holds: its cross and native
 * toolchains */
static int list(FILE *f, int source)
{
  const struct target *t;
  char cwd[4096];
  int n = 0, head = 0;

  for (t = targets; t->name; t++) {
    char *c = compiler_for(t, 0, source);

    if (c) fprintf(f, "%s%s", n++ ? " " : "", t->name);
    free(c);
  }
  fputc('\n', f);
  if (!getcwd(cwd, sizeof(cwd))) return n;
  for (t = targets; t->name; t++) {
    struct ctx c = {.t = t, .top = cwd};
    const char *cross;

    if (!t->gcc) continue;
    if (!head++)
      fprintf(f, "toolchains from source in toolchain/ (%s; ./cross "
              "toolchain TARGET builds both):\n%-12s %-27s %s\n",
              source ? "used now" : "used for sh4, sh4eb, or1k, microblaze; "
              "for the others with TOOLCHAIN=source", "target", "cross",
              "native");
    c.download = xprintf("%s/download", cwd);
    cross = state(compiler_built(&c), compiler_buildable(&c));
    fprintf(f, "%-12s %-27s %s\n", t->name, cross,
            state(native_built(&c), native_buildable(&c)));
    free(c.download);
  }
  return n;
}

/* Run CMD for one target. If CMD is mkroot, tell it the target by name, so
 * armv4l and armv5l (one compiler) get their own output directories. */
static void exec_for(const struct target *t, const char *prefix, char **cmd)
{
  int n = 0, i;
  char **argv;
  const char *base = strrchr(cmd[0], '/') ? strrchr(cmd[0], '/') + 1 : cmd[0];

  while (cmd[n]) n++;
  argv = xmalloc((n + 2) * sizeof(char *));
  argv[0] = cmd[0];
  i = 1;
  if (!strcmp(base, "mkroot")) argv[i++] = xprintf("TARGET=%s", t->name);
  memcpy(argv + i, cmd + 1, n * sizeof(char *));
  setenv("CROSS_COMPILE", prefix, 1);
  execvp(argv[0], argv);
  perror_msg("%s", argv[0]);
  _exit(127);
}

struct job { const struct target *t; pid_t pid; time_t start; int rc, secs; };

/* A target's job ended: a failed build's output renamed (cmd 0: a
 * toolchain build, whose failure leaves nothing in output/) */
static void finish(struct job *j, int status, char **cmd)
{
  char *out = xprintf("output/%s", j->t->name);
  char *failed = xprintf("output/%s.failed", j->t->name);

  j->rc = !WIFEXITED(status) || WEXITSTATUS(status);
  j->secs = (int)(time(0) - j->start);
  j->pid = 0;
  if (cmd && j->rc && is_dir(out) && !rename(out, failed)) {}
  printf("%-12s %s %ds", j->t->name, j->rc ? "FAILED" : "ok", j->secs);
  /* a toolchain's failure: where its stage and log are named */
  if (!cmd && j->rc) printf(" (see toolchain/%s.txt)", j->t->name);
  putchar('\n');
  fflush(stdout);
}

/* Targets side by side: JOBS=N, else one per core while each has 2 GiB of
 * memory (a kernel build's worst case here is about 1 GiB) */
static int default_jobs(void)
{
  long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
  long long gib = pages > 0 && size > 0 ? (long long)pages * size >> 30 : 2;
  int n = ncpus();

  if (n > gib / 2) n = (int)(gib / 2);
  return n < 1 ? 1 : n;
}

/* Every target, or with cmd 0 every target's toolchain pair */
static int all(char **cmd, int source)
{
  const struct target *t;
  struct job jobs[64];
  int n = 0, i, running = 0, failed = 0, status;
  int maxjobs = getenv("JOBS") ? atoi(getenv("JOBS")) : default_jobs();
  pid_t pid;

  if (maxjobs < 1) maxjobs = 1;
  printf("cross %sall: %d side by side (JOBS=N to change)\n",
         cmd ? "" : "toolchain ", maxjobs);
  for (t = targets; t->name; t++) {
    char *prefix = cmd ? compiler_for(t, 0, source) : t->gcc ? xstrdup("") : 0;
    char *dir, *log;

    if (!prefix) continue;
    while (running >= maxjobs && (pid = wait(&status)) > 0)
      for (i = 0; i < n; i++) if (jobs[i].pid == pid) {
        child_del(pid);
        finish(jobs + i, status, cmd);
        running--;
      }
    dir = xprintf("output/%s", t->name);
    if (cmd) rmrf(xprintf("%s.failed", dir));
    else dir = xstrdup("toolchain");
    mkdirp(dir, 0755);
    log = cmd ? xprintf("%s/cross.txt", dir)
              : xprintf("%s/%s.txt", dir, t->name);
    jobs[n] = (struct job){t, 0, time(0), 0, 0};
    printf("%-12s started\n", t->name);
    fflush(stdout);
    if (!(jobs[n].pid = fork_child())) {
      FILE *f = new_output(log);   /* never through a symlink there */
      int fd = f ? fileno(f) : -1;

      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      if (!cmd) _exit(pair(t));
      /* a compiler from source is built here, its output in the log */
      if (!*prefix && !(prefix = compiler_for(t, 1, source))) _exit(1);
      exec_for(t, prefix, cmd);
    }
    n++;
    running++;
  }
  while (running && (pid = wait(&status)) > 0)
    for (i = 0; i < n; i++) if (jobs[i].pid == pid) {
      child_del(pid);
      finish(jobs + i, status, cmd);
      running--;
    }
  printf("\n%-12s %-7s %s\n", "target", "result", "seconds");
  for (i = 0; i < n; i++) {
    printf("%-12s %-7s %d\n", jobs[i].t->name, jobs[i].rc ? "FAILED" : "ok",
           jobs[i].secs);
    failed += jobs[i].rc;
  }
  return failed ? 1 : 0;
}

/* TOOLCHAIN (v): unset or "debian" for the default, "source" for
 * compilers from source; -1 for anything else */
static int toolchain_var(const char *v)
{
  if (!v || !*v || !strcmp(v, "debian")) return 0;
  if (!strcmp(v, "source")) return 1;
  error_msg("TOOLCHAIN=%s: unknown (source, or debian: the default)", v);
  return -1;
}

int cross_main(int argc, char **argv)
{
  const struct target *t;
  char *prefix;
  int source = toolchain_var(getenv("TOOLCHAIN"));

  if (source < 0) return 1;
  if (argc < 2) return list(stdout, source) ? 0 : 1;
  if (!strcmp(argv[1], "toolchain")) {
    if (argc != 3) {
      error_msg("toolchain: one TARGET or all (see cross --help)");
      return 1;
    }
    if (!strcmp(argv[2], "all")) return all(0, 1);
    if (!(t = target_find(argv[2]))) return !!target_unknown(argv[2], 0);
    return pair(t);
  }
  if (argc < 3) {
    error_msg("%s: no command to run (see cross --help)", argv[1]);
    return 1;
  }
  if (!strcmp(argv[1], "all")) return all(argv + 2, source);
  if (!(t = target_find(argv[1]))) return !!target_unknown(argv[1], 0);
  if (source && !t->gcc) {
    error_msg("%s: TOOLCHAIN=source: no triple to build a compiler for in "
              "its row", t->name);
    return 1;
  }
  if (!(prefix = compiler_for(t, 1, source))) {
    if (sourced(t, source)) return 1;   /* the toolchain builder said why */
    fflush(stdout);
    fprintf(stderr, "%s: %s: no compiler here%s; available: ", progname,
            escape(argv[1]), package(t));
    list(stderr, source);
    return 1;
  }
  exec_for(t, prefix, argv + 2);
  return 1;
}

/* The last NAME=VALUE for name on the command line, else the environment's
 * (toybox's mkroot.sh keeps CROSS and LINUX through its env -i) */
static const char *arg_var(const struct args *a, const char *name)
{
  size_t n = strlen(name);
  int i;

  for (i = a->nvars; i--; )
    if (!strncmp(a->vars[i], name, n) && a->vars[i][n] == '=')
      return a->vars[i] + n + 1;
  return getenv(name);
}

static void add_var(struct args *a, const char *var)
{
  a->vars = xrealloc(a->vars, (a->nvars + 1) * sizeof(char *));
  a->vars[a->nvars++] = (char *)var;
}

/* mkroot once per target of list (comma separated; "all": every target
 * with a compiler here, as ./cross all), each given CROSS=NAME; the first
 * failure stops the rest unless nonstop */
static int cross_each(char **argv, int argc, const char *list, int nonstop,
                      int source)
{
  char **av = xmalloc((argc + 2) * sizeof(char *)), *names = xstrdup(""), *s, *save = 0;
  const struct target *t;
  int failed = 0;

  if (!strncmp(list, "all", 3)) {
    for (t = targets; t->name; t++) {
      char *p = compiler_for(t, 0, source);

      if (p) add(&names, t->name);
      free(p);
    }
  } else {
    free(names);
    names = xstrdup(list);
  }
  memcpy(av, argv, argc * sizeof(char *));
  av[0] = xprintf("%s/mkroot", self_dir());
  av[argc + 1] = 0;
  for (s = strtok_r(names, ", ", &save); s; s = strtok_r(0, ", ", &save)) {
    av[argc] = xprintf("CROSS=%s", s);
    if (run(0, 0, av)) {
      error_msg("CROSS=%s: failed", s);
      failed++;
      if (!nonstop) break;
    }
  }
  return failed ? 1 : 0;
}

/* toybox's mkroot.sh dialect, beside ./cross: CROSS=NAME builds for that
 * target with the compiler ./cross NAME would use (output/NAME), CROSS=all
 * and allnonstop every target in turn, CROSS=A,B,C those; CROSS=host (or
 * none) builds natively. LINUX=DIR builds the kernel too, as if "kernel"
 * were listed. Returns the exit status if it ran the builds itself, else -1
 * after filling in *a (CROSS_COMPILE, TARGET, kernel). */
int cross_dialect(int argc, char **argv, struct args *a)
{
  const char *cross = arg_var(a, "CROSS"), *linux = arg_var(a, "LINUX");
  const char *cc = arg_var(a, "CROSS_COMPILE");
  const struct target *t;
  char *prefix;
  int i, kernel = 0, source = toolchain_var(arg_var(a, "TOOLCHAIN"));

  if (source < 0) return 1;
  if (linux && *linux) {
    for (i = 0; i < a->nmods; i++) kernel |= !strcmp(a->mods[i], "kernel");
    if (!kernel) {
      a->mods = xrealloc(a->mods, (a->nmods + 1) * sizeof(char *));
      a->mods[a->nmods++] = "kernel";
    }
  }
  if (!cross || !*cross || !strcmp(cross, "host")) return -1;
  if (!strcmp(cross, "all") || !strcmp(cross, "allnonstop") || strchr(cross, ','))
    return cross_each(argv, argc, cross, !strcmp(cross, "allnonstop"), source);
  t = target_find(cross);
  if (!arg_var(a, "TARGET") && t) add_var(a, xprintf("TARGET=%s", t->name));
  if (cc && *cc && t) return -1;   /* CROSS_COMPILE wins; CROSS names it */
  if (t && source && !t->gcc) {
    error_msg("%s: TOOLCHAIN=source: no triple to build a compiler for in "
              "its row", t->name);
    return 1;
  }
  if (!t || !(prefix = compiler_for(t, 1, source))) {
    if (t && sourced(t, source)) return 1;   /* the builder said why */
    fflush(stdout);
    fprintf(stderr, "%s: CROSS=%s: %s%s; targets: ", progname, escape(cross),
            t ? "no compiler here" : "unknown target", t ? package(t) : "");
    list(stderr, source);
    return 1;
  }
  add_var(a, xprintf("CROSS_COMPILE=%s", prefix));
  return -1;
}
