/* boottest.c: the seed's standard test, automated. For each output/TARGET:
 * make a disk image holding a random marker, serve another marker over HTTP
 * on 127.0.0.1 (the guest sees the host as 10.0.2.2), boot the launch script
 * with the disk attached, drive the console and check (checks[]): prompt,
 * typing, date, network, disk, user (a user name resolves), hosts
 * (localhost resolves), ssh when the root has dropbear (a command run over
 * ssh from the host answers, and a file copied in with scp reads back on
 * the console), poweroff. One line per target; a hung guest is killed at
 * the time limit and reported. The console transcript is kept in
 * output/TARGET/boottest.log. The launch script is started with an argv,
 * never through a shell command line; an interrupt kills every guest and
 * the server and removes the disk images (proc.c). */
#define _GNU_SOURCE
#include "cmd.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct guest {
  pid_t pid;
  int in, out;
  char *buf;
  size_t len, cap, mark;
  FILE *log;
  double deadline;
  int typems;   /* pause after each typed character (the row's), or 0 */
};

/* ---- the checks ---- */

/* The checks, in the order of the target's line. A row with a command
 * types it into the guest's shell and waits up to seconds (0: the boot's
 * time limit) for what it must print; {tok}, {port}, {net}, {disk} and
 * {dev} (the row's disk device) in them are this test's (fill). The console echoes what is typed, so
 * the shell must compute part of what is expected. The rest need code:
 * the prompt (the others run only after one), the clock, ssh (only when
 * the root has an ssh server) and poweroff. */
struct test;
struct check {
  const char *name, *command, *expected;
  int seconds;
  const char *(*code)(struct test *);   /* "ok", or "FAIL..." */
};
static const char *prompt_check(struct test *t), *date_check(struct test *t),
  *ssh_check(struct test *t), *poweroff_check(struct test *t);
static const struct check checks[] = {
  {"prompt", 0, 0, 0, prompt_check},
  {"typing", "echo T$((6*7)){tok}", "T42{tok}", 0, 0},
  {"date", 0, 0, 0, date_check},
  {"network", "wget -O /tmp/bt http://10.0.2.2:{port}/marker >/dev/null 2>&1;"
   " cat /tmp/bt", "{net}", 30, 0},
  {"disk", "head -n 1 {dev}", "{disk}", 20, 0},
  /* a whole userland: a user name and a host name resolve */
  {"user", "stat -c U%UU$((3+4)) /root", "UrootU7", 20, 0},
  {"hosts", "ping -c 1 -W 3 localhost >/dev/null 2>&1 && echo H$((4+5))OK",
   "H9OK", 20, 0},
  {"ssh", 0, 0, 0, ssh_check},
  {"poweroff", 0, 0, 0, poweroff_check},
  {0}
};
#define NCHECKS (sizeof(checks) / sizeof(*checks) - 1)

/* One target's test: where it is, its guest, the markers it must find */
struct test {
  const char *dir, *name, *net;  /* output/NAME, NAME, the HTTP marker */
  int port, sshport, has_ssh;    /* the HTTP server's; ssh's forward */
  char disk[40], tok[17], *diskpath;
  const char *diskdev;           /* the row's disk device: {dev} */
  double t0, timeout, prompt_s;  /* prompt_s: seconds to it, or -1 */
  long clock_diff;
  struct guest g;
  const char *res[NCHECKS];      /* "-": not run; 0: not in the line */
};

/* ---- the HTTP server: answers every request with the marker ---- */

