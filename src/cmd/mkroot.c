/* mkroot.c: the build. Parse the command line, fill the build context,
 * then run the steps in steps[]'s order: setup, the root steps, then each
 * module named on the command line ("kernel" is built in and runs the
 * kernel steps). Without -n the root is rebuilt from the step cache
 * (cache.c): each step whose key is unchanged is skipped ("=== toybox
 * (unchanged)"), the root is restored from the last one of those, and the
 * first step whose key changed runs, and every step after it. */
#define _GNU_SOURCE
#include "cmd.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The build's steps, in order. Setup steps run every time, each deciding
 * whether it has work to do. Root steps build the root, each cached under
 * a key of what it reads (key adds that) and of the step before it
 * (root_step). The modules named on the command line follow, in its
 * order, as root steps of their own (mkroot_main: the command line, not
 * this table, names them); "kernel" among them runs the kernel steps, each
 * with a stamp of its own (kernel.c), the image perhaps built already in
 * the background (kernel_start). A step prints its own "=== name ..."
 * line, but root_step prints a root step's; distcc and the launch script
 * print none. */
enum phase { SETUP, ROOT, KERNEL };
struct step {
  enum phase phase;
  const char *name;                        /* as in its "=== " line */
  const char *inputs;                      /* what it reads */
  int (*key)(struct ctx *, struct key *);  /* a root step's: adds those */
  int (*run)(struct ctx *);
};

static const struct step steps[] = {
  {SETUP, "distcc", "DISTCC_HOSTS (each server tried once)", 0,
   distcc_setup},
  {SETUP, "airlock", "HOST_EXTRA (cross builds, unless NOAIRLOCK=1)", 0,
   airlock_setup},
  {SETUP, "libc musl", "LIBC, the compiler, musl's source, the kernel "
   "tree's headers", 0, libc_setup},
  {ROOT, "root", "nothing else (its tables are in rootfs.c)", 0,
   rootfs_skeleton},
  {ROOT, "toybox", "toybox's source and config, the compiler", toybox_inputs,
   toybox_build},
  {ROOT, "init", "src/init/init.c, the compiler", init_inputs, init_build},
  {KERNEL, "kernel", "the miniconfig (KEXTRA, MODULES), the kernel tree, the "
   "compiler, the epoch (kernel_key)", 0, kernel_image},
  {KERNEL, "kernel modules", "MODULES, the kernel build", 0, kernel_modules},
  {KERNEL, "initramfs", "the root's files, the epoch", 0, kernel_initramfs},
  {KERNEL, "launch script", "the target's row, QEMU_MORE, QEMU_MEMORY, "
   "KARGS, the root's ssh server", 0, qemu_script},
  {0}
};

/* The chain of root steps: what ran or was skipped so far */
struct chain {
  char prev[65];     /* the key of the step before */
  char *pending;     /* the last cached step, not yet restored into the root */
  int miss;          /* a step ran: every step after it runs too */
  char **keys;       /* the chain's keys, for pruning the cache */
  int nkeys;
};

/* One root step: builtin fn (its inputs from inputs()), or module name */
static int root_step(struct ctx *c, struct chain *ch, const char *name,
                     int (*fn)(struct ctx *), int (*inputs)(struct ctx *, struct key *))
{
  struct key k;
  char key[65], *deps = 0;
  int rc;

  key_init(&k, name);
  key_str(&k, "mkroot", c->self);
  key_str(&k, "prev", ch->prev);
  rc = fn ? inputs && inputs(c, &k) : module_inputs(c, name, &k);
  key_done(&k, key);
  if (rc) return -1;
  ch->keys = xrealloc(ch->keys, (ch->nkeys + 1) * sizeof(char *));
  ch->keys[ch->nkeys++] = xstrdup(key);
  memcpy(ch->prev, key, 65);
  if (!ch->miss && cache_valid(c, key)) {
    stage("%s (unchanged)", name);
    free(ch->pending);
    ch->pending = xstrdup(key);
    /* a module's variables come back with it (its key holds every
     * variable, so they match this build's); a builtin step sets none */
    return fn ? 0 : cache_env(c, key);
  }
  if (!ch->miss) {
    ch->miss = 1;
    if (ch->pending && cache_restore(c, ch->pending)) return -1;
  }
  stage("%s", name);
  rc = fn ? fn(c) : module_run(c, name, &deps);
  if (rc) {
    log_fail(name);
    return -1;
  }
  if ((rc = cache_store(c, key, deps)))
    error_msg("%s: the root it left can't be kept in the step cache", name);
  free(deps);
  return rc;
}

