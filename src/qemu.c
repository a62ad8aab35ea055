/* qemu.c: output/TARGET/qemu-TARGET.sh, the launch script. Its arguments
 * are appended to QEMU's command line. TCG unless asked otherwise: on this
 * kind of machine /dev/kvm opens, but Linux guests die early under KVM
 * (nested virtualization), so KVM is used only with ACCEL=kvm or an -accel
 * or -enable-kvm argument. */
#define _GNU_SOURCE
#include "mkroot.h"

#include <stdlib.h>
#include <string.h>

static const char *base(const char *p)
{
  const char *s = strrchr(p, '/');

  return s ? s + 1 : p;
}

int qemu_script(const struct target *t, const char *outdir)
{
  const char *more = getenv("QEMU_MORE"), *kargs = getenv("KARGS");
  char *dtb = t->dtb ? xprintf(" -dtb \"$DIR/%s\"", base(t->dtb)) : xstrdup("");
  char *path = xprintf("%s/qemu-%s.sh", outdir, t->name);
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
    "exec qemu-system-%s %s%s%s -nographic -no-reboot -m 256 \\\n"
    "  -kernel \"$DIR/%s\" -initrd \"$DIR/root.cpio.gz\"%s \\\n"
    "  -append \"panic=1 HOST=%s console=%s DATE=$(date +%%s) %s $KARGS\" "
    "\"$@\"\n",
    t->name, t->name, t->qemu, t->machine, more ? " " : "", more ? more : "",
    base(t->image), dtb, t->name, t->console, kargs ? kargs : "");
  int rc = write_file(path, text, 0755);

  free(dtb);
  free(path);
  free(text);
  return rc;
}
