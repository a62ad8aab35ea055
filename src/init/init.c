/* init.c: mkroot's /init, a small static program.
 *
 * As PID 1 (booted from the initramfs): mount devtmpfs, devpts, proc and
 * sysfs; bring up lo and eth0 as QEMU's user network expects (10.0.2.15,
 * gateway 10.0.2.2); set the clock from DATE= on the kernel command line if
 * the RTC left it near zero; run the /etc/rc scripts in order; take the
 * NAME=VALUE lines they left in /etc/environment into the environment (a
 * script can't change ours: the native module's puts its compilers on
 * PATH this way); find the console; hand
 * off to $HANDOFF (default /bin/sh) as a session leader with the console as
 * its controlling terminal; reap orphans; and when the handoff exits, reboot,
 * which QEMU's -no-reboot turns into exiting.
 *
 * With FRAME=TOKEN as well (./run), the handoff is not given the console:
 * its stdin is /dev/null, and what it writes to stdout and stderr comes
 * back on the console in frames, then its exit status (see frame_line),
 * so the host can tell them apart from the kernel's messages and carry
 * any byte over a console that only carries text lines.
 *
 * Run by hand in a chroot: mount what is missing, run /bin/sh, unmount what
 * it mounted, also when we are told to stop (SIGHUP when the terminal
 * closes, SIGTERM): the shell is stopped first, then everything unmounted,
 * then we die of that signal. ^C is the shell's, not ours. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void complain(const char *what)
{
  fprintf(stderr, "init: %s: %s\n", what, strerror(errno));
}

/* ---- pure helpers (unit tested in tests/init_test.c) ---- */

/* The length of NAME if line is "NAME=VALUE" (NAME: a letter or _, then
 * letters, digits, _), else 0. VALUE is taken as it is: no quotes
 * removed, no expansion, no "export " (the native module's rc script
 * writes these lines; other lines are left alone) */
size_t env_name(const char *line)
{
  size_t n = 0;

  while ((line[n] >= 'A' && line[n] <= 'Z') || (line[n] >= 'a' && line[n] <= 'z')
         || line[n] == '_' || (n && line[n] >= '0' && line[n] <= '9'))
    n++;
  return n && line[n] == '=' ? n : 0;
}

/* The console device name: the last console= on the kernel command line
 * (without ",115200" options), else the last word of
 * /sys/class/tty/console/active, else "console". Writes into out. */
void console_name(const char *cmdline, const char *active, char *out,
                  size_t len)
{
  const char *s, *found = 0;
  size_t n;

  for (s = cmdline; s && (s = strstr(s, "console=")); s += 8)
    if (s == cmdline || s[-1] == ' ') found = s + 8;
  if (found) {
    n = strcspn(found, ", \n");
    if (n) {
      snprintf(out, len, "%.*s", (int)n, found);
      return;
    }
  }
  if (active) {
    const char *end = active + strlen(active), *w;

    while (end > active && (end[-1] == ' ' || end[-1] == '\n')) end--;
    for (w = end; w > active && w[-1] != ' '; w--);
    if (end > w) {
      snprintf(out, len, "%.*s", (int)(end - w), w);
      return;
    }
  }
  snprintf(out, len, "console");
}

/* The time to set, or 0 to leave the clock alone: only when the clock is
 * near zero (no RTC) and a plausible DATE= (seconds) was given. */
time_t clock_pick(time_t now, const char *date)
{
  char *end;
  long long d;

  if (now > 86400 * 365 * 10 || !date || !*date) return 0;
  d = strtoll(date, &end, 10);
  if (*end || d < 86400 * 365 * 10) return 0;
  return (time_t)d;
}

/* One frame: a text line the host's ./run decodes. TOKEN, the stream's
 * letter ('o' stdout, 'e' stderr), the byte count in two hex digits, the
 * bytes in base64 (at most FRAME_BYTES of them), newline. A line the
 * kernel's messages broke into fails its count and is reported, not
 * taken. Writes into out (room for FRAME_LINE plus the token), returns the
 * line's length. */
