/* run.c: ./run TARGET [ARGS...] boots output/TARGET with its launch script
 * (the seed's command); with no TARGET, lists what is built.
 *
 * ./run [OPTIONS] TARGET[,TARGET...|all] [QEMU ARGS] -- CMD [ARGS] boots
 * it, runs CMD as root after the rc scripts, and powers off. The serial
 * console is the one channel every board has, so it carries the result:
 * the guest's /init, given HANDOFF and FRAME=TOKEN on the kernel command
 * line, sends CMD's stdout and stderr as base64 lines that start with
 * TOKEN, and its exit status last (src/init/init.c, frame_line). Lines
 * without the token are the kernel's and the rc scripts' chatter: kept in
 * output/TARGET/run.log, never mixed into CMD's output. The command (a
 * script quoting CMD's words) and the --share directory go in as a cpio
 * archive appended to the initramfs (the kernel unpacks it over the root:
 * any board, no root rights, no loop mount); $OUT comes back as a tar the
 * guest writes onto a blank disk image, read here with libarchive.
 *
 * Also the lookups boottest shares: a target's launch script, the targets
 * that are built, a script's target row, a disk image's QEMU arguments. */
#define _GNU_SOURCE
#include "cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUN_TIMEOUT 124   /* the guest was killed at --timeout (as timeout(1)) */
#define RUN_FAILED 125    /* run or the guest failed: no status from CMD */
#define FRAME_BYTES 48    /* the most bytes one frame carries (init.c) */
#define OUT_DISK (4ULL << 30)   /* the sparse image $OUT is written to,
                                   unless the board's flash has a size */

/* output/NAME's launch script, or 0 if NAME isn't a target name, isn't
 * built, or has more than one script (which would make it ambiguous) */
char *launch_script(const char *top, const char *name)
{
  char *dir, *s = 0, **names;
  int n = 0, i;

  if (!valid_name(name)) return 0;
  /* match names in the one directory: top itself may hold "[" or "*" */
  dir = xprintf("%s/output/%s", top, name);
  names = dir_names(dir);
  for (i = 0; names && names[i]; i++)
    if (!fnmatch("qemu-*.sh", names[i], FNM_PERIOD) && !n++)
      s = xprintf("%s/%s", dir, names[i]);
  free_names(names);
  free(dir);
  if (n != 1) {
    free(s);
    s = 0;
  }
  return s;
}

/* Every output/NAME that has a launch script (not the .failed ones) */
int built_targets(const char *top, char ***out)
{
  char *dir = xprintf("%s/output", top), **names = dir_names(dir);
  int n = 0, i;

  *out = xmalloc(256 * sizeof(char *));
  for (i = 0; names && names[i] && n < 255; i++) {
    char *script;

    if (!strstr(names[i], ".failed")
        && (script = launch_script(top, names[i]))) {
      (*out)[n++] = xstrdup(names[i]);
      free(script);
    }
  }
  free_names(names);
  free(dir);
  return n;
}

/* 0 if t's emulator is on PATH, else the one line saying which Debian
 * package has it */
char *qemu_absent(const struct target *t)
{
  char *q = xprintf("qemu-system-%s", t->qemu), *p = which(getenv("PATH"), q);
  char *why = p ? 0 : xprintf("%s: not found (Debian's %s: make deps-all)",
                              q, target_qemu_pkg(t));

  free(p);
  free(q);
  return why;
}

/* The row of the target a launch script (".../qemu-NAME.sh") boots, or 0 */
const struct target *script_target(const char *script)
{
  const char *base = strrchr(script, '/');
  char *name = xstrdup(base ? base + 6 : script + 5);
  const struct target *t;

  if (strlen(name) > 3) name[strlen(name) - 3] = 0;
  t = target_find(name);
  free(name);
  return t;
}

/* QEMU's -drive takes "file=PATH,...": a comma in PATH is written twice */
static char *qemu_escape(const char *path)
{
  char *out = xmalloc(strlen(path) * 2 + 1), *o = out;

  for (; *path; path++) {
    if (*path == ',') *o++ = ',';
    *o++ = *path;
  }
  *o = 0;
  return out;
}

/* The disk arguments: the target's template split into words, "%s" in a
 * word replaced by the image's path */
