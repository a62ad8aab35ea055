/* qemu.c: output/TARGET/qemu-TARGET.sh, the launch script. Its arguments
 * are appended to QEMU's command line. TCG unless asked otherwise: on this
 * kind of machine /dev/kvm opens, but Linux guests die early under KVM
 * (nested virtualization), so KVM is used only with ACCEL=kvm or an -accel
 * or -enable-kvm argument. What the user gave (QEMU_MORE, split into
 * words; KARGS, one string) is quoted for the shell, never pasted raw.
 * The kernel boots "quiet": every message over an emulated serial port
 * costs time (about 0.4 s of x86_64's boot here); KARGS=loglevel=7 (baked
 * in, or when running the script) brings them back. */
#define _GNU_SOURCE
#include "mkroot.h"

#include <stdlib.h>
#include <string.h>

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

int qemu_script(struct ctx *c)
{
  const struct target *t = c->t;
  const char *kargs = ctx_get(c, "KARGS");
  char *more = quote_words(ctx_get(c, "QEMU_MORE"));
  char *karg = shell_quote(kargs ? kargs : "");
  char *dtb = t->dtb ? xprintf(" -dtb \"$DIR/%s\"", base(t->dtb)) : xstrdup("");
  char *path = xprintf("%s/qemu-%s.sh", c->output, t->name);
  char *text = xprintf(
    "#!/bin/sh\n"
    "# Boot mkroot's %s system. Arguments are appended to QEMU's command\n"
    "# line (./qemu-%s.sh -hda disk.img); KARGS=... adds kernel arguments.\n"
    "# TCG by default; ACCEL=kvm, or -accel among the arguments, to choose.\n"
    "DIR=\"$(dirname \"$0\")\"\n"
    "case \" $* \" in\n"
    "  *\" -accel \"*|*\" -enable-kvm \"*) ;;\n"
    "  *) set -- -accel \"${ACCEL:-tcg}\" \"$@\" ;;\n"
    "esac\n"
    "exec qemu-system-%s %s%s -nographic -no-reboot -m 256 \\\n"
    "  -kernel \"$DIR/%s\" -initrd \"$DIR/root.cpio.gz\"%s \\\n"
    "  -append \"panic=1 quiet HOST=%s console=%s DATE=$(date +%%s) \"%s\" $KARGS\" "
    "\"$@\"\n",
    t->name, t->name, t->qemu, t->machine, more, base(t->image), dtb,
    t->name, t->console, karg);
  int rc = write_file(path, text, 0755);

  free(more);
  free(karg);
  free(dtb);
  free(path);
  free(text);
  return rc;
}
