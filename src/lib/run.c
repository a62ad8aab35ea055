/* run.c: running a program as a step of the build: found in the build's
 * PATH, in its own process group (proc.c), stdin /dev/null, its output into
 * the build's log (log.c), nothing but stdin, stdout and stderr inherited. */
#define _GNU_SOURCE
#include "lib.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Find an executable: a path with '/', else searched in the PATH given */
char *which(const char *path, const char *name)
{
  const char *p;
  char *try;

  if (strchr(name, '/')) return access(name, X_OK) ? 0 : xstrdup(name);
  for (p = path ? path : ""; ; p += strcspn(p, ":") + 1) {
    size_t len = strcspn(p, ":");

    try = xprintf("%.*s/%s", (int)(len ? len : 1), len ? p : ".", name);
    if (!access(try, X_OK)) return try;
    free(try);
    if (!p[len]) return 0;
  }
}

/* Run argv (searched in env's PATH) in dir with exactly env as its
 * environment, its output into the log. 0 on exit status 0. */
int run(char *const env[], const char *dir, char *const argv[])
{
  extern char **environ;
  time_t start = time(0);
  pid_t pid;
  int status;

  log_cmd(argv);
  if ((pid = fork_child()) < 0) {
    perror_msg("fork");
    return -1;
  }
  if (!pid) {
    int nul = open("/dev/null", O_RDONLY);

    if (nul >= 0 && nul != 0) dup2(nul, 0), close(nul);
    if (log_fd() >= 0) {
      dup2(log_fd(), 1);
      dup2(log_fd(), 2);
    }
    /* nothing but stdin, stdout and stderr reaches a child */
    close_range(3, ~0U, 0);
    if (dir && chdir(dir)) {
      dprintf(2, "%s: %s: %s\n", progname, dir, strerror(errno));
      _exit(127);
    }
    if (env) environ = (char **)env;
    execvp(argv[0], argv);
    dprintf(2, "%s: %s: %s\n", progname, argv[0], strerror(errno));
    _exit(127);
  }
  if (wait_shown(pid, &status, argv[0], start)) return -1;
  return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

/* wait_child; meanwhile, on a terminal, a long step shows it is alive
 * (what, and the seconds since start) */
int wait_shown(pid_t pid, int *status, const char *what, time_t start)
{
  pid_t p;

  if (!isatty(1) || log_fd() < 0) return wait_child(pid, status);
  while (!(p = waitpid(pid, status, WNOHANG)) || (p < 0 && errno == EINTR)) {
    progress(what, (long)(time(0) - start));
    usleep(250000);
  }
  progress(0, 0);
  child_del(pid);
  return p < 0 ? -1 : 0;
}

int runl(char *const env[], const char *arg0, ...)
{
  const char *argv[64];
  va_list va;
  int i = 0;

  argv[i++] = arg0;
  va_start(va, arg0);
  while (i < 63 && (argv[i] = va_arg(va, const char *))) i++;
  va_end(va);
  argv[i] = 0;
  return run(env, 0, (char *const *)argv);
}

/* Run argv and return the first line it prints (stdout), or 0 */
char *run_line(char *const env[], char *const argv[])
{
  extern char **environ;
  char buf[4096];
  size_t len = 0;
  ssize_t n;
  int p[2], status;
  pid_t pid;

  if (pipe2(p, O_CLOEXEC)) return 0;
  if ((pid = fork_child()) < 0) {
    close(p[0]);
    close(p[1]);
    return 0;
  }
  if (!pid) {
    dup2(p[1], 1);
    if (log_fd() >= 0) dup2(log_fd(), 2);
    close_range(3, ~0U, 0);
    if (env) environ = (char **)env;
    execvp(argv[0], argv);
    _exit(127);
  }
  close(p[1]);
  while (len < sizeof(buf) - 1 && (n = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0)
    len += n;
  close(p[0]);
  if (wait_child(pid, &status) || !WIFEXITED(status) || WEXITSTATUS(status))
    return 0;
  buf[len] = 0;
  buf[strcspn(buf, "\n")] = 0;
  return xstrdup(buf);
}

/* Run argv with its output counted, not kept: the lines holding mark
 * (a dry run's count of what a build will do); -1 if it can't run */
long run_count(char *const env[], const char *dir, char *const argv[],
               const char *mark)
{
  extern char **environ;
  char buf[65536], *s;
  size_t len = 0;
  ssize_t n;
  long count = 0;
  int p[2], status;
  pid_t pid;

  if (pipe2(p, O_CLOEXEC)) return -1;
  if ((pid = fork_child()) < 0) {
    close(p[0]);
    close(p[1]);
    return -1;
  }
  if (!pid) {
    int nul = open("/dev/null", O_RDWR);

    dup2(p[1], 1);
    if (nul >= 0) dup2(nul, 0), dup2(nul, 2);
    close_range(3, ~0U, 0);
    if (dir && chdir(dir)) _exit(127);
    if (env) environ = (char **)env;
    execvp(argv[0], argv);
    _exit(127);
  }
  close(p[1]);
  /* whole lines: what is left of one carries over to the next read */
  while ((n = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0) {
    len += n;
    buf[len] = 0;
    for (s = buf; (n = strcspn(s, "\n")) < (ssize_t)(buf + len - s); s += n + 1) {
      s[n] = 0;
      count += !!strstr(s, mark);
    }
    len = buf + len - s;
    if (len == sizeof(buf) - 1) len = 0;   /* a line too long to hold */
    memmove(buf, s, len);
  }
  close(p[0]);
  if (wait_child(pid, &status) || !WIFEXITED(status) || WEXITSTATUS(status) == 127)
    return -1;
  return count;
}