static pid_t serve(const char *marker, int *port)
{
  struct sockaddr_in sa = {.sin_family = AF_INET};
  socklen_t len = sizeof(sa);
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
  pid_t pid;

  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) || listen(s, 8)
      || getsockname(s, (struct sockaddr *)&sa, &len))
    perror_exit("http server on 127.0.0.1");
  *port = ntohs(sa.sin_port);
  if ((pid = fork_child())) {
    close(s);
    return pid;
  }
  for (;;) {
    int c = accept4(s, 0, 0, SOCK_CLOEXEC);
    char req[4096], *resp;
    size_t got = 0;
    struct pollfd p = {c, POLLIN, 0};

    if (c < 0) continue;
    /* Read the request head (bounded), then answer. toybox 0.8.9's wget
     * accepts only an HTTP/1.1 status line. */
    while (got < sizeof(req) - 1 && poll(&p, 1, 5000) > 0) {
      ssize_t n = read(c, req + got, sizeof(req) - 1 - got);

      if (n <= 0) break;
      req[got += n] = 0;
      if (strstr(req, "\r\n\r\n")) break;
    }
    resp = xprintf("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                   "Content-Length: %zu\r\nConnection: close\r\n\r\n%s\n",
                   strlen(marker) + 1, marker);
    if (write(c, resp, strlen(resp)) < 0) {}
    free(resp);
    close(c);
  }
}

/* ---- driving the guest's console ---- */

static int start(struct guest *g, const char *script, char **disk, int ndisk)
{
  char **argv = xmalloc((ndisk + 3) * sizeof(char *));
  int in[2], out[2], i;

  argv[0] = "sh";
  argv[1] = (char *)script;
  for (i = 0; i < ndisk; i++) argv[i + 2] = disk[i];
  argv[ndisk + 2] = 0;
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) return -1;
  if (!(g->pid = fork_child())) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(out[1], 2);
    close_range(3, ~0U, 0);
    signal(SIGPIPE, SIG_DFL);
    execv("/bin/sh", argv);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  g->in = in[1];
  g->out = out[0];
  free(argv);
  return g->pid < 0 ? -1 : 0;
}

/* Read console output until any of the needles appears after g->mark, the
 * guest stops, or the deadline. Returns the index of the needle found (and
 * moves the mark past it) or -1. */
static int expect(struct guest *g, const char *const needles[], double limit)
{
  for (;;) {
    int i, ms;
    double left;
    char *hit;

    for (i = 0; needles[i]; i++)
      if (g->len > g->mark && (hit = memmem(g->buf + g->mark, g->len - g->mark,
                                            needles[i], strlen(needles[i])))) {
        g->mark = hit - g->buf + strlen(needles[i]);
        return i;
      }
    /* poll takes an int of milliseconds: wait in pieces of at most an
     * hour, however far off the limit is */
    left = limit - now_secs();
    if (left <= 0) return -1;
    ms = left > 3600 ? 3600 * 1000 : (int)(left * 1000) + 1;
    {
      struct pollfd p = {g->out, POLLIN, 0};
      ssize_t n;

      if (poll(&p, 1, ms) <= 0) continue;
      if (g->cap - g->len < 4097)
        g->buf = xrealloc(g->buf, g->cap = g->cap * 2 + 8192);
      if ((n = read(g->out, g->buf + g->len, 4096)) <= 0) return -1;
      fwrite(g->buf + g->len, 1, n, g->log);
      fflush(g->log);
      g->len += n;
    }
  }
}

static int expect1(struct guest *g, const char *needle, double limit)
{
  const char *const n[] = {needle, 0};

  return expect(g, n, limit);
}

/* Send bytes: at once, or a character at a time for a console that
 * loses what comes faster (sh4's SCIF) */
static void put(struct guest *g, const char *s, size_t n)
{
  size_t i;

  if (!g->typems) {
    if (write(g->in, s, n) < 0) {}
  } else for (i = 0; i < n; i++) {
    struct timespec ts = {0, g->typems * 1000000L};

    if (write(g->in, s + i, 1) < 0) break;
    nanosleep(&ts, 0);
  }
}

/* Type a line, and wait for the console to echo its end before the Enter.
 * A busy guest's console (powerpc64's hvc) can hold the echo back until
 * the next input or output: the command's output then lands inside the
 * held-back echo and splits what a check looks for ("echoH H$((4+5))OK",
 * then "9OK"). A space typed after the line, which the shell ignores,
 * makes the guest echo again. */