#define FRAME_BYTES 48
#define FRAME_LINE (4 + FRAME_BYTES / 3 * 4)
size_t frame_line(char *out, const char *token, char stream,
                  const unsigned char *data, size_t n)
{
  static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t len = strlen(token), i;
  char *o;

  if (n > FRAME_BYTES) n = FRAME_BYTES;
  memcpy(out, token, len);
  o = out + len;
  *o++ = stream;
  *o++ = "0123456789abcdef"[n >> 4];
  *o++ = "0123456789abcdef"[n & 15];
  for (i = 0; i < n; i += 3) {
    unsigned v = data[i] << 16 | (i + 1 < n ? data[i + 1] << 8 : 0)
                 | (i + 2 < n ? data[i + 2] : 0);

    *o++ = b64[v >> 18];
    *o++ = b64[v >> 12 & 63];
    *o++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
    *o++ = i + 2 < n ? b64[v & 63] : '=';
  }
  *o++ = '\n';
  return o - out;
}

/* ---- mounts ---- */

static const char *mounted[8];
static int nmounted;

/* Is dir a mount point? Its device differs from its parent's. */
static int is_mountpoint(const char *dir)
{
  struct stat a, b;
  char parent[256];

  snprintf(parent, sizeof(parent), "%s/..", dir);
  if (stat(dir, &a) || stat(parent, &b)) return 0;
  return a.st_dev != b.st_dev || a.st_ino == b.st_ino;
}

static int mount_missing(const char *src, const char *dir, const char *type,
                         const char *data)
{
  mkdir(dir, 0755);
  if (is_mountpoint(dir)) return 0;
  if (mount(src, dir, type, 0, data)) {
    complain(dir);
    return -1;
  }
  mounted[nmounted++] = dir;
  return 0;
}

/* No devtmpfs: a tmpfs with the few nodes a shell needs */
static void minimal_dev(void)
{
  static const struct { const char *name; int major, minor; } nodes[] = {
    {"/dev/null", 1, 3}, {"/dev/zero", 1, 5}, {"/dev/random", 1, 8},
    {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}, {"/dev/console", 5, 1},
    {"/dev/ptmx", 5, 2}, {0, 0, 0}
  };
  int i;

  if (mount_missing("dev", "/dev", "tmpfs", "mode=755")) return;
  for (i = 0; nodes[i].name; i++)
    if (mknod(nodes[i].name, S_IFCHR | 0666,
              makedev(nodes[i].major, nodes[i].minor))) complain(nodes[i].name);
}

static void mount_all(void)
{
  if (mount_missing("dev", "/dev", "devtmpfs", 0)) minimal_dev();
  mount_missing("devpts", "/dev/pts", "devpts", "gid=5,mode=620,ptmxmode=666");
  mount_missing("proc", "/proc", "proc", 0);
  mount_missing("sys", "/sys", "sysfs", 0);
}

static void umount_all(void)
{
  while (nmounted--)
    if (umount(mounted[nmounted]) && umount2(mounted[nmounted], MNT_DETACH))
      complain(mounted[nmounted]);
}

/* ---- network: lo and eth0 for QEMU's user network ---- */

static int if_up(int s, const char *name, const char *addr, const char *mask)
{
  struct ifreq ifr;
  struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

  memset(&ifr, 0, sizeof(ifr));
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
  sin->sin_family = AF_INET;
  inet_pton(AF_INET, addr, &sin->sin_addr);
  if (ioctl(s, SIOCSIFADDR, &ifr)) return -1;
  inet_pton(AF_INET, mask, &sin->sin_addr);
  if (ioctl(s, SIOCSIFNETMASK, &ifr) || ioctl(s, SIOCGIFFLAGS, &ifr)) return -1;
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  return ioctl(s, SIOCSIFFLAGS, &ifr);
}

