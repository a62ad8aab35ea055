/* man.c: "mkroot --man", the manual page (doc/mkroot.1, written by make
 * doc; tests/doc.sh checks it is current), made from the tables --help
 * uses: mkroot's options and variables, each command's usage, and the
 * table of what the build writes where, which the README shows too. */
#define _GNU_SOURCE
#include "cmd.h"

#include <stdlib.h>
#include <string.h>

/* Where things go */
static const struct file { const char *path, *what; } files[] = {
  {"output/TARGET/root/", "the root filesystem (TARGET is \"host\" natively)"},
  {"output/TARGET/root.cpio.gz", "the initramfs (kernel module)"},
  {"output/TARGET/bzImage ...", "the kernel image (and any .dtb)"},
  {"output/TARGET/TARGET.miniconf", "the kernel miniconfig, make lines on "
   "top"},
  {"output/TARGET/TARGET.config", "the full kernel .config"},
  {"output/TARGET/qemu-TARGET.sh", "the QEMU launch script; its arguments "
   "are appended to the QEMU command line"},
  {"output/TARGET/log.txt", "everything the build printed"},
  {"output/TARGET/ssh_key(.pub)", "the key that logs in to a root with "
   "dropbear"},
  {"output/TARGET/ssh2dropbear.sh", "ssh into the running guest with it"},
  {"download/", "sources: tarballs and source directories"},
  {"build/TARGET/", "scratch space and caches: linux/ is the kernel's "
   "object tree (kept, so a rebuild is incremental), steps/ the step cache"},
  {"build/TARGET/kernel.log", "the kernel's own log, joined to log.txt"},
  {"build/TARGET/linux-view-KEY/", "a patched kernel tree (patches/): "
   "links, and copies of what the patch changes"},
  {"build/TARGET/cc/", "the target's tools under every name (with musl)"},
  {"build/TARGET/modules/", "modules' $BUILD: setupfor's trees (NAME/) and "
   "stage/, what modules build for later ones (zlib)"},
  {"build/TARGET/module-NAME/", "a module's scratch directory, while it "
   "runs"},
  {"toolchain/musl/KEY/", "musl sysroots, one per target and compiler "
   "(./clean leaves toolchain/: rm -rf toolchain/musl removes them)"},
  {0, 0}
};

/* The README's block: path and meaning in two columns */
void files_list(FILE *f)
{
  const struct file *p;

  for (p = files; p->path; p++) {
    fprintf(f, "    %-31s", p->path);
    fwrap(f, p->what, 35, 79);
  }
}

/* text for roff: backslashes and minus signs escaped, a line never
 * starting with a control character */
static void roff(FILE *f, const char *text)
{
  int bol = 1;

  for (; *text; text++) {
    if (bol && (*text == '.' || *text == '\'')) fputs("\\&", f);
    if (*text == '\\') fputs("\\e", f);
    else if (*text == '-') fputs("\\-", f);
    else fputc(*text, f);
    bol = *text == '\n';
  }
}

/* A command's usage, less its "usage: ", as a preformatted block */
static void usage_block(FILE *f, const struct command *c)
{
  char *text = 0;
  size_t len;
  FILE *m = open_memstream(&text, &len);

  if (!m) return;
  c->usage(m);
  fclose(m);
  fprintf(f, ".SS %s\n.nf\n", c->name);
  roff(f, text + 7);   /* "usage: " */
  fputs(".fi\n", f);
  free(text);
}

int man_page(FILE *f, const struct command *commands)
{
  const struct command *c;
  const struct opt *o;
  const struct var *v;
  const struct file *p;
  int who;

  fputs(".TH MKROOT 1 \"\" \"mkroot\" \"User Commands\"\n.SH NAME\n", f);
  for (c = commands; c->name; c++)
    fprintf(f, "%s%s", c->name, c[1].name ? ", " : "");
  fputs(" \\- build a toybox root filesystem and a Linux kernel, boot and "
        "test them under QEMU\n.SH SYNOPSIS\n.B mkroot\n", f);
  roff(f, mkroot_synopsis);
  fputs("\n.SH DESCRIPTION\n", f);
  roff(f, mkroot_about);
  fputs("\n.SH OPTIONS\n", f);
  for (o = mkroot_opts; o->letter; o++) {
    fprintf(f, ".TP\n.B \\-%c\n", o->letter);
    roff(f, o->text);
    fputc('\n', f);
  }
  fputs(".SH VARIABLES\n", f);
  roff(f, mkroot_varsabout);
  fputc('\n', f);
  for (who = V_BUILD; who <= V_GUEST; who++) {
    fputs(".SS ", f);
    roff(f, var_heading(who));
    fputc('\n', f);
    for (v = vars; v->name; v++) {
      if (v->who != (enum var_who)who) continue;
      fputs(".TP\n.B ", f);
      roff(f, v->name);
      fputc('\n', f);
      roff(f, v->meaning);
      if (v->dflt) {
        fputs(" (default: ", f);
        roff(f, v->dflt);
        fputc(')', f);
      }
      fputc('\n', f);
    }
  }
  fputs(".SH COMMANDS\nOne binary, chosen by the name it is started as.\n",
        f);
  for (c = commands; c->name; c++)
    if (strcmp(c->name, "mkroot")) usage_block(f, c);
  fputs(".SH FILES\n", f);
  for (p = files; p->path; p++) {
    fputs(".TP\n.I ", f);
    roff(f, p->path);
    fputc('\n', f);
    roff(f, p->what);
    fputc('\n', f);
  }
  fputs(".SH EXIT STATUS\n0 when everything asked for was done; otherwise "
        "1, after one line naming the command, the thing and the reason.\n"
        ".SH SEE ALSO\n.BR qemu (1),\nREADME.md and doc/ in the mkroot "
        "checkout.\n", f);
  return ferror(f) ? 1 : 0;
}