/* Before anything reads the root: restore the last cached step's, and
 * let the output directory's key in if the root has an ssh server */
static int materialize(struct ctx *c, struct chain *ch)
{
  int rc = 0;

  if (!ch->miss && ch->pending) rc = cache_restore(c, ch->pending);
  free(ch->pending);
  ch->pending = 0;
  return rc || ssh_setup(c);
}

static int is_kernel(struct ctx *c, const char *mod)
{
  return !strcmp(mod, "kernel") && !module_find(c, "kernel");
}

/* Both cores busy: the kernel image doesn't need the root, so it is built
 * in a child while the root steps run, with the variables as they are at
 * the start. Its output goes to build/NAME/kernel.log, joined to log.txt
 * when the build reaches "kernel". If a module changed what the kernel
 * reads (KEXTRA, say), the child is stopped and the kernel built again. */
struct spec { pid_t pid; char *key, *log; int built; time_t start; };

static void kernel_start(struct ctx *c, struct spec *sp)
{
  int i, want = 0;

  for (i = 0; i < c->a.nmods; i++) want |= is_kernel(c, c->a.mods[i]);
  if (!want || !c->t || !(sp->key = kernel_key(c))) return;
  sp->log = xprintf("%s/kernel.log", c->build);
  sp->start = time(0);
  unlink(xprintf("%s/kernel.todo", c->build));  /* the last build's count */
  if ((sp->pid = fork_child()) < 0) sp->pid = 0;
  else if (!sp->pid) {
    int nul = open("/dev/null", O_WRONLY);

    /* everything it says goes to its log once (say, stage and error_msg
     * write there themselves) */
    if (nul < 0 || log_open(sp->log, 0, c->target)) _exit(1);
    dup2(nul, 1);
    dup2(nul, 2);
    _exit(kernel_image(c) ? 1 : 0);
  }
}

/* At "kernel": take the child's result, or stop it if its key is stale */
static void kernel_join(struct ctx *c, struct spec *sp)
{
  char *now = sp->pid ? kernel_key(c) : 0, *text, *todo;
  int status;

  if (!sp->pid) return;
  if (!now || strcmp(now, sp->key)) {
    kill(-sp->pid, SIGTERM);
    say("kernel: variables changed since it started: building again");
  }
  /* on a terminal, its count (kernel.c counts what it will compile) */
  todo = xprintf("%s/kernel.todo", c->build);
  if (log_tty()) meter_start("kernel", sp->log, 1, "  CC ", 0, todo);
  wait_shown(sp->pid, &status, "kernel", sp->start);
  meter_stop();
  free(todo);
  sp->built = now && !strcmp(now, sp->key) && WIFEXITED(status)
              && !WEXITSTATUS(status);
  sp->pid = 0;
  /* its stage lines to the terminal, its whole log to ours */
  if ((text = read_file(sp->log, 0))) {
    char *s;

    for (s = text; *s; s += strcspn(s, "\n"), s += !!*s)
      if (!strncmp(s, "=== ", 4)) printf("%.*s\n", (int)strcspn(s, "\n"), s);
    fflush(stdout);
    if (log_fd() >= 0 && write(log_fd(), text, strlen(text)) < 0) {}
    free(text);
  }
  free(now);
}

/* The steps of one phase, in the table's order; the kernel image not
 * again if the background build made it */
static int run_phase(struct ctx *c, struct chain *ch, enum phase phase,
                     int built)
{
  const struct step *s;

  for (s = steps; s->name; s++) {
    if (s->phase != phase || (s->run == kernel_image && built)) continue;
    if (phase == ROOT ? root_step(c, ch, s->name, s->run, s->key) : s->run(c))
      return -1;
  }
  return 0;
}

/* One build per checkout and target at a time: two would write one root
 * and each cache the other's. The lock is the open file's, so it goes
 * with this process however it ends (and with its children: none of them
 * outlives it, proc.c). */