static int route_default(int s, const char *gw)
{
  struct rtentry rt;
  struct sockaddr_in *sin;

  memset(&rt, 0, sizeof(rt));
  sin = (struct sockaddr_in *)&rt.rt_dst;
  sin->sin_family = AF_INET;
  sin = (struct sockaddr_in *)&rt.rt_genmask;
  sin->sin_family = AF_INET;
  sin = (struct sockaddr_in *)&rt.rt_gateway;
  sin->sin_family = AF_INET;
  inet_pton(AF_INET, gw, &sin->sin_addr);
  rt.rt_flags = RTF_UP | RTF_GATEWAY;
  return ioctl(s, SIOCADDRT, &rt);
}

static void network(void)
{
  int s = socket(AF_INET, SOCK_DGRAM, 0);

  if (s < 0) return complain("socket");
  if (if_up(s, "lo", "127.0.0.1", "255.0.0.0")) complain("lo");
  if (if_up(s, "eth0", "10.0.2.15", "255.255.255.0")) complain("eth0");
  else if (route_default(s, "10.0.2.2")) complain("default route");
  close(s);
}

/* ---- the rest of PID 1's job ---- */

static void write_proc(const char *path, const char *text)
{
  int fd = open(path, O_WRONLY);

  if (fd >= 0) {
    if (write(fd, text, strlen(text)) < 0) complain(path);
    close(fd);
  }
}

static char *slurp(const char *path, char *buf, size_t len)
{
  int fd = open(path, O_RDONLY);
  ssize_t n = fd < 0 ? -1 : read(fd, buf, len - 1);

  if (fd >= 0) close(fd);
  if (n < 0) return 0;
  buf[n] = 0;
  return buf;
}

static void set_clock(void)
{
  time_t t = clock_pick(time(0), getenv("DATE"));
  struct timespec up = {0, 0};
  struct timeval tv;

  /* DATE was the host's time when QEMU started: add the time since boot */
  clock_gettime(CLOCK_BOOTTIME, &up);
  tv.tv_sec = t + up.tv_sec;
  tv.tv_usec = up.tv_nsec / 1000;

  if (t && settimeofday(&tv, 0)) complain("settimeofday");
}

static pid_t spawn(const char *path, char *const argv[], const char *tty)
{
  pid_t pid = fork();
  sigset_t none;

  if (!pid) {
    if (tty) {
      int fd;

      setsid();
      if ((fd = open(tty, O_RDWR)) < 0) complain(tty);
      else {
        ioctl(fd, TIOCSCTTY, 0);
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (fd > 2) close(fd);
      }
    }
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, 0);   /* what chroot_shell blocks */
    signal(SIGINT, SIG_DFL);
    execv(path, argv);
    complain(path);
    _exit(127);
  }
  return pid;
}

/* Wait for pid, reaping any other child (orphans reparent to us) meanwhile */
static int wait_for(pid_t pid)
{
  int status;
  pid_t p;

  if (pid < 0) return -1;   /* the fork failed: nothing to wait for */
  for (;;) {
    p = wait(&status);
    if (p == pid) return status;
    if (p < 0 && errno == ECHILD) return -1;
  }
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
  return strcmp((*a)->d_name, (*b)->d_name);
}

static void rc_scripts(void)
{
  struct dirent **list;
  int n = scandir("/etc/rc", &list, 0, by_name), i;

  for (i = 0; i < n; i++) {
    char path[300];

    if (*list[i]->d_name != '.') {
      snprintf(path, sizeof(path), "/etc/rc/%s", list[i]->d_name);
      wait_for(spawn("/bin/sh", (char *const[]){"sh", path, 0}, 0));
    }
    free(list[i]);
  }
  if (n >= 0) free(list);
}

/* /etc/environment's NAME=VALUE lines into our environment (the rc
 * scripts' way to set the handoff's: PATH, ...); other lines ignored */
