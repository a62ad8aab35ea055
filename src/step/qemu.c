/* qemu.c: output/TARGET/qemu-TARGET.sh, the launch script. Its arguments
 * are appended to QEMU's command line. TCG unless asked otherwise: on this
 * kind of machine /dev/kvm opens, but Linux guests die early under KVM
 * (nested virtualization), so KVM is used only with ACCEL=kvm or an -accel
 * or -enable-kvm argument. What the user gave (QEMU_MORE, split into
 * words; KARGS, one string) is quoted for the shell, never pasted raw.
 * The kernel boots "quiet": every message over an emulated serial port
 * costs time (about 0.4 s of x86_64's boot here); KARGS=loglevel=7 (baked
 * in, or when running the script) brings them back.
 *
 * A root with an ssh server gets a port forward from 127.0.0.1:SSH_PORT
 * (default 2222, chosen when the script runs, so two guests can run side
 * by side) to the guest's port 22, on the target's own user-mode NIC;
 * unless QEMU_MORE already forwards (toybox's dropbear script does). The
 * guest has QEMU_MEMORY MiB (default 256).
 *
 * NATIVE_IMAGE (the native module's) is copied beside the kernel as
 * native.sqf and attached read-only on the row's xdrive, with the serial
 * number "mkroot-native", by which the guest's rc script finds it
 * whatever the disks before it are. */
#define _GNU_SOURCE
#include "step.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *base(const char *p)
{
  const char *s = strrchr(p, '/');

  return s ? s + 1 : p;
}

/* " 'word' 'word'" for each whitespace-separated word of s */
static char *quote_words(const char *s)
{
  char *out = xstrdup("");

  while (s && *s) {
    size_t n = strcspn(s, " \t\n");

    if (n) {
      char *w = xstrndup(s, n), *q = shell_quote(w), *o;

      o = xprintf("%s %s", out, q);
      free(out);
      free(w);
      free(q);
      out = o;
    }
    s += n;
    s += strspn(s, " \t\n");
  }
  return out;
}

/* The guest's memory in MiB: QEMU_MEMORY, default the row's or 256; -1
 * if bad */
int qemu_memory(struct ctx *c)
{
  const char *m = ctx_get(c, "QEMU_MEMORY");
  unsigned long long v = c->t && c->t->memory ? c->t->memory : 256;

  if (var_check("QEMU_MEMORY", m)) return -1;
  if (m && *m) parse_uint(m, 1 << 20, &v);
  return (int)v;
}

/* The target's QEMU machine words, with the ssh port forwarded on its
 * user-mode NIC (the board's default one if it names none) */
static char *machine_ssh(const char *machine)
{
  static const char fwd[] = "hostfwd=tcp:127.0.0.1:$SSH_PORT-:22";
  const char *at;

  if ((at = strstr(machine, "-net user")))
    return xprintf("%.*s,%s%s", (int)(at - machine + 9), machine, fwd, at + 9);
  if ((at = strstr(machine, "-netdev user,")))
    return xprintf("%.*s%s,%s", (int)(at - machine + 13), machine, fwd, at + 13);
  if ((at = strstr(machine, "-nic user,")))
    return xprintf("%.*s%s,%s", (int)(at - machine + 10), machine, fwd, at + 10);
  return xprintf("%s -nic user,%s", machine, fwd);
}

/* Do these QEMU words bring a NIC of their own? */
static int names_nic(const char *words)
{
  char *w = xprintf(" %s ", words ? words : "");
  int yes = strstr(w, " -nic ") || strstr(w, " -net ") || strstr(w, " -netdev ");

  free(w);
  return yes;
}

/* The row's own NIC (ssh forwarded on it), as a shell assignment the
 * script clears when its arguments bring a NIC: the user's is then the
 * only one, as on a board whose default NIC they replace */
static char *own_nic(const struct target *t, int ssh)
{
  char *nic = ssh ? machine_ssh(t->nic) : xstrdup(t->nic);
  char *text = xprintf("NIC=\"%s\"\n"
                       "case \" $* \" in\n"
                       "  *\" -nic \"*|*\" -net \"*|*\" -netdev \"*) NIC= ;;\n"
                       "esac\n", nic);

  free(nic);
  return text;
}

/* The image NATIVE_IMAGE names; if that file is gone (toolchain/ cleaned
 * since the native module's step was cached), the target's image as it is
 * now, if there is one: 0 after saying why not */
static char *native_file(struct ctx *c, const char *img)
{
  struct ctx h = {0};
  struct stat a;
  char *now = 0;

  if (!stat(img, &a)) {
    if (S_ISREG(a.st_mode)) return xstrdup(img);
    error_msg("NATIVE_IMAGE=%s: not a file", escape(img));
    return 0;
  }
  if (errno == ENOENT && c->t->gcc && !ctx_host(&h, c->t)) now = native_built(&h);
  if (!now)
    error_msg("NATIVE_IMAGE=%s: %s (./cross toolchain %s builds the image)",
              escape(img), strerror(ENOENT), c->t->name);
  return now;
}

/* NATIVE_IMAGE beside the kernel as native.sqf, unless the copy there
 * has its size and time already (it is 100 MiB and more); none there when
 * no image is asked for. The script's lines attaching it when it is there
 * (so a guest whose native.sqf went still boots, and says so), or 0 after
 * saying why not */