char **disk_argv(const char *tmpl, const char *disk, int *n)
{
  char *esc = qemu_escape(disk), **v = xmalloc(32 * sizeof(char *));
  const char *s = tmpl;

  *n = 0;
  while (*s && *n < 31) {
    size_t len = strcspn(s, " ");
    char *word = xstrndup(s, len), *pct = strstr(word, "%s");

    if (len) v[(*n)++] = pct ? xprintf("%.*s%s%s", (int)(pct - word), word,
                                       esc, pct + 2) : xstrdup(word);
    free(word);
    s += len;
    s += strspn(s, " ");
  }
  v[*n] = 0;
  free(esc);
  return v;
}

/* A log or output file in output/TARGET: a new file, never one a symlink
 * at its name leads to */
FILE *new_output(const char *path)
{
  int fd;

  unlink(path);
  fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  return fd < 0 ? 0 : fdopen(fd, "w");
}

/* ---- the console's frames (the guest's side is frame_line in init.c) ---- */

static int b64val(int c)
{
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  return c == '+' ? 62 : c == '/' ? 63 : -1;
}

static int hexval(int c)
{
  if (c >= '0' && c <= '9') return c - '0';
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One console line (without its newline): 'o' or 'e' with the frame's
 * bytes in buf (at least FRAME_BYTES) and their count in *n; 'x' with
 * CMD's exit status in *n; 0 if the line holds no frame of ours; '?' if it
 * holds one that arrived garbled (its count and its data disagree). */
int frame_decode(const char *line, size_t len, const char *token,
                 unsigned char *buf, int *n)
{
  size_t tl = strlen(token), i, want;
  const char *s = memmem(line, len, token, tl), *end = line + len;
  int count, j;

  if (!s) return 0;
  s += tl;
  while (end > s && end[-1] == '\r') end--;
  /* the token alone, or not followed by a frame's kind: the kernel echoing
   * its command line (FRAME=...), which microblaze's does even when quiet */
  if (s == end || !strchr("oex", *s)) return 0;
  if (*s == 'x') {
    const char *digits = ++s;

    for (count = 0; s < end && *s >= '0' && *s <= '9' && count < 1000; s++)
      count = count * 10 + *s - '0';
    if (s != end || s == digits || count > 255) return '?';
    *n = count;
    return 'x';
  }
  if ((*s != 'o' && *s != 'e') || end - s < 3 || hexval(s[1]) < 0
      || hexval(s[2]) < 0) return '?';
  count = hexval(s[1]) * 16 + hexval(s[2]);
  want = (count + 2) / 3 * 4;
  if (count > FRAME_BYTES || (size_t)(end - s - 3) != want) return '?';
  for (i = 0, j = 0; i < want; i += 4) {
    const char *q = s + 3 + i;
    int a = b64val(q[0]), b = b64val(q[1]), c = b64val(q[2]), d = b64val(q[3]);
    unsigned v;

    if (a < 0 || b < 0) return '?';
    v = a << 18 | b << 12 | (c < 0 ? 0 : c << 6) | (d < 0 ? 0 : d);
    buf[j++] = v >> 16;
    if (j < count) {
      if (c < 0) return '?';
      buf[j++] = v >> 8 & 255;
    }
    if (j < count) {
      if (d < 0) return '?';
      buf[j++] = v & 255;
    }
  }
  if (j != count) return '?';
  *n = count;
  return *s;
}

/* ---- options ---- */

struct run {
  double timeout;              /* seconds; 0: none */
  const char *share, *out;     /* host directories, or 0 */
  char **qemu, **cmd;          /* QEMU's extra arguments; CMD [ARGS] */
  int nqemu, ncmd;
  char *top;
};

/* The result of one target */
struct result {
  int status;                  /* CMD's exit status, RUN_TIMEOUT, RUN_FAILED */
  double secs;                 /* boot and run */
  char why[512];               /* the line saying what went wrong, or "" */
};

static int say_why(struct result *r, int status, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));
static int say_why(struct result *r, int status, const char *fmt, ...)
{
  va_list va;

  va_start(va, fmt);
  vsnprintf(r->why, sizeof(r->why), fmt, va);
  va_end(va);
  return r->status = status;
}

/* ---- sizes ---- */

static int add_bytes(struct walk *w)
{
  if (!w->post) *(unsigned long long *)w->arg += 512
    + (S_ISREG(w->st.st_mode) ? (unsigned long long)w->st.st_size : 0);
  return 0;
}