static void load_env(const char *path)
{
  char line[4096];
  FILE *f = fopen(path, "re");
  size_t n;

  if (!f) return;
  while (fgets(line, sizeof(line), f)) {
    line[strcspn(line, "\n")] = 0;
    if ((n = env_name(line))) {
      line[n] = 0;
      setenv(line, line + n + 1, 1);
    }
  }
  fclose(f);
}

/* Write all of buf (a tty may take it in parts) */
static void put_all(int fd, const char *buf, size_t len)
{
  ssize_t n;

  while (len && ((n = write(fd, buf, len)) > 0 || errno == EINTR))
    if (n > 0) buf += n, len -= n;
}

/* Read what one pipe has and send it on as frames; 0 at its end */
static int relay(int from, int to, const char *token, char stream)
{
  unsigned char buf[4096];
  char *lines = malloc(sizeof(buf) / FRAME_BYTES * (FRAME_LINE + 80) + 80);
  ssize_t n = read(from, buf, sizeof(buf)), i;
  size_t len = 0;

  if (n > 0 && lines) {
    for (i = 0; i < n; i += FRAME_BYTES)
      len += frame_line(lines + len, token, stream, buf + i, n - i);
    put_all(to, lines, len);
  }
  free(lines);
  return n > 0 || (n < 0 && (errno == EINTR || errno == EAGAIN));
}

/* Run the handoff with its output framed onto the console (FRAME=TOKEN):
 * until it exits, then what its pipes still hold (a background child may
 * keep them open: not waited for), then its exit status as a frame
 * "TOKENx" and the number. */