static void type(struct guest *g, const char *line)
{
  size_t n = strlen(line), tail = n < 8 ? n : 8;
  int i;

  /* the end to wait for: one the line has nowhere else ("cat /tmp/bt"
   * after "wget -O /tmp/bt") */
  while (tail < n && strstr(line, line + n - tail) != line + n - tail) tail++;
  put(g, line, n);
  for (i = 0; i < 4 && expect1(g, line + n - tail, now_secs() + 0.5) < 0; i++)
    put(g, " ", 1);
  put(g, "\n", 1);
}

/* Run a command whose output contains BEGIN...END, return what is between.
 * BEGIN must not appear in the command as typed (the console echoes it):
 * make it something the shell computes. */
static char *ask(struct guest *g, const char *cmd, const char *begin,
                 const char *end, double limit)
{
  size_t from;
  char *e;

  type(g, cmd);
  if (expect1(g, begin, limit) < 0) return 0;
  from = g->mark;
  if (expect1(g, end, limit) < 0) return 0;
  e = g->buf + g->mark - strlen(end);
  return xprintf("%.*s", (int)(e - (g->buf + from)), g->buf + from);
}

/* Wait for QEMU to exit, at most until limit, or 5 s after the kernel's
 * last words (a board whose reset or power-off doesn't reach QEMU, as
 * microblaze's, spins there: no use waiting out the limit) */
static int wait_exit(struct guest *g, double limit)
{
  const char *const last[] = {"reboot: Restarting system",
                              "reboot: Power down", 0};
  int status;

  while (now_secs() < limit) {
    pid_t p = waitpid(g->pid, &status, WNOHANG);

    if (p == g->pid) {
      child_del(g->pid);
      g->pid = 0;
      return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
    }
    /* keep draining the console so QEMU never blocks on its output */
    if (expect(g, last, now_secs() + 0.2 < limit ? now_secs() + 0.2 : limit)
        >= 0 && now_secs() + 5 < limit)
      limit = now_secs() + 5;
  }
  return -1;
}

/* A new file (never through a symlink that sits at its name), removed
 * again on an interrupt: 1 MiB, or the size the board's flash must be */
static char *make_disk(const char *dir, const char *marker, int mib)
{
  char *path = xprintf("%s/boottest-disk.img", dir), *text;
  struct newfile f;

  if (newfile_open(&f, path, 0644)) return 0;
  text = xprintf("%s\n", marker);
  if (newfile_write(&f, text, strlen(text)) || ftruncate(f.fd, (off_t)(mib ? mib : 1) << 20)) {
    perror_msg("%s", path);
    newfile_abort(&f);
    return 0;
  }
  free(text);
  if (newfile_commit(&f)) return 0;
  tmpfile_add(path);
  return path;
}

/* ---- ssh, when the root has dropbear ---- */

/* The host port the launch script forwards to the guest's 22: a fixed one
 * it names (toybox's dropbear script), else a free one given as SSH_PORT
 * (so guests side by side don't collide); 0 if it forwards none */
static int ssh_port(const char *script)
{
  char *text = read_file(script, 0), *fwd;
  int port = 0;

  if (text && (fwd = strstr(text, "hostfwd=tcp:127.0.0.1:"))) {
    fwd += 22;
    port = isdigit((unsigned char)*fwd) ? atoi(fwd) : 0;
    if (!port && !strncmp(fwd, "$SSH_PORT", 9)) {
      struct sockaddr_in sa = {.sin_family = AF_INET};
      socklen_t len = sizeof(sa);
      int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

      sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (s >= 0 && !bind(s, (struct sockaddr *)&sa, sizeof(sa))
          && !getsockname(s, (struct sockaddr *)&sa, &len)) {
        port = ntohs(sa.sin_port);
        setenv("SSH_PORT", xprintf("%d", port), 1);
      }
      if (s >= 0) close(s);
    }
  }
  free(text);
  return port;
}