static int build_lock(struct ctx *c)
{
  char *path = xprintf("%s/lock", c->build), *pid, *who;
  int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);

  if (fd < 0) {
    perror_msg("%s", path);
    return -1;
  }
  if (flock(fd, LOCK_EX | LOCK_NB)) {
    unsigned long long n;

    who = read_file(path, 0);
    if (who) who[strcspn(who, "\n")] = 0;
    pid = who && !parse_uint(who, 1 << 30, &n) ? xprintf(" (pid %s)", who)
                                               : xstrdup("");
    error_msg("%s: another mkroot%s is building %s in this checkout: wait "
              "for it to finish", c->build, pid, c->name);
    free(pid);
    free(who);
    close(fd);
    return -1;
  }
  pid = xprintf("%d\n", (int)getpid());
  if (ftruncate(fd, 0) || pwrite(fd, pid, strlen(pid), 0) < 0) {}
  free(pid);
  free(path);
  return 0;
}

/* Refuse what can't work before anything is deleted */
static int preflight(struct ctx *c)
{
  int i;

  for (i = 0; i < c->a.nmods; i++) {
    if (!is_kernel(c, c->a.mods[i]) && !module_find(c, c->a.mods[i])) {
      module_missing(c, c->a.mods[i]);
      return -1;
    }
    if (is_kernel(c, c->a.mods[i]) && !c->t)
      return target_unknown(xprintf("TARGET=%s", c->target), 0);
  }
  if (c->a.n && !c->a.nmods) {
    error_msg("-n: no module to build");
    return -1;
  }
  if (c->a.n && !exists(c->root)) {
    error_msg("-n: %s: no root to build over", c->root);
    return -1;
  }
  /* the root, and output/NAME, are never reached through a symlink */
  if (c->a.n && !is_dir_below(c->outtop, c->root)) return -1;
  if (!c->a.n && !c->a.d && toybox_source(c)) return -1;
  return 0;
}

/* -d: fetch and verify what the build and the modules would use */
static int download_only(struct ctx *c)
{
  const char *url = ctx_get(c, "TOYBOX_URL");
  char *tb;
  int i;

  stage("download");
  if (url && *url) {
    if (!(tb = toybox_fetch(c))) return 1;
    free(tb);
  }
  if (libc_download(c)) return 1;
  for (i = 0; i < c->a.nmods; i++)
    if (!is_kernel(c, c->a.mods[i]) && module_run(c, c->a.mods[i], 0)) {
      log_fail(c->a.mods[i]);
      return 1;
    }
  return 0;
}

int mkroot_main(int argc, char **argv)
{
  struct chain ch = {.prev = ""};
  struct spec sp = {0, 0, 0, 0, 0};
  struct args a;
  struct ctx c;
  char *why;
  int i;

  if (parse_args(argc, argv, &a, &why)) {
    if (!*why) mkroot_usage(stderr);
    else error_msg("%s", why);
    return 1;
  }
  if ((i = cross_dialect(argc, argv, &a)) >= 0) return i;
  if (ctx_init(&c, &a) || preflight(&c)) return 1;
  if (mkdirp(c.outtop, 0755) || mkdirp(c.build, 0755) || build_lock(&c)
      || (i = open_below(c.outtop, c.output, O_DIRECTORY | O_CREAT, 0755)) < 0)
    return 1;
  close(i);
  if (log_open(xprintf("%s/log.txt", c.output),
               a.l ? xprintf("%s/cmdlog.txt", c.output) : 0, c.target))
    return 1;
  say("Building %s (target %s) with %s%s", c.name, c.target, c.prefix, c.cc);
  if (a.d) return download_only(&c);
  if (file_hash("/proc/self/exe", 1, c.self)) {
    perror_msg("/proc/self/exe");
    return 1;
  }
  if (run_phase(&c, &ch, SETUP, 0)) return 1;
  kernel_start(&c, &sp);
  if (!a.n && run_phase(&c, &ch, ROOT, 0)) return 1;
  /* the modules, and the kernel steps where "kernel" is named */
  for (i = 0; i < a.nmods; i++) {
    if (is_kernel(&c, a.mods[i])) {
      kernel_join(&c, &sp);
      if (materialize(&c, &ch) || run_phase(&c, &ch, KERNEL, sp.built))
        return 1;
      sp.built = 0;
    } else if (!a.n) {
      if (root_step(&c, &ch, a.mods[i], 0, 0)) return 1;
    } else {
      stage("%s", a.mods[i]);
      if (module_run(&c, a.mods[i], 0)) {
        log_fail(a.mods[i]);
        return 1;
      }
    }
  }
  if (materialize(&c, &ch)) return 1;
  if (!a.n) cache_prune(&c, ch.keys, ch.nkeys);
  stage("done: %s", c.output);
  return 0;
}