static char *native_drive(struct ctx *c)
{
  const char *want = ctx_get(c, "NATIVE_IMAGE");
  char *to = xprintf("%s/native.sqf", c->output), *words = 0, *img = 0;
  struct stat a, b;

  if (!want || !*want) {
    if (!lstat(to, &b) && unlink(to)) perror_msg("%s", to);
    else words = xstrdup("");
  } else if (!c->t->xdrive)
    error_msg("NATIVE_IMAGE: %s's board has no drive to attach it on (no "
              "xdrive in its row)", c->t->name);
  else if (!(img = native_file(c, want)) || stat(img, &a)) {}
  else if (!lstat(to, &b) && S_ISREG(b.st_mode) && b.st_size == a.st_size
           && b.st_mtim.tv_sec == a.st_mtim.tv_sec
           && b.st_mtim.tv_nsec == a.st_mtim.tv_nsec)
    words = xstrdup("");
  else if (!copy_file_below(img, c->outtop, to, 0644)) {
    struct timespec ts[2] = {a.st_atim, a.st_mtim};

    if (utimensat(AT_FDCWD, to, ts, AT_SYMLINK_NOFOLLOW)) perror_msg("%s", to);
    else words = xstrdup("");
  }
  if (words && img) {
    free(words);
    /* an absolute path (QEMU reads "a:b" as a protocol), its commas
     * doubled (-drive's file= ends at one) */
    words = xprintf(
      "if [ -f \"$DIR/native.sqf\" ]; then   # the native module's image\n"
      "  set -- -drive \"file=$(cd \"$DIR\" && pwd -P | sed 's/,/,,/g')/native.sqf,"
      "format=raw,if=none,id=native,readonly=on\" \\\n"
      "    -device %s,drive=native,serial=mkroot-native \"$@\"\n"
      "fi\n", c->t->xdrive);
  }
  free(img);
  free(to);
  return words;
}

int qemu_script(struct ctx *c)
{
  const struct target *t = c->t;
  const char *kargs = ctx_get(c, "KARGS"), *qm = ctx_get(c, "QEMU_MORE");
  int mem = qemu_memory(c), mine = t->nic && !names_nic(qm);
  int ssh = root_has_ssh(c->root) && !(qm && strstr(qm, "hostfwd="))
            && (mine || !t->nic);
  char *more = quote_words(qm);
  char *machine = ssh && !mine ? machine_ssh(t->machine) : xstrdup(t->machine);
  char *nic = mine ? own_nic(t, ssh) : xstrdup("");
  const char *port = !ssh ? "" :
    "SSH_PORT=\"${SSH_PORT:-2222}\"   # the host's end of the guest's port 22\n"
    "case \"$SSH_PORT\" in\n"
    "  ''|*[!0-9]*) echo \"SSH_PORT=$SSH_PORT: not a port number\" >&2; exit 1 ;;\n"
    "esac\n";
  char *karg = shell_quote(kargs ? kargs : "");
  char *dtb = t->dtb ? xprintf(" -dtb \"$DIR/%s\"", base(t->dtb)) : xstrdup("");
  char *path = xprintf("%s/qemu-%s.sh", c->output, t->name);
  char *drive = native_drive(c), *pct = strstr(t->disk, "%s");
  /* a disk for it: -hda, or its flash and the size that must be */
  char *hint = !t->diskmib || !pct ? xstrdup("-hda disk.img")
    : xprintf("%.*sdisk.img%s: %d MiB", (int)(pct - t->disk), t->disk,
              pct + 2, t->diskmib);
  char *text = !drive ? 0 : xprintf(
    "#!/bin/sh\n"
    "# Boot mkroot's %s system. Arguments are appended to QEMU's command\n"
    "# line (./qemu-%s.sh %s); KARGS=... adds kernel arguments.\n"
    "# TCG by default; ACCEL=kvm, or -accel among the arguments, to choose.\n"
    "DIR=\"$(dirname \"$0\")\"\n"
    "%s%s"
    "case \" $* \" in\n"
    "  *\" -accel \"*|*\" -enable-kvm \"*) ;;\n"
    "  *) set -- -accel \"${ACCEL:-tcg}\" \"$@\" ;;\n"
    "esac\n"
    "%s"
    "exec qemu-system-%s %s%s%s -nographic -no-reboot -m %d \\\n"
    "  -kernel \"$DIR/%s\" -initrd \"$DIR/root.cpio.gz\"%s \\\n"
    "  -append \"panic=1 quiet%s%s HOST=%s console=%s DATE=$(date +%%s) \"%s\" $KARGS\" "
    "\"$@\"\n",
    t->name, t->name, hint, port, nic, drive, t->qemu, machine,
    mine ? " $NIC" : "", more, mem, base(t->image), dtb,
    t->kargs ? " " : "", t->kargs ? t->kargs : "", t->name, t->console, karg);
  int rc = mem < 0 || !text ? -1 : write_file_below(c->outtop, path, text, 0755);

  free(machine);
  free(nic);
  free(more);
  free(karg);
  free(dtb);
  free(drive);
  free(hint);
  free(path);
  free(text);
  return rc;
}
