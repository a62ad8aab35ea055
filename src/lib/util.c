/* util.c: memory, strings and messages. Every message is one line,
 * "progname: thing: reason", on stderr and in the build's log. */
#define _GNU_SOURCE
#include "lib.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *progname = "mkroot";

/* The build's log, where every message is copied too (log.c opens it) */
static int msgfd = -1;

void msg_copy(int fd)
{
  msgfd = fd;
}

static void oom(void)
{
  static const char msg[] = "out of memory\n";

  if (write(2, msg, sizeof(msg) - 1) < 0) {}
  _exit(1);
}

void *xmalloc(size_t n)
{
  void *p = calloc(1, n ? n : 1);

  if (!p) oom();
  return p;
}

void *xrealloc(void *p, size_t n)
{
  if (!(p = realloc(p, n ? n : 1))) oom();
  return p;
}

char *xstrdup(const char *s)
{
  char *p = strdup(s);

  if (!p) oom();
  return p;
}

char *xstrndup(const char *s, size_t n)
{
  char *p = strndup(s, n);

  if (!p) oom();
  return p;
}

char *xprintf(const char *fmt, ...)
{
  va_list va;
  char *s;

  va_start(va, fmt);
  if (vasprintf(&s, fmt, va) < 0) oom();
  va_end(va);
  return s;
}

/* s with every control character and backslash written as a C escape
 * ("a\nb" -> "a\\nb", ESC -> "\\033"), as ls -b does: a name from outside
 * (a tarball's entry, a path in a root, a URL) printed this way can't
 * split a message or forge another line */
char *escape(const char *s)
{
  static const char from[] = "\\\n\t\r", to[] = "\\ntr";
  char *out = xmalloc(strlen(s) * 4 + 1), *o = out;
  const unsigned char *p;

  for (p = (const unsigned char *)s; *p; p++) {
    const char *c = strchr(from, *p);

    if (c) o += sprintf(o, "\\%c", to[c - from]);
    else if (*p < 32 || *p == 127) o += sprintf(o, "\\%03o", *p);
    else *o++ = *p;
  }
  *o = 0;
  return out;
}

/* One line to stderr and, when a build log is open, to the log: whatever
 * the message holds, it is one line (escape) */
static void msg(const char *fmt, va_list va, int err)
{
  char *raw, *s, *line;

  if (vasprintf(&raw, fmt, va) < 0) oom();
  s = escape(raw);
  free(raw);
  line = err ? xprintf("%s: %s: %s\n", progname, s, strerror(err))
             : xprintf("%s: %s\n", progname, s);
  fflush(stdout);
  fputs(line, stderr);
  if (msgfd >= 0 && write(msgfd, line, strlen(line)) < 0) {}
  free(line);
  free(s);
}

void error_msg(const char *fmt, ...)
{
  va_list va;

  va_start(va, fmt);
  msg(fmt, va, 0);
  va_end(va);
}

void perror_msg(const char *fmt, ...)
{
  int err = errno;
  va_list va;

  va_start(va, fmt);
  msg(fmt, va, err);
  va_end(va);
}

void error_exit(const char *fmt, ...)
{
  va_list va;

  va_start(va, fmt);
  msg(fmt, va, 0);
  va_end(va);
  exit(1);
}

void perror_exit(const char *fmt, ...)
{
  int err = errno;
  va_list va;

  va_start(va, fmt);
  msg(fmt, va, err);
  va_end(va);
  exit(1);
}

/* A name that may become one path component: output/NAME, build/NAME,
 * module/NAME. Letters, digits, '.', '_', '+', '-'; not starting with '.'
 * or '-'; at most 200 bytes. */
int valid_name(const char *s)
{
  size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                       "0123456789._+-");

  return n && !s[n] && n <= 200 && *s != '.' && *s != '-';
}

/* Decimal digits only, at most max: 0 and *out set, else -1 */
int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
  unsigned long long v;
  char *end;

  if (!s || *s < '0' || *s > '9') return -1;
  errno = 0;
  v = strtoull(s, &end, 10);
  if (errno || *end || v > max) return -1;
  *out = v;
  return 0;
}

/* s as one shell word: 'it'\''s' */
char *shell_quote(const char *s)
{
  char *out = xmalloc(strlen(s) * 4 + 3), *o = out;

  *o++ = '\'';
  for (; *s; s++) {
    if (*s == '\'') {
      memcpy(o, "'\\''", 4);
      o += 4;
    } else *o++ = *s;
  }
  *o++ = '\'';
  *o = 0;
  return out;
}

/* A yes/no variable: set, non-empty and not "0" */
int is_true(const char *s)
{
  return s && *s && strcmp(s, "0");
}

/* text, already at column at, wrapped before column width, later lines
 * indented to at; a newline at the end */
void fwrap(FILE *f, const char *text, int at, int width)
{
  int col = at;

  while (*text) {
    int n = strcspn(text, " ");

    if (col > at && col + 1 + n > width) {
      fprintf(f, "\n%*s", at, "");
      col = at;
    } else if (col > at) {
      fputc(' ', f);
      col++;
    }
    fprintf(f, "%.*s", n, text);
    col += n;
    text += n;
    text += strspn(text, " ");
  }
  fputc('\n', f);
}

/* bytes random bytes as hex into out (2 * bytes + 1 long) */
void random_hex(char *out, int bytes)
{
  unsigned char r[32];
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC), i;

  if (bytes > 32 || fd < 0 || read(fd, r, bytes) != bytes)
    perror_exit("/dev/urandom");
  close(fd);
  for (i = 0; i < bytes; i++) sprintf(out + 2 * i, "%02x", r[i]);
}
