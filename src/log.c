/* log.c: the build's log. Stage lines go to the terminal and the log; the
 * output of every command the build runs goes to the log only, so a failure
 * can show its last lines and the log's path. */
#define _GNU_SOURCE
#include "mkroot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int logfd = -1, cmdfd = -1;
static char *logname;

int log_fd(void) { return logfd; }
const char *log_path(void) { return logname ? logname : "(no log)"; }

int log_open(const char *path, const char *cmdlog)
{
  logfd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (logfd < 0) {
    warnm("%s: %s", path, strerror(errno));
    return -1;
  }
  logname = xstrdup(path);
  if (cmdlog) {
    cmdfd = open(cmdlog, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
                 0644);
    if (cmdfd < 0) {
      warnm("%s: %s", cmdlog, strerror(errno));
      return -1;
    }
    /* Module scripts append their own commands here (see module.c). */
    setenv("MKROOT_CMDLOG", cmdlog, 1);
  }
  return 0;
}

void log_close(void)
{
  if (logfd >= 0) close(logfd);
  if (cmdfd >= 0) close(cmdfd);
  logfd = cmdfd = -1;
}

static void both(const char *s)
{
  fputs(s, stdout);
  fflush(stdout);
  if (logfd >= 0 && write(logfd, s, strlen(s)) < 0) {}
}

void say(const char *fmt, ...)
{
  va_list va;
  char *s;

  va_start(va, fmt);
  if (vasprintf(&s, fmt, va) < 0) die("out of memory");
  va_end(va);
  both(s);
  both("\n");
  free(s);
}

/* "=== stage" on its own line, and the terminal's title where there is one */
void stage(const char *fmt, ...)
{
  va_list va;
  char *s, *line;

  va_start(va, fmt);
  if (vasprintf(&s, fmt, va) < 0) die("out of memory");
  va_end(va);
  if (isatty(1)) printf("\033]2;mkroot %s %s\007", B.target ? B.target : "", s);
  line = xprintf("=== %s\n", s);
  both(line);
  free(line);
  free(s);
}

static void cmdlog(char *const argv[])
{
  char *line = xstrdup(""), *n;
  int i;

  if (cmdfd < 0) return;
  for (i = 0; argv[i]; i++) {
    n = xprintf("%s%s%s", line, i ? " " : "", argv[i]);
    free(line);
    line = n;
  }
  dprintf(cmdfd, "%s\n", line);
  free(line);
}

/* Run argv (searched in PATH) in dir, output into the log. 0 on exit 0. */
int run_in(const char *dir, char *const argv[])
{
  pid_t pid;
  int status;

  cmdlog(argv);
  fflush(0);
  if ((pid = fork()) < 0) {
    warnm("fork: %s", strerror(errno));
    return -1;
  }
  if (!pid) {
    int nul = open("/dev/null", O_RDONLY);

    if (nul >= 0) dup2(nul, 0);
    if (logfd >= 0) {
      dup2(logfd, 1);
      dup2(logfd, 2);
    }
    if (dir && chdir(dir)) {
      dprintf(2, "mkroot: %s: %s\n", dir, strerror(errno));
      _exit(127);
    }
    execvp(argv[0], argv);
    dprintf(2, "mkroot: %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  if (isatty(1) && logfd >= 0) {
    /* On a terminal, a long step shows it is alive: seconds and log size */
    time_t start = time(0), shown = start;
    pid_t p;

    while (!(p = waitpid(pid, &status, WNOHANG)) || (p < 0 && errno == EINTR)) {
      struct stat st;

      if (time(0) - start >= 2 && time(0) != shown && !fstat(logfd, &st)
          && (shown = time(0)))
        printf("\r  %s: %lds, log %lld KiB ", argv[0], (long)(time(0) - start),
               (long long)st.st_size / 1024), fflush(stdout);
      usleep(250000);
    }
    if (time(0) - start >= 2) printf("\r\033[K"), fflush(stdout);
    if (p < 0) return -1;
  } else while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  if (WIFEXITED(status) && !WEXITSTATUS(status)) return 0;
  return -1;
}

int run(char *const argv[])
{
  return run_in(0, argv);
}

int runl(const char *arg0, ...)
{
  const char *argv[64];
  va_list va;
  int i = 0;

  argv[i++] = arg0;
  va_start(va, arg0);
  while (i < 63 && (argv[i] = va_arg(va, const char *))) i++;
  va_end(va);
  argv[i] = 0;
  return run((char *const *)argv);
}

/* A step failed: show the end of the log and where the rest is. */
void log_fail(const char *what)
{
  char *text = logname ? read_file(logname, 0) : 0, *p;
  int lines = 0;

  if (text) {
    for (p = text + strlen(text); p > text; p--)
      if (p[-1] == '\n' && ++lines > 20) break;
    fprintf(stderr, "%s", p);
    free(text);
  }
  fflush(stdout);
  fprintf(stderr, "mkroot: %s failed, see %s\n", what, log_path());
}