/* ssh or scp (argv[0]) to the guest as root with the output directory's
 * key, the guest's new host key not remembered; the first line printed */
static char *ssh_run(const char *dir, int port, char *const more[])
{
  char *key = xprintf("%s/ssh_key", dir), *p = xprintf("%d", port), *out;
  char *argv[24] = {(char *)more[0], "-i", key, strcmp(more[0], "ssh") ? "-P" : "-p",
    p, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o",
    "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o",
    "ConnectTimeout=30", 0};
  int i, n = 15;

  for (i = 1; more[i] && n < 23; i++) argv[n++] = more[i];
  argv[n] = 0;
  out = run_line(0, argv);
  free(key);
  free(p);
  return out;
}

/* The limit for a step of at most secs seconds (0: the boot's limit) */
static double within(struct guest *g, int secs)
{
  double t = now_secs() + secs;

  return secs && t < g->deadline ? t : g->deadline;
}

/* A command over ssh answers, and a file sent with scp reads back */
static const char *ssh_check(struct test *t)
{
  char *want = xprintf("S42%s", t->tok);
  char *file = xprintf("%s/boottest-scp.txt", t->dir);
  char *cmd = xprintf("echo S$((6*7))%s", t->tok), *got = 0, *text;
  int i, ok = 0;

  if (!t->sshport) return "FAIL(no port forward)";
  /* dropbear starts from /etc/rc before the prompt; allow it a moment */
  for (i = 0; i < 3 && !got; i++) {
    if (i) sleep(2);
    got = ssh_run(t->dir, t->sshport,
                  (char *const[]){"ssh", "-n", "root@127.0.0.1", cmd, 0});
  }
  if (!got || strcmp(got, want)) return "FAIL(ssh)";
  text = xprintf("C%s", t->tok);
  tmpfile_add(file);
  if (!write_file(file, xprintf("%s\n", text), 0644)
      && (free(got), got = ssh_run(t->dir, t->sshport, (char *const[]){"scp",
          "-O", "-q", file, "root@127.0.0.1:/tmp/bt-scp", 0}))) {
    type(&t->g, "cat /tmp/bt-scp");
    ok = expect1(&t->g, text, within(&t->g, 20)) >= 0;
  }
  unlink(file);
  tmpfile_del(file);
  return ok ? "ok" : "FAIL(scp)";
}

/* The boot reaches the shell's prompt */
static const char *prompt_check(struct test *t)
{
  const char *const prompts[] = {"# ", "$ ", 0};

  if (expect1(&t->g, "Type exit when done.", t->g.deadline) < 0
      || expect(&t->g, prompts, t->g.deadline) < 0) return "FAIL";
  t->prompt_s = now_secs() - t->t0;
  return "ok";
}

/* The guest's clock against the host's at the moment it answered */
static const char *date_check(struct test *t)
{
  char *got = ask(&t->g, "echo D$((3*5))D$(date +%s)D", "D15D", "D",
                  t->g.deadline);
  int ok = got != 0;

  if (got) t->clock_diff = atol(got) - (long)time(0);
  free(got);
  return ok && labs(t->clock_diff) <= 5 ? "ok" : "FAIL";
}

/* exit at the prompt powers the guest off */
static const char *poweroff_check(struct test *t)
{
  type(&t->g, "exit");
  return wait_exit(&t->g, within(&t->g, 30)) ? "FAIL" : "ok";
}