static void framed(const char *handoff, const char *token, const char *tty)
{
  int out[2], err[2], con = open(tty, O_WRONLY | O_NOCTTY), status = -1;
  int done = 0;
  pid_t pid;
  char line[128];

  if (con < 0) con = 1;
  if (strlen(token) > 32 || pipe(out) || pipe(err))
    return complain("framed handoff");
  if (!(pid = fork())) {
    int nul = open("/dev/null", O_RDONLY);

    setsid();
    dup2(nul, 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    close(out[0]);
    close(err[0]);
    signal(SIGINT, SIG_DFL);
    execl("/bin/sh", "sh", "-c", handoff, (char *)0);
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  while (pid > 0 && (out[0] >= 0 || err[0] >= 0)) {
    struct pollfd p[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    int i, ws, any = 0;
    pid_t w;

    /* once the handoff is gone, only what is there already */
    if (poll(p, 2, done ? 0 : 200) < 0 && errno != EINTR) break;
    for (i = 0; i < 2; i++) {
      int *fd = i ? &err[0] : &out[0];

      if (*fd < 0 || !p[i].revents) continue;
      any = 1;
      if (!relay(*fd, con, token, i ? 'e' : 'o')) {
        close(*fd);
        *fd = -1;
      }
    }
    if (done && !any) break;
    /* reap orphans too; note when the handoff itself is gone */
    while ((w = waitpid(-1, &ws, WNOHANG)) > 0)
      if (w == pid) {
        status = ws;
        done = 1;
      }
  }
  if (!done) status = wait_for(pid);
  snprintf(line, sizeof(line), "%sx%d\n", token, status < 0 ? 255
           : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  put_all(con, line, strlen(line));
  if (con > 2) close(con);
}

#ifndef INIT_NO_MAIN
/* The end: a reset, which QEMU's -no-reboot turns into quitting; or where
 * the board's reset doesn't reach QEMU (sparc64: OpenBIOS's reboot call
 * returns, Linux panics "Reboot failed!" and loops), POWEROFF=1 on the
 * command line (the row's kargs) powers it off instead */
static void end(void)
{
  const char *off = getenv("POWEROFF");

  sync();
  reboot(off && !strcmp(off, "1") ? RB_POWER_OFF : RB_AUTOBOOT);
}

static int pid1(void)
{
  char cmdline[4096], active[256], con[64], tty[80];
  const char *handoff = getenv("HANDOFF"), *token = getenv("FRAME");
  pid_t pid;

  mount_all();
  signal(SIGINT, SIG_IGN);
  write_proc("/proc/sys/kernel/printk", "3");
  write_proc("/proc/sys/net/ipv4/ping_group_range", "0 99999");
  network();
  set_clock();
  rc_scripts();
  load_env("/etc/environment");
  console_name(slurp("/proc/cmdline", cmdline, sizeof(cmdline)),
               slurp("/sys/class/tty/console/active", active, sizeof(active)),
               con, sizeof(con));
  snprintf(tty, sizeof(tty), "/dev/%s", con);
  if (handoff && *handoff && token && *token) {
    framed(handoff, token, tty);
    end();
    return 1;
  }
  if (!handoff || !*handoff) {
    handoff = 0;
    printf("\033[?7hType exit when done.\n");
    fflush(stdout);
  }
  pid = handoff
    ? spawn("/bin/sh", (char *const[]){"sh", "-c",
            (char *)(const char *)handoff, 0}, tty)
    : spawn("/bin/sh", (char *const[]){"sh", 0}, tty);
  wait_for(pid);
  end();
  return 1;
}

static volatile sig_atomic_t stop_sig;

static void on_stop(int sig)
{
  stop_sig = sig;
}

/* The shell, told to hang up (an interactive shell ignores SIGTERM), and
 * killed if it is still there two seconds later */
static void stop_shell(pid_t pid)
{
  struct timespec ts = {0, 50000000};
  int i;

  kill(pid, SIGHUP);
  kill(pid, SIGCONT);
  for (i = 0; i < 40; i++) {
    if (waitpid(pid, 0, WNOHANG) == pid) return;
    nanosleep(&ts, 0);
  }
  kill(pid, SIGKILL);
  waitpid(pid, 0, 0);
}

static void on_child(int sig)
{
  (void)sig;
}

/* The signals stay blocked but while waiting (sigsuspend), so one that
 * comes at any moment, even before the shell starts, is seen */
static int chroot_shell(void)
{
  struct sigaction stop = {.sa_handler = on_stop}, child = {.sa_handler = on_child};
  sigset_t block, old, waiting;
  int status = -1;
  pid_t pid, p;

  sigemptyset(&block);
  sigaddset(&block, SIGHUP);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGCHLD);
  sigprocmask(SIG_BLOCK, &block, &old);
  waiting = old;
  sigdelset(&waiting, SIGHUP);
  sigdelset(&waiting, SIGTERM);
  sigdelset(&waiting, SIGCHLD);
  sigemptyset(&stop.sa_mask);
  sigemptyset(&child.sa_mask);
  sigaction(SIGHUP, &stop, 0);
  sigaction(SIGTERM, &stop, 0);
  sigaction(SIGCHLD, &child, 0);
  signal(SIGINT, SIG_IGN);
  mount_all();
  pid = spawn("/bin/sh", (char *const[]){"sh", 0}, 0);
  while (pid > 0) {
    if ((p = waitpid(pid, &status, WNOHANG)) == pid || (p < 0 && errno != EINTR))
      break;
    if (stop_sig) {
      stop_shell(pid);
      break;
    }
    sigsuspend(&waiting);
  }
  umount_all();
  if (stop_sig) {
    signal(stop_sig, SIG_DFL);
    sigprocmask(SIG_UNBLOCK, &block, 0);
    raise(stop_sig);
  }
  return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(void)
{
  setenv("PATH", "/usr/bin:/usr/sbin:/bin:/sbin", 1);
  if (!getenv("HOME")) setenv("HOME", "/root", 1);
  if (chdir("/")) complain("/");
  return getpid() == 1 ? pid1() : chroot_shell();
}
#endif
