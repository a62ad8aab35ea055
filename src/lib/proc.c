/* proc.c: child processes and interrupts. Each child we start gets its own
 * process group, registered here; so do the temporary files being written.
 * On SIGINT, SIGTERM or SIGHUP the handler sends every group SIGTERM (so a
 * download helper can remove its own partial file), waits up to two
 * seconds, sends SIGKILL to whatever is left, removes our temporary files,
 * and dies of the same signal. Only async-signal-safe calls in the handler.
 * Exiting does the same, so a failed step never leaves a child behind.
 * And if we are killed outright (SIGKILL, no handler runs), each group's
 * leader learns it from the kernel and kills its group (lead_group). */
#define _GNU_SOURCE
#include "lib.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXKIDS 64
#define MAXTMPS 16
static volatile pid_t kids[MAXKIDS];
static char *volatile tmps[MAXTMPS];

void child_add(pid_t pid)
{
  int i;

  for (i = 0; i < MAXKIDS; i++) if (!kids[i]) {
    kids[i] = pid;
    return;
  }
}

void child_del(pid_t pid)
{
  int i;

  for (i = 0; i < MAXKIDS; i++) if (kids[i] == pid) kids[i] = 0;
}

void tmpfile_add(const char *path)
{
  int i;

  for (i = 0; i < MAXTMPS; i++) if (!tmps[i]) {
    tmps[i] = xstrdup(path);
    return;
  }
}

void tmpfile_del(const char *path)
{
  int i;

  for (i = 0; i < MAXTMPS; i++) if (tmps[i] && !strcmp(tmps[i], path)) {
    char *p = tmps[i];

    tmps[i] = 0;
    free(p);
  }
}

/* Stop every registered child: SIGTERM, up to two seconds, SIGKILL */
static void stop_children(void)
{
  struct timespec ts = {0, 50000000};
  int i, tries, alive = 1;

  for (i = 0; i < MAXKIDS; i++) if (kids[i] > 0) kill(-kids[i], SIGTERM);
  for (tries = 0; alive && tries < 40; tries++) {
    alive = 0;
    for (i = 0; i < MAXKIDS; i++)
      if (kids[i] > 0 && waitpid(kids[i], 0, WNOHANG) == 0) alive = 1;
    if (alive) nanosleep(&ts, 0);
  }
  /* the group outlives its leader while any member lives */
  for (i = 0; i < MAXKIDS; i++) if (kids[i] > 0) {
    kill(-kids[i], SIGKILL);
    waitpid(kids[i], 0, WNOHANG);
    kids[i] = 0;
  }
  for (i = 0; i < MAXTMPS; i++) if (tmps[i]) unlink(tmps[i]);
}

static void on_signal(int sig)
{
  sigset_t set;

  stop_children();
  signal(sig, SIG_DFL);
  sigemptyset(&set);
  sigaddset(&set, sig);
  sigprocmask(SIG_UNBLOCK, &set, 0);
  raise(sig);
  _exit(128 + sig);
}

void proc_init(void)
{
  static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
  struct sigaction sa = {.sa_handler = on_signal};
  size_t i;

  sigemptyset(&sa.sa_mask);
  for (i = 0; i < sizeof(sigs) / sizeof(*sigs); i++)
    sigaddset(&sa.sa_mask, sigs[i]);
  for (i = 0; i < sizeof(sigs) / sizeof(*sigs); i++)
    sigaction(sigs[i], &sa, 0);
  /* an early return (a failed step) doesn't leave a child running either */
  atexit(stop_children);
}

/* In a new group, every signal blocked: fork the real child, which
 * returns, and stay as the group's leader between it and parent. If parent
 * dies, even of SIGKILL, the kernel says so (PR_SET_PDEATHSIG; getppid
 * closes the race before it) and the whole group is killed. Else wait for
 * the child and end as it did. Signals sent to the group reach the child
 * itself; here they stay blocked. */
static void lead_group(pid_t parent)
{
  struct timespec second = {1, 0};
  sigset_t wake;
  pid_t me = getpid(), pid = fork();
  int status;

  if (pid < 0) _exit(127);
  if (!pid) {
    /* and if the leader is killed alone, so is the child */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != me) _exit(127);
    return;
  }
  /* no pipe's end stays open for a reader waiting for its end */
  close_range(0, ~0U, 0);
  prctl(PR_SET_PDEATHSIG, SIGUSR1);
  sigemptyset(&wake);
  sigaddset(&wake, SIGCHLD);
  sigaddset(&wake, SIGUSR1);
  for (;;) {
    if (getppid() != parent) kill(0, SIGKILL);
    if (waitpid(pid, &status, WNOHANG) == pid) break;
    sigtimedwait(&wake, 0, &second);
  }
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);

    signal(sig, SIG_DFL);
    sigemptyset(&wake);
    sigaddset(&wake, sig);
    sigprocmask(SIG_UNBLOCK, &wake, 0);
    raise(sig);
  }
  _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 127);
}

/* fork; the child runs in a new process group (led by lead_group) and
 * starts with empty registries (its parent's children and files are not
 * its own) */
pid_t fork_child(void)
{
  sigset_t all, old;
  pid_t pid, parent = getpid();
  int i;

  fflush(0);
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  if (!(pid = fork())) {
    for (i = 0; i < MAXKIDS; i++) kids[i] = 0;
    for (i = 0; i < MAXTMPS; i++) tmps[i] = 0;
    setpgid(0, 0);
    lead_group(parent);
  } else if (pid > 0) {
    setpgid(pid, pid);
    child_add(pid);
  }
  sigprocmask(SIG_SETMASK, &old, 0);
  return pid;
}

/* Wait for a child we started, then forget it */
int wait_child(pid_t pid, int *status)
{
  pid_t p;

  while ((p = waitpid(pid, status, 0)) < 0 && errno == EINTR) {}
  child_del(pid);
  return p == pid ? 0 : -1;
}