/* A row's text with this test's {tok}, {port}, {net}, {disk} and {dev} */
static char *fill(struct test *t, const char *s)
{
  const char *name[] = {"{tok}", "{port}", "{net}", "{disk}", "{dev}"};
  char *port = xprintf("%d", t->port), *out = xstrdup(""), *o;
  const char *val[] = {t->tok, port, t->net, t->disk, t->diskdev};
  int i, n, k = sizeof(name) / sizeof(*name);

  for (; *s; s += n) {
    for (i = 0; i < k && strncmp(s, name[i], strlen(name[i])); i++) {}
    n = i < k ? (int)strlen(name[i]) : 1;
    o = xprintf("%s%.*s", out, i < k ? (int)strlen(val[i]) : 1,
                i < k ? val[i] : s);
    free(out);
    out = o;
  }
  free(port);
  return out;
}

/* A row with a command: typed, and what it must print waited for */
static const char *typed_check(struct test *t, const struct check *k)
{
  char *cmd = fill(t, k->command), *want = fill(t, k->expected);
  int ok;

  type(&t->g, cmd);
  ok = expect1(&t->g, want, within(&t->g, k->seconds)) >= 0;
  free(cmd);
  free(want);
  return ok ? "ok" : "FAIL";
}

/* Each check in turn; without a prompt there is nothing to type into */
static void run_checks(struct test *t)
{
  const struct check *k;

  for (k = checks; k->name; k++) {
    const char **res = t->res + (k - checks);

    if (!*res) continue;
    *res = k->code ? k->code(t) : typed_check(t, k);
    if (k->code == prompt_check && strcmp(*res, "ok")) break;
  }
}

/* Boot the target with a new disk holding a new marker, its console to
 * boottest.log; if it can't, 1 (and the target's line, if it says why) */
static int test_start(struct test *t)
{
  char buf[4096], *script, *root = xprintf("%s/root", t->dir), **args, *why;
  const struct target *row;
  int i, nargs;

  t->has_ssh = root_has_ssh(root);
  free(root);
  /* a root without an ssh server has no ssh check in its line */
  for (i = 0; checks[i].name; i++)
    t->res[i] = checks[i].code == ssh_check && !t->has_ssh ? 0 : "-";
  if (!(script = launch_script(getcwd(buf, sizeof(buf)) ? buf : ".",
                               t->name))) {
    printf("%-12s no launch script %s/qemu-*.sh\n", t->name, escape(t->dir));
    return 1;
  }
  row = script_target(script);
  if (row && (why = qemu_absent(row))) {
    printf("%-12s %s\n", t->name, why);
    return 1;
  }
  if (row) t->g.typems = row->typems;
  random_hex(t->disk + 4, 8);
  random_hex(t->tok, 8);
  if (t->has_ssh) t->sshport = ssh_port(script);
  t->diskdev = row && row->diskdev ? row->diskdev : "/dev/?da";
  if (!(t->diskpath = make_disk(t->dir, t->disk, row ? row->diskmib : 0)))
    return 1;
  args = disk_argv(row ? row->disk : "-hda %s", t->diskpath, &nargs);
  t->g.log = new_output(xprintf("%s/boottest.log", t->dir));
  if (!t->g.log || start(&t->g, script, args, nargs)) {
    printf("%-12s can't start %s\n", t->name, escape(script));
    return 1;
  }
  t->g.deadline = t->t0 + t->timeout;
  return 0;
}

/* A guest still running is killed (at the limit: the log says so); the
 * disk goes */
static void test_stop(struct test *t)
{
  struct guest *g = &t->g;

  if (g->pid) {
    kill(-g->pid, SIGKILL);
    kill(g->pid, SIGKILL);
    wait_child(g->pid, 0);
    if (now_secs() >= g->deadline) fprintf(g->log, "\n[boottest: killed at "
                                           "the %.0f s limit]\n", t->timeout);
  }
  fclose(g->log);
  unlink(t->diskpath);
  tmpfile_del(t->diskpath);
}

/* The target's line: each check's result, then the seconds to the prompt
 * and the clock's difference, or why there was no prompt; 0 if all
 * passed */
