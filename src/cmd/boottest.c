/* boottest.c: the seed's standard test, automated. For each output/TARGET:
 * make a disk image holding a random marker, serve another marker over HTTP
 * on 127.0.0.1 (the guest sees the host as 10.0.2.2), boot the launch script
 * with the disk attached, drive the console and check: prompt, typing, date,
 * network, disk, user (a user name resolves), hosts (localhost resolves),
 * ssh when the root has dropbear (a command run over ssh from the host
 * answers, and a file copied in with scp reads back on the console),
 * poweroff. One line per target; a hung guest is killed at
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

enum { PROMPT, TYPING, DATE, NETWORK, DISK, USER, HOSTS, SSH, POWEROFF, NCHECKS };
static const char *const check_names[] = {
  "prompt", "typing", "date", "network", "disk", "user", "hosts", "ssh",
  "poweroff"
};

struct guest {
  pid_t pid;
  int in, out;
  char *buf;
  size_t len, cap, mark;
  FILE *log;
  double deadline;
  int typems;   /* pause after each typed character (the row's), or 0 */
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

/* Type a line: at once, or a character at a time for a console that
 * loses what comes faster (sh4's SCIF) */
static void type(struct guest *g, const char *line)
{
  char *s = xprintf("%s\n", line);
  size_t i, n = strlen(s);

  if (!g->typems) {
    if (write(g->in, s, n) < 0) {}
  } else for (i = 0; i < n; i++) {
    struct timespec ts = {0, g->typems * 1000000L};

    if (write(g->in, s + i, 1) < 0) break;
    nanosleep(&ts, 0);
  }
  free(s);
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

static int wait_exit(struct guest *g, double limit)
{
  int status;

  while (now_secs() < limit) {
    pid_t p = waitpid(g->pid, &status, WNOHANG);

    if (p == g->pid) {
      child_del(g->pid);
      g->pid = 0;
      return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
    }
    /* keep draining the console so QEMU never blocks on its output */
    {
      const char *const none[] = {"\001\002never", 0};

      expect(g, none, now_secs() + 0.2 < limit ? now_secs() + 0.2 : limit);
    }
  }
  return -1;
}

/* A new file (never through a symlink that sits at its name), removed
 * again on an interrupt */
static char *make_disk(const char *dir, const char *marker)
{
  char *path = xprintf("%s/boottest-disk.img", dir), *text;
  struct newfile f;

  if (newfile_open(&f, path, 0644)) return 0;
  text = xprintf("%s\n", marker);
  if (newfile_write(&f, text, strlen(text)) || ftruncate(f.fd, 1 << 20)) {
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

/* A command over ssh answers, and a file sent with scp reads back */
static const char *ssh_check(struct guest *g, const char *dir, int port,
                             const char *tok)
{
  char *want = xprintf("S42%s", tok), *file = xprintf("%s/boottest-scp.txt", dir);
  char *cmd = xprintf("echo S$((6*7))%s", tok), *got = 0, *text;
  int i, ok = 0;

  if (!port) return "FAIL(no port forward)";
  /* dropbear starts from /etc/rc before the prompt; allow it a moment */
  for (i = 0; i < 3 && !got; i++) {
    if (i) sleep(2);
    got = ssh_run(dir, port, (char *const[]){"ssh", "-n", "root@127.0.0.1", cmd, 0});
  }
  if (!got || strcmp(got, want)) return "FAIL(ssh)";
  text = xprintf("C%s", tok);
  tmpfile_add(file);
  if (!write_file(file, xprintf("%s\n", text), 0644)
      && (free(got), got = ssh_run(dir, port, (char *const[]){"scp", "-O", "-q",
                                   file, "root@127.0.0.1:/tmp/bt-scp", 0}))) {
    type(g, "cat /tmp/bt-scp");
    ok = expect1(g, text, now_secs() + 20 < g->deadline ? now_secs() + 20 : g->deadline) >= 0;
  }
  unlink(file);
  tmpfile_del(file);
  return ok ? "ok" : "FAIL(scp)";
}

/* Boot one target; print its line; 0 if every check passed. */
static int test_one(const char *dir, const char *name, const char *net_marker,
                    int port, double timeout)
{
  const char *res[NCHECKS];
  struct guest g = {0};
  char disk_marker[40] = "DISK", tok[17], *script, *disk, **args, *got, *cmd;
  const struct target *t;
  double t0 = now_secs(), prompt_s = -1;
  long clock_diff = 0;
  char buf[4096];
  int i, ok = 1, nargs, sshport = 0;
  char *root = xprintf("%s/root", dir);
  int has_ssh = root_has_ssh(root);

  /* a guest that dies mid-test fails its checks; it doesn't kill us
   * before the target's line is printed */
  signal(SIGPIPE, SIG_IGN);
  for (i = 0; i < NCHECKS; i++) res[i] = "-";
  if (!has_ssh) res[SSH] = 0;   /* nothing to check */
  if (!(script = launch_script(getcwd(buf, sizeof(buf)) ? buf : ".", name))) {
    printf("%-12s no launch script %s/qemu-*.sh\n", name, escape(dir));
    return 1;
  }
  t = script_target(script);
  if (t) g.typems = t->typems;
  random_hex(disk_marker + 4, 8);
  random_hex(tok, 8);
  if (has_ssh) sshport = ssh_port(script);
  if (!(disk = make_disk(dir, disk_marker))) return 1;
  args = disk_argv(t ? t->disk : "-hda %s", disk, &nargs);
  g.log = new_output(xprintf("%s/boottest.log", dir));
  if (!g.log || start(&g, script, args, nargs)) {
    printf("%-12s can't start %s\n", name, escape(script));
    return 1;
  }
  g.deadline = t0 + timeout;
  {
    const char *const prompts[] = {"# ", "$ ", 0};

    if (expect1(&g, "Type exit when done.", g.deadline) >= 0
        && expect(&g, prompts, g.deadline) >= 0) {
      prompt_s = now_secs() - t0;
      res[PROMPT] = "ok";
    } else res[PROMPT] = "FAIL";
  }
  if (prompt_s >= 0) {
    cmd = xprintf("echo T$((6*7))%s", tok);
    got = xprintf("T42%s", tok);
    type(&g, cmd);
    res[TYPING] = expect1(&g, got, g.deadline) >= 0 ? "ok" : "FAIL";

    /* The guest's clock against the host's at the moment it answered */
    got = ask(&g, "echo D$((3*5))D$(date +%s)D", "D15D", "D", g.deadline);
    if (got) clock_diff = atol(got) - (long)time(0);
    res[DATE] = got && labs(clock_diff) <= 5 ? "ok" : "FAIL";

    cmd = xprintf("wget -O /tmp/bt http://10.0.2.2:%d/marker >/dev/null 2>&1;"
                  " cat /tmp/bt", port);
    type(&g, cmd);
    res[NETWORK] = expect1(&g, net_marker, now_secs() + 30 < g.deadline
                           ? now_secs() + 30 : g.deadline) >= 0 ? "ok" : "FAIL";

    type(&g, "head -n 1 /dev/?da");
    res[DISK] = expect1(&g, disk_marker, now_secs() + 20 < g.deadline
                        ? now_secs() + 20 : g.deadline) >= 0 ? "ok" : "FAIL";

    /* a whole userland: a user name and a host name resolve */
    type(&g, "stat -c U%UU$((3+4)) /root");
    res[USER] = expect1(&g, "UrootU7", now_secs() + 20 < g.deadline
                        ? now_secs() + 20 : g.deadline) >= 0 ? "ok" : "FAIL";
    type(&g, "ping -c 1 -W 3 localhost >/dev/null 2>&1 && echo H$((4+5))OK");
    res[HOSTS] = expect1(&g, "H9OK", now_secs() + 20 < g.deadline
                         ? now_secs() + 20 : g.deadline) >= 0 ? "ok" : "FAIL";

    if (has_ssh) res[SSH] = ssh_check(&g, dir, sshport, tok);

    type(&g, "exit");
    res[POWEROFF] = wait_exit(&g, now_secs() + 30 < g.deadline
                              ? now_secs() + 30 : g.deadline) ? "FAIL" : "ok";
  }
  if (g.pid) {
    kill(-g.pid, SIGKILL);
    kill(g.pid, SIGKILL);
    wait_child(g.pid, 0);
    if (now_secs() >= g.deadline) fprintf(g.log, "\n[boottest: killed at the "
                                     "%.0f s limit]\n", timeout);
  }
  fclose(g.log);
  unlink(disk);
  tmpfile_del(disk);
  {
    char line[512];
    int n = snprintf(line, sizeof(line), "%-12s", name);

    for (i = 0; i < NCHECKS; i++) {
      if (!res[i]) continue;
      n += snprintf(line + n, sizeof(line) - n, " %s:%s", check_names[i],
                    res[i]);
      if (strcmp(res[i], "ok")) ok = 0;
    }
    if (prompt_s >= 0)
      n += snprintf(line + n, sizeof(line) - n, " %.1fs", prompt_s);
    if (strcmp(res[DATE], "-"))
      n += snprintf(line + n, sizeof(line) - n, " (clock %+lds)", clock_diff);
    else n += snprintf(line + n, sizeof(line) - n, " %s", now_secs() >= g.deadline
                       ? "(killed at time limit)" : "(guest stopped)");
    printf("%s  %s\n", line, ok ? "PASS" : "FAIL");
    fflush(stdout);
  }
  return !ok;
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
    if (!(pid = fork_child())) _exit(test_one(dir, names[i], marker, port, timeout));
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