static unsigned long long tree_bytes(const char *dir)
{
  unsigned long long n = 0;

  return walk_tree(dir, add_bytes, &n, 0) ? ~0ULL : n;
}

/* A QEMU memory size in MiB ("512", "1G", "size=2G"), or 0 */
static long mem_mib(const char *s)
{
  char *end;
  long v;

  if (!strncmp(s, "size=", 5)) s += 5;
  v = strtol(s, &end, 10);
  if (v <= 0) return 0;
  if (*end == 'G' || *end == 'g') v *= 1024;
  else if (*end == 'T' || *end == 't') v *= 1024 * 1024;
  else if (*end && !strchr("Mm, \t\n\\", *end)) return 0;
  return v;
}

/* The guest's memory: the launch script's -m, or the last -m given */
static long guest_mib(const char *script, char **qemu, int n)
{
  char *text = read_file(script, 0), *m = text ? strstr(text, " -m ") : 0;
  long mib = m ? mem_mib(m + 4) : 0;
  int i;

  free(text);
  for (i = 0; i + 1 < n; i++) if (!strcmp(qemu[i], "-m")) mib = mem_mib(qemu[i + 1]);
  return mib ? mib : 128;
}

/* ---- what goes into the guest ---- */

/* $OUT's disk: the row's device glob and size, or any of /dev/[hsv]d[a-z]
 * (all a PC or -M virt gives) of OUT_DISK bytes */
static const char *out_dev(const struct target *t)
{
  return t && t->diskdev ? t->diskdev : "/dev/[hsv]d[a-z]";
}

static unsigned long long out_bytes(const struct target *t)
{
  return t && t->diskmib ? (unsigned long long)t->diskmib << 20 : OUT_DISK;
}

/* The script the guest's /init hands off to: CMD's words quoted, never
 * pasted; then $OUT onto the disk (one of dev) whose first bytes are the
 * marker */
static char *guest_script(const struct run *o, const char *marker,
                          const char *dev)
{
  char *cmd = xstrdup(""), *s;
  int i;

  for (i = 0; i < o->ncmd; i++) {
    char *q = shell_quote(o->cmd[i]);

    s = xprintf("%s%s%s", cmd, i ? " " : "", q);
    free(cmd);
    free(q);
    cmd = s;
  }
  s = xprintf(
    "#!/bin/sh\n"
    "# ./run's command, written by the host\n"
    "unset HANDOFF FRAME\n"
    "export HOME=/root%s OUT=/mnt/out\n"
    "mkdir -p \"$OUT\"\n"
    "cd %s\n"
    "%s\n"
    "rc=$?\n"
    "%s"
    "exit $rc\n",
    o->share ? " SHARE=/mnt/share" : "", o->share ? "\"$SHARE\"" : "\"$HOME\"",
    cmd, !o->out ? "" : xprintf(
    "# $OUT: a tar on the disk that starts with the marker, once the kernel\n"
    "# has found it (toybox 0.8.9's sh: no while loops, they don't end)\n"
    "d=\n"
    "for n in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do\n"
    "  for i in %s; do\n"
    "    [ \"$(head -c %zu \"$i\" 2>/dev/null)\" = %s ] && d=$i\n"
    "  done\n"
    "  [ -n \"$d\" ] && break\n"
    "  sleep 0.5\n"
    "done\n"
    "if [ -z \"$d\" ]; then echo 'run: no disk for $OUT' >&2\n"
    "else tar c -f \"$d\" -C \"$OUT\" . && sync || echo 'run: $OUT not saved' >&2\n"
    "fi\n", dev, strlen(marker), marker));
  free(cmd);
  return s;
}

/* A new file for this run in the target's directory, removed on an
 * interrupt and by run_clean */