static int test_line(struct test *t)
{
  char line[512];
  int i, ok = 1, n = snprintf(line, sizeof(line), "%-12s", t->name);

  for (i = 0; checks[i].name; i++) {
    if (!t->res[i]) continue;
    n += snprintf(line + n, sizeof(line) - n, " %s:%s", checks[i].name,
                  t->res[i]);
    if (strcmp(t->res[i], "ok")) ok = 0;
  }
  if (t->prompt_s >= 0)
    n += snprintf(line + n, sizeof(line) - n, " %.1fs (clock %+lds)",
                  t->prompt_s, t->clock_diff);
  else n += snprintf(line + n, sizeof(line) - n, " %s",
                     now_secs() >= t->g.deadline ? "(killed at time limit)"
                                                 : "(guest stopped)");
  printf("%s  %s\n", line, ok ? "PASS" : "FAIL");
  fflush(stdout);
  return !ok;
}

/* Boot one target; print its line; 0 if every check passed. */
static int test_one(const char *dir, const char *name, const char *net,
                    int port, double timeout)
{
  struct test t = {.dir = dir, .name = name, .net = net, .port = port,
                   .disk = "DISK", .t0 = now_secs(), .timeout = timeout,
                   .prompt_s = -1};

  /* a guest that dies mid-test fails its checks; it doesn't kill us
   * before the target's line is printed */
  signal(SIGPIPE, SIG_IGN);
  if (test_start(&t)) return 1;
  run_checks(&t);
  test_stop(&t);
  return test_line(&t);
}

/* Wait for a test child; the HTTP server is not one of them */
static pid_t reap(pid_t server, int *status)
{
  pid_t p;

  while ((p = wait(status)) == server || (p < 0 && errno == EINTR))
    if (p == server) error_exit("the HTTP server died");
  if (p > 0) child_del(p);
  return p;
}

int boottest_main(int argc, char **argv)
{
  char marker[40] = "NET", **names, *top;
  const char *lim = getenv("BOOTTEST_TIMEOUT");
  unsigned long long secs = 300;
  double timeout;
  int port, n, i, running = 0, failed = 0, status, jobs = ncpus();
  pid_t server;

  /* a year is more than any guest needs, and far from overflowing */
  if (lim && *lim && (parse_uint(lim, 366 * 86400ULL, &secs) || !secs)) {
    error_msg("BOOTTEST_TIMEOUT=%s: not a number of seconds from 1 to %llu",
              lim, 366 * 86400ULL);
    return 1;
  }
  timeout = secs;
  /* names first: a bad one is the command line's fault, not a guest's */
  for (i = 1; i < argc; i++) {
    char *dir = xprintf("output/%s", argv[i]);
    int ok = valid_name(argv[i]) && is_dir(dir);

    if (!ok) error_msg("%s: %s", argv[i], valid_name(argv[i])
                       ? "no such directory under output/" : "bad target name");
    free(dir);
    if (!ok) return 1;
  }
  if (argc > 1) {
    names = argv + 1;
    n = argc - 1;
  } else if (!(n = built_targets(".", &names))) {
    error_msg("nothing built: no output/*/qemu-*.sh");
    return 1;
  }
  if (!(top = getcwd(0, 0))) perror_exit("getcwd");
  random_hex(marker + 3, 8);
  server = serve(marker, &port);
  for (i = 0; i < n; i++) {
    char *dir = xprintf("%s/output/%s", top, names[i]);
    pid_t pid;

    while (running >= jobs && reap(server, &status) > 0) {
      running--;
      failed += !WIFEXITED(status) || WEXITSTATUS(status);
    }
    fflush(stdout);
    if (!(pid = fork_child())) {
      int rc = test_one(dir, names[i], marker, port, timeout);

      fflush(stdout);   /* _exit doesn't: a piped line would be lost */
      _exit(rc);
    }
    running++;
  }
  while (running && reap(server, &status) > 0) {
    running--;
    failed += !WIFEXITED(status) || WEXITSTATUS(status);
  }
  kill(server, SIGKILL);
  wait_child(server, 0);
  return failed ? 1 : 0;
}
