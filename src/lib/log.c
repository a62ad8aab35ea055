/* log.c: the build's log. Stage lines go to the terminal and the log; the
 * output of every command the build runs goes to the log only, so a
 * failure can show its last lines and the log's path. With -l, each
 * command's argv is also a line of the command log. */
#define _GNU_SOURCE
#include "lib.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int logfd = -1, cmdfd = -1;
static char *logname, *title;

int log_fd(void) { return logfd; }
const char *log_path(void) { return logname ? logname : "(no log)"; }

int log_open(const char *path, const char *cmdlog, const char *what)
{
  /* a new file, never one a symlink at the name leads to */
  unlink(path);
  logfd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_APPEND
               | O_CLOEXEC, 0644);
  if (logfd < 0) {
    perror_msg("%s", path);
    return -1;
  }
  msg_copy(logfd);
  logname = xstrdup(path);
  title = xstrdup(what);
  if (cmdlog) {
    unlink(cmdlog);
    cmdfd = open(cmdlog, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_APPEND
                 | O_CLOEXEC, 0644);
    if (cmdfd < 0) {
      perror_msg("%s", cmdlog);
      return -1;
    }
  }
  return 0;
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
  char *raw, *s;

  va_start(va, fmt);
  if (vasprintf(&raw, fmt, va) < 0) raw = 0;
  va_end(va);
  if (!raw) return;
  s = escape(raw);   /* one line, whatever names it holds */
  free(raw);
  both(s);
  both("\n");
  free(s);
}

/* "=== stage" on its own line, and the terminal's title where there is one */
void stage(const char *fmt, ...)
{
  va_list va;
  char *raw, *s, *line;

  va_start(va, fmt);
  if (vasprintf(&raw, fmt, va) < 0) raw = 0;
  va_end(va);
  if (!raw) return;
  s = escape(raw);
  free(raw);
  if (isatty(1)) printf("\033]2;%s %s %s\007", progname, title ? title : "", s);
  line = xprintf("=== %s\n", s);
  both(line);
  free(line);
  free(s);
}

/* On a terminal: "  make: 12s, log 340 KiB", redrawn; what 0 clears it */
void progress(const char *what, long secs)
{
  static long shown = -1;
  struct stat st;

  if (!what) {
    if (shown >= 0) printf("\r\033[K"), fflush(stdout);
    shown = -1;
    return;
  }
  if (secs < 2 || secs == shown || fstat(logfd, &st)) return;
  shown = secs;
  printf("\r  %s: %lds, log %lld KiB ", what, secs, (long long)st.st_size / 1024);
  fflush(stdout);
}

/* One write per line: the background kernel build logs here too */
void log_cmd(char *const argv[])
{
  char *line = xstrdup(""), *n;
  int i;

  if (cmdfd < 0) return;
  for (i = 0; argv[i]; i++) {
    n = xprintf("%s%s%s", line, i ? " " : "", argv[i]);
    free(line);
    line = n;
  }
  n = xprintf("%s\n", line);
  if (write(cmdfd, n, strlen(n)) < 0) {}
  free(n);
  free(line);
}

/* A step failed: show the end of the log and where the rest is */
void log_fail(const char *what)
{
  char *text = logname ? read_file(logname, 0) : 0, *p;
  int lines = 0;

  if (text) {
    for (p = text + strlen(text); p > text; p--)
      if (p[-1] == '\n' && ++lines > 20) break;
    fflush(stdout);
    fprintf(stderr, "%s", p);
    free(text);
  }
  fflush(stdout);
  fprintf(stderr, "%s: %s failed, see %s\n", progname, escape(what),
          escape(log_path()));
}