static int run_file(const char *dir, const char *what, char **path)
{
  int fd;

  *path = xprintf("%s/run-%d.%s", dir, (int)getpid(), what);
  if ((fd = open(*path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
    perror_msg("%s", *path);
  else tmpfile_add(*path);
  return fd;
}

static void run_clean(char *path)
{
  if (!path) return;
  unlink(path);
  tmpfile_del(path);
  free(path);
}

/* The initramfs with the command (and the share) appended */
static int make_initrd(const struct run *o, const char *dir, const char *text,
                       char **initrd, char **script)
{
  char *root = xprintf("%s/root.cpio.gz", dir), *data;
  int fd = run_file(dir, "sh", script), rc = -1;
  struct cpio_in in[2] = {{*script, "etc/mkroot-run"}, {o->share, "mnt/share"}};
  size_t len;

  if (fd < 0) goto out;
  rc = write(fd, text, strlen(text)) != (ssize_t)strlen(text) || fchmod(fd, 0755);
  close(fd);
  if (rc) perror_msg("%s", *script);
  if (rc || (fd = run_file(dir, "initrd", initrd)) < 0) goto out;
  if (!(data = read_file(root, &len))) rc = -1;
  else {
    rc = write(fd, data, len) != (ssize_t)len;
    if (rc) perror_msg("%s", *initrd);
    free(data);
  }
  if (!rc) rc = cpio_append(fd, in, o->share ? 2 : 1, (long long)time(0));
  close(fd);
out:
  free(root);
  return rc;
}

/* A blank disk image (sparse) of size bytes whose first bytes are the
 * marker */
static int make_disk(const char *dir, const char *marker,
                     unsigned long long size, char **path)
{
  int fd = run_file(dir, "img", path), rc;

  if (fd < 0) return -1;
  rc = write(fd, marker, strlen(marker)) != (ssize_t)strlen(marker)
       || ftruncate(fd, (off_t)size);
  if (rc) perror_msg("%s", *path);
  close(fd);
  return rc ? -1 : 0;
}

/* ---- the boot ---- */

struct console {
  const char *token;
  int fdout, fderr;
  FILE *log;
  char *line;
  size_t len, cap;
  int status, garbled, panic, broken, unpack;
  char last[200];              /* the last line of chatter */
};

static int put_all(int fd, const unsigned char *buf, size_t len)
{
  ssize_t n;

  while (len && ((n = write(fd, buf, len)) > 0 || errno == EINTR))
    if (n > 0) buf += n, len -= n;
  return len ? -1 : 0;
}

/* One whole line from the console */
static void console_line(struct console *c, const char *line, size_t len)
{
  unsigned char buf[FRAME_BYTES + 4];
  int n, kind = frame_decode(line, len, c->token, buf, &n);

  if (kind == 'o' || kind == 'e') {
    if (!c->broken && put_all(kind == 'o' ? c->fdout : c->fderr, buf, n))
      c->broken = 1;
  } else if (kind == 'x') c->status = n;
  else if (kind == '?') {
    c->garbled++;   /* the log shows it, as the message about it says */
    fprintf(c->log, "[garbled] %.*s\n", (int)len, line);
  }
  else {
    while (len && (line[len - 1] == '\r' || line[len - 1] == ' ')) len--;
    fprintf(c->log, "%.*s\n", (int)len, line);
    if (memmem(line, len, "Kernel panic", 12)) c->panic = 1;
    if (memmem(line, len, "Initramfs unpacking failed", 26)) c->unpack = 1;
    if (len) snprintf(c->last, sizeof(c->last), "%.*s", (int)len, line);
  }
}

static void console_data(struct console *c, const char *buf, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++) {
    if (buf[i] == '\n' || c->len >= 65536) {
      console_line(c, c->line, c->len);
      c->len = 0;
      if (buf[i] == '\n') continue;
    }
    if (c->len == c->cap) c->line = xrealloc(c->line, c->cap = c->cap * 2 + 256);
    c->line[c->len++] = buf[i];
  }
}

/* Boot: the launch script with our initrd, disk and kernel arguments; read
 * the console until the guest is gone, CMD's status came and the guest had
 * its moment to power off (a board that can't: killed then), or the time
 * is up. */
static void boot(const struct run *o, const char *name, const char *script,
                 const struct target *t, char **extra, int nextra,
                 struct console *c, struct result *r)
{
  double t0 = now_secs(), limit = o->timeout > 0 ? t0 + o->timeout : 0;
  char **argv = xmalloc((o->nqemu + nextra + 3) * sizeof(char *));
  const char *kargs = getenv("KARGS");
  /* x86 under TCG on a busy host: Linux's IO-APIC timer check fails now
   * and then and panics ("IO-APIC + timer doesn't work!": 1 boot in 6 at
   * a load of 20 here); QEMU's timer is fine, the check is skipped */
  char *karg = xprintf("%s%s%sHANDOFF=/etc/mkroot-run FRAME=%s",
                       kargs ? kargs : "", kargs && *kargs ? " " : "",
                       t && !strcmp(t->karch, "x86") ? "no_timer_check " : "",
                       c->token);
  int p[2], i, n = 0, grace = 0;
  pid_t pid;

  argv[n++] = "sh";
  argv[n++] = (char *)script;
  for (i = 0; i < o->nqemu; i++) argv[n++] = o->qemu[i];
  for (i = 0; i < nextra; i++) argv[n++] = extra[i];
  argv[n] = 0;
  if (pipe2(p, O_CLOEXEC) || (pid = fork_child()) < 0) {
    say_why(r, RUN_FAILED, "%s: can't start %s: %s", name, script, strerror(errno));
    return;
  }
  if (!pid) {
    int nul = open("/dev/null", O_RDONLY);

    dup2(nul, 0);
    dup2(p[1], 1);
    dup2(p[1], 2);
    close_range(3, ~0U, 0);
    setenv("KARGS", karg, 1);
    execv("/bin/sh", argv);
    _exit(127);
  }
  close(p[1]);
  for (;;) {
    double left = limit ? limit - now_secs() : 1e9;
    struct pollfd pf = {p[0], POLLIN, 0};
    char buf[65536];
    ssize_t got;

    if (c->status >= 0 && !grace++ && (!limit || now_secs() + 10 < limit))
      limit = now_secs() + 10, left = 10;  /* the poweroff's moment */
    if (left <= 0 || c->broken) break;
    if (poll(&pf, 1, left > 1e6 ? -1 : (int)(left * 1000) + 1) <= 0) continue;
    if ((got = read(p[0], buf, sizeof(buf))) <= 0) {
      if (got < 0 && errno == EINTR) continue;
      break;
    }
    console_data(c, buf, got);
  }
  if (c->len) console_line(c, c->line, c->len);
  kill(-pid, SIGKILL);
  wait_child(pid, 0);
  close(p[0]);
  r->secs = now_secs() - t0;
  if (c->unpack)   /* the kernel goes on with what it could unpack */
    say_why(r, RUN_FAILED, "%s: the initramfs didn't fit in the guest's memory "
            "(a share too big? -m as a QEMU argument)", name);
  else if (c->status >= 0) r->status = c->status;
  else if (c->broken) say_why(r, 128 + SIGPIPE, "%s", "");
  else if (limit && now_secs() >= limit)
    say_why(r, RUN_TIMEOUT, "%s: killed after %.0f s (--timeout): CMD had not "
            "finished%s", name, o->timeout, c->panic ? " (kernel panic)" : "");
  else say_why(r, RUN_FAILED, "%s: the guest stopped before CMD finished: %s",
               name, c->panic ? "kernel panic" : *c->last ? c->last : "no output");
  free(argv);
  free(karg);
}

/* Run CMD on one target: its output to fdout and fderr, $OUT into outdir */
static void run_one(const struct run *o, const char *name, int fdout, int fderr,
                    const char *outdir, struct result *r)
{
  char *dir = xprintf("%s/output/%s", o->top, name), *script = 0, *text = 0;
  char *initrd = 0, *shfile = 0, *disk = 0, marker[40] = "mkroot-out-";
  char token[24] = "@r", *logpath = 0, **extra = 0, *why;
  struct console c = {.status = -1};
  const struct target *t;
  int nextra = 0, i;

  memset(r, 0, sizeof(*r));
  if (!valid_name(name) || !(script = launch_script(o->top, name))) {
    say_why(r, RUN_FAILED, "output/%s: not built (./mkroot kernel)", name);
    goto out;
  }
  t = script_target(script);
  if (t && (why = qemu_absent(t))) {
    say_why(r, RUN_FAILED, "%s", why);
    goto out;
  }
  if (o->share) {
    unsigned long long share = tree_bytes(o->share) >> 20;
    unsigned long long root = tree_bytes(xprintf("%s/root", dir)) >> 20;
    long mem = guest_mib(script, o->qemu, o->nqemu);

    /* unpacked, and compressed while it unpacks, beside the root and the
     * kernel's own: measured on x86_64 with 256 MiB (80 MB fit, 90 MB
     * didn't) */
    if (root + 2 * share + 96 > (unsigned long long)mem) {
      say_why(r, RUN_FAILED, "%s: %llu MiB: too big for %s's %ld MiB of "
              "memory (needs about %llu: -m as a QEMU argument)", o->share,
              share, name, mem, root + 2 * share + 96);
      goto out;
    }
  }
  random_hex(token + 2, 8);
  random_hex(marker + 11, 8);
  text = guest_script(o, marker, out_dev(t));
  if (make_initrd(o, dir, text, &initrd, &shfile)) {
    say_why(r, RUN_FAILED, "%s: can't write the initramfs", name);
    goto out;
  }
  if (o->out && make_disk(dir, marker, out_bytes(t), &disk)) {
    say_why(r, RUN_FAILED, "%s: can't write the disk image for --out", name);
    goto out;
  }
  {
    char **d = o->out ? disk_argv(t ? t->disk : "-hda %s", disk, &nextra) : 0;

    extra = xmalloc((nextra + 3) * sizeof(char *));
    extra[0] = "-initrd";
    extra[1] = initrd;
    for (i = 0; i < nextra; i++) extra[i + 2] = d[i];
    nextra += 2;
    free(d);
  }
  logpath = xprintf("%s/run.log", dir);
  if (!(c.log = new_output(logpath))) {
    say_why(r, RUN_FAILED, "%s: %s", logpath, strerror(errno));
    goto out;
  }
  c.token = token;
  c.fdout = fdout;
  c.fderr = fderr;
  boot(o, name, script, t, extra, nextra, &c, r);
  fclose(c.log);
  if (c.garbled && !*r->why)
    say_why(r, r->status, "%s: %d lines of CMD's output arrived garbled on the "
            "console (see %s)", name, c.garbled, logpath);
  if (o->out && c.status >= 0
      && extract_archive(disk, outdir, 0, &(struct caps){out_bytes(t), CAPS_ENTRIES}))
    say_why(r, RUN_FAILED, "%s: $OUT did not come back (CMD's status: %d)",
            name, c.status);
out:
  run_clean(initrd);
  run_clean(shfile);
  run_clean(disk);
  free(c.line);
  free(extra);
  free(text);
  free(logpath);
  free(script);
  free(dir);
}

/* ---- many targets ---- */

/* Each target in a child of its own, side by side as cores allow; its
 * output in output/TARGET/run.out, $OUT in OUT/TARGET; one line each */
static int run_many(const struct run *o, char **names, int n)
{
  pid_t *pids = xmalloc(n * sizeof(pid_t));
  int *fds = xmalloc(n * sizeof(int)), i, running = 0, failed = 0, next = 0;
  double *t0 = xmalloc(n * sizeof(double));

  while (next < n || running) {
    int status;
    pid_t p;

    if (next < n && running < ncpus()) {
      char *dir = xprintf("%s/output/%s", o->top, names[next]);
      char *outf = xprintf("%s/run.out", dir);
      int pr[2], fd;

      if (!valid_name(names[next]) || !is_dir(dir)) {
        printf("%-12s not built\n", names[next]);
        failed++;
        pids[next++] = 0;
        continue;
      }
      if (pipe2(pr, O_CLOEXEC)) perror_exit("pipe");
      t0[next] = now_secs();
      if (!(pids[next] = fork_child())) {
        char *outdir = o->out ? xprintf("%s/%s", o->out, names[next]) : 0;
        struct result r;

        close(pr[0]);
        FILE *f = new_output(outf);

        if (!f) perror_exit("%s", outf);
        fd = fileno(f);
        run_one(o, names[next], fd, fd, outdir, &r);
        if (write(pr[1], r.why, strlen(r.why)) < 0) {}
        _exit(r.status);
      }
      close(pr[1]);
      fds[next++] = pr[0];
      running++;
      free(dir);
      free(outf);
      continue;
    }
    while ((p = wait(&status)) < 0 && errno == EINTR) {}
    if (p < 0) break;
    child_del(p);
    for (i = 0; i < n && pids[i] != p; i++) {}
    if (i == n) continue;
    running--;
    {
      char why[600] = "";
      ssize_t len = read(fds[i], why, sizeof(why) - 1);
      int rc = WIFEXITED(status) ? WEXITSTATUS(status) : RUN_FAILED;

      close(fds[i]);
      why[len > 0 ? len : 0] = 0;
      if (rc == RUN_TIMEOUT || rc == RUN_FAILED)
        printf("%-12s %s  %.1fs\n", names[i], *why ? why : "failed",
               now_secs() - t0[i]);
      else printf("%-12s exit %-3d %6.1fs  output/%s/run.out%s%s\n", names[i], rc,
                  now_secs() - t0[i], names[i], *why ? "  " : "", why);
      fflush(stdout);
      failed += rc != 0;
    }
  }
  free(pids);
  free(fds);
  free(t0);
  return failed ? 1 : 0;
}

/* ---- the command line ---- */

static int run_usage(const char *why)
{
  error_msg("%s (see ./run --help)", why);
  return RUN_FAILED;
}

/* ./run [OPTIONS] TARGETS [QEMU ARGS] -- CMD [ARGS] */
static int run_cmd(int argc, char **argv)
{
  struct run o = {.timeout = 600};
  char **names, *spec;
  int i, n, dash;

  for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] == '-' && argv[i][2]; i++) {
    const char *opt = argv[i];
    unsigned long long v;

    if (i + 1 >= argc) return run_usage(xprintf("%s: needs a value", opt));
    if (!strcmp(opt, "--timeout")) {
      if (parse_uint(argv[++i], 1 << 30, &v))
        return run_usage(xprintf("--timeout %s: seconds, 0 for none", argv[i]));
      o.timeout = v;
    } else if (!strcmp(opt, "--share")) o.share = argv[++i];
    else if (!strcmp(opt, "--out")) o.out = argv[++i];
    else return run_usage(xprintf("%s: unknown option", opt));
  }
  for (dash = i; dash < argc && strcmp(argv[dash], "--"); dash++) {}
  if (i >= dash) return run_usage("no TARGET");
  if (dash + 1 >= argc) return run_usage("no CMD after --");
  spec = argv[i];
  o.qemu = argv + i + 1;
  o.nqemu = dash - i - 1;
  o.cmd = argv + dash + 1;
  o.ncmd = argc - dash - 1;
  if (!(o.top = getcwd(0, 0))) perror_exit("getcwd");
  if (o.share && !is_dir(o.share)) {
    error_msg("--share %s: not a directory", o.share);
    return RUN_FAILED;
  }
  if (!strcmp(spec, "all")) {
    if (!(n = built_targets(o.top, &names))) {
      error_msg("nothing built (./mkroot kernel first)");
      return RUN_FAILED;
    }
  } else {
    char *s = xstrdup(spec), *tok, *save;

    names = xmalloc((strlen(spec) / 2 + 2) * sizeof(char *));
    for (n = 0, tok = strtok_r(s, ",", &save); tok; tok = strtok_r(0, ",", &save))
      names[n++] = tok;
    if (!n) return run_usage("no TARGET");
  }
  signal(SIGPIPE, SIG_IGN);
  if (!strcmp(spec, "all") || n > 1) return run_many(&o, names, n);
  {
    struct result r;

    run_one(&o, names[0], 1, 2, o.out, &r);
    if (*r.why) error_msg("%s", r.why);
    return r.status;
  }
}

int run_main(int argc, char **argv)
{
  const struct target *t;
  char *script, *why;
  int i;

  for (i = 1; i < argc; i++) if (!strcmp(argv[i], "--")) break;
  if (i < argc || (argc > 1 && argv[1][0] == '-')) return run_cmd(argc, argv);
  if (argc < 2) {
    char **names;
    int n = built_targets(".", &names);

    for (i = 0; i < n; i++) printf("%s%s", i ? " " : "", names[i]);
    if (n) printf("\n");
    else error_msg("nothing built (./mkroot kernel first)");
    return !n;
  }
  if (!valid_name(argv[1])) {
    error_msg("'%s': bad target name", argv[1]);
    return 1;
  }
  if (!(script = launch_script(".", argv[1]))) {
    error_msg("output/%s: no launch script (./mkroot kernel)", argv[1]);
    return 1;
  }
  t = script_target(script);
  if (t && (why = qemu_absent(t))) {
    error_msg("%s", why);
    return 1;
  }
  argv[1] = script;
  execv(script, argv + 1);
  perror_msg("%s", script);
  return 1;
}
