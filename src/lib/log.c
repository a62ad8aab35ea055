/* log.c: the build's log. Stage lines go to the terminal and the log; the
 * output of every command the build runs goes to the log only, so a
 * failure can show its last lines and the log's path. With -l, each
 * command's argv is also a line of the command log. */
#define _GNU_SOURCE
#include "lib.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int logfd = -1, cmdfd = -1, tty;
static char *logname, *title;

/* Does a person watch? Asked when the log opens, before a background
 * step's output goes to /dev/null: it still counts for the terminal */
int log_tty(void) { return tty; }

int log_fd(void) { return logfd; }
const char *log_path(void) { return logname ? logname : "(no log)"; }

int log_open(const char *path, const char *cmdlog, const char *what)
{
  /* a new file, never one a symlink at the name leads to */
  unlink(path);
  if (logfd >= 0) close(logfd);   /* the cross compiler's, before a native one */
  logfd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_APPEND
               | O_CLOEXEC, 0644);
  if (logfd < 0) {
    perror_msg("%s", path);
    return -1;
  }
  msg_copy(logfd);
  logname = xstrdup(path);
  title = xstrdup(what);
  tty = isatty(1);
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

/* A long step's count: lines of a log holding mark (kbuild's "  CC "),
 * from the log's start, or from its end as it is now (what it holds was
 * another step's), out of total (0 while not known; totalfile, when
 * given, holds it once it is). Read as the log grows; shown by progress(). */
static struct meter {
  char *name, *mark, *totalfile;
  int fd;
  long done, total;
  char tail[32];     /* the last bytes read: a mark split across reads */
} m = {.fd = -1};

void meter_start(const char *name, const char *log, int fromstart,
                 const char *mark, long total, const char *totalfile)
{
  struct stat st;

  meter_stop();
  if ((m.fd = open(log, O_RDONLY | O_CLOEXEC)) < 0) return;
  if (!fromstart && !fstat(m.fd, &st)) lseek(m.fd, st.st_size, SEEK_SET);
  m.name = xstrdup(name);
  m.mark = xstrndup(mark, sizeof(m.tail) - 1);
  m.totalfile = totalfile ? xstrdup(totalfile) : 0;
  m.total = total;
  m.done = 0;
  *m.tail = 0;
}

void meter_stop(void)
{
  if (m.fd >= 0) close(m.fd);
  free(m.name);
  free(m.mark);
  free(m.totalfile);
  m = (struct meter){.fd = -1};
}

static void meter_read(void)
{
  size_t keep = strlen(m.mark) - 1, have = strlen(m.tail);
  char buf[65536 + sizeof(m.tail)], *p;
  ssize_t n;

  while ((n = read(m.fd, buf + have, 65536)) > 0) {
    memcpy(buf, m.tail, have);
    n += have;
    buf[n] = 0;
    /* the log is text: a NUL would only end the search early */
    for (p = buf; (p = memmem(p, buf + n - p, m.mark, keep + 1)); p += keep + 1)
      m.done++;
    have = (size_t)n < keep ? (size_t)n : keep;
    memcpy(m.tail, buf + n - have, have);
    m.tail[have] = 0;
  }
  if (!m.total && m.totalfile) {
    char *t = read_file(m.totalfile, 0);

    if (t) m.total = atol(t);
    free(t);
  }
}

/* "1m05s" */
static char *mins(long s)
{
  return s < 60 ? xprintf("%lds", s) : xprintf("%ldm%02lds", s / 60, s % 60);
}

/* On a terminal, redrawn: "  kernel: 412/935 compiled, 2m10s, about 2m55s
 * more" with a meter, else "  make: 12s, log 340 KiB"; what 0 clears it */
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
  if (m.fd >= 0) {
    char *el = mins(secs), *rest = 0;

    meter_read();
    /* the rate so far, once there is one to speak of */
    if (m.total > m.done && m.done >= 10)
      rest = mins((long)((double)secs * (m.total - m.done) / m.done));
    if (m.total && m.total >= m.done) printf("\r  %s: %ld/%ld compiled, %s", m.name, m.done, m.total, el);
    else printf("\r  %s: %ld compiled, %s", m.name, m.done, el);
    if (rest) printf(", about %s more", rest);
    printf("\033[K");
    free(el);
    free(rest);
  } else printf("\r  %s: %lds, log %lld KiB ", what, secs,
                (long long)st.st_size / 1024);
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
