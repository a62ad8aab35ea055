/* vars.c: every variable mkroot and its commands read, as one table. It
 * gives "mkroot --help" its list (and the README and man page theirs:
 * "mkroot --helper vars"), checks the values it can before a build
 * starts, and names the variable a misspelt NAME=VALUE probably meant.
 * A name the table lacks is still passed on: modules read their own.
 * tests/vars.sh fails on a variable the code reads that is not here. */
#define _GNU_SOURCE
#include "ctx.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char *check_target(const char *v)
{
  return valid_name(v) ? 0 : "bad target name (letters, digits, '.', '_', "
                             "'+', '-')";
}

static const char *check_libc(const char *v)
{
  return strcmp(v, "musl") && strcmp(v, "glibc") ? "musl or glibc" : 0;
}

static const char *check_toolchain(const char *v)
{
  return *v && strcmp(v, "source") && strcmp(v, "debian")
         ? "source, or debian (the default)" : 0;
}

static const char *check_epoch(const char *v)
{
  unsigned long long n;

  return parse_uint(v, 0xffffffffULL, &n)
         ? "not a number of seconds from 0 to 4294967295" : 0;
}

static const char *check_bytes(const char *v)
{
  unsigned long long n;

  return parse_uint(v, ~0ULL >> 1, &n) || !n ? "not a number of bytes" : 0;
}

static const char *check_count(const char *v)
{
  unsigned long long n;

  return parse_uint(v, ~0ULL >> 1, &n) || !n ? "not a number of entries" : 0;
}

static const char *check_seconds(const char *v)
{
  unsigned long long n;

  return parse_uint(v, LONG_MAX, &n) || !n ? "not a number of seconds" : 0;
}

static const char *check_memory(const char *v)
{
  unsigned long long n;

  return parse_uint(v, 1 << 20, &n) || n < 32
         ? "the guest's memory in MiB (32 and up)" : 0;
}

const struct var vars[] = {
  /* mkroot's NAME=VALUE */
  {"CROSS_COMPILE", "native", "the compiler prefix (aarch64-linux-gnu-, with "
   "or without a directory); it must link static binaries", 0, V_BUILD},
  {"TARGET", "uname -m natively, else from the compiler prefix", "the "
   "target; it names output/TARGET, so a plain name (letters, digits, . _ + "
   "-)", check_target, V_BUILD},
  {"LIBC", "musl where the target can have it", "musl, or glibc to keep the "
   "compiler's own C library", check_libc, V_BUILD},
  {"CROSS", "host", "toybox's way to pick a target: NAME builds with the "
   "compiler ./cross NAME uses; all, allnonstop or A,B,C builds each in "
   "turn; an unknown name lists the targets", 0, V_BUILD},
  {"TOOLCHAIN", "debian", "source: ./cross (and CROSS=) use the compiler "
   "built from source in toolchain/ (C, C++, musl) for a target that has a "
   "Debian one too (x86_64, aarch64, armv7l), building it first if missing",
   check_toolchain, V_BUILD},
  {"LINUX", "download/linux", "the kernel source directory; given, the "
   "kernel is built as if \"kernel\" were listed (toybox's way)", 0, V_BUILD},
  {"KEXTRA", 0, "extra kernel symbols: NAME,NAME,NAME=VALUE", 0, V_BUILD},
  {"STRICT", 0, "1: a requested kernel symbol that did not stick is an "
   "error, not a warning", 0, V_BUILD},
  {"KARGS", 0, "extra kernel command line, baked into the launch script "
   "(or given when running it)", 0, V_BUILD},
  {"QEMU_MORE", 0, "extra QEMU arguments, baked into the launch script", 0,
   V_BUILD},
  {"QEMU_MEMORY", "256", "the guest's memory in MiB (32 and up; a row may "
   "need more by default: hppa 1024), baked into the launch script",
   check_memory, V_BUILD},
  {"NATIVE_IMAGE", 0, "a native toolchain's squashfs image (the native "
   "module sets it): copied beside the kernel as native.sqf, which the "
   "launch script attaches as a read-only drive the guest mounts at "
   "/opt/native", 0, V_BUILD},
  {"SOURCE_DATE_EPOCH", "0", "the time stamp of every initramfs entry, 0 to "
   "4294967295", check_epoch, V_BUILD},
  {"DOWNLOAD", "download/", "the sources directory", 0, V_BUILD},
  {"MIRROR", 0, "\"URL ...\": base URLs tried before a download's own", 0,
   V_BUILD},
  {"DOWNLOAD_MAX", "2 GiB", "the largest download accepted, in bytes",
   check_bytes, V_BUILD},
  {"DOWNLOAD_TIMEOUT", "3600", "seconds a whole download may take",
   check_seconds, V_BUILD},
  {"EXTRACT_MAX", "4 GiB", "the most data one tarball may unpack to, in "
   "bytes", check_bytes, V_BUILD},
  {"EXTRACT_MAX_ENTRIES", "1000000", "the most entries one tarball may "
   "unpack to", check_count, V_BUILD},
  {"TOYBOX_URL", 0, "fetch toybox from this URL and build that instead of "
   "download/toybox (which make deps always makes)", 0, V_BUILD},
  {"TOYBOX_HASH", 0, "the sha1 or sha256 of TOYBOX_URL's file (one needs "
   "the other)", 0, V_BUILD},
  {"MODULES", 0, "toybox's: kernel symbols built as loadable modules "
   "(A,B; MODULES+= in a module works), installed in the root's "
   "/lib/modules: modprobe A in the guest. A directory here is refused, "
   "naming MODULE_PATH", 0, V_BUILD},
  {"MODULE_PATH", 0, "\"DIR:DIR\": your own module directories, searched "
   "before module/, relative to where mkroot started", 0, V_BUILD},
  {"NO_CLEANUP", 0, "1: keep build/ directories after a module's cleanup",
   0, V_BUILD},
  {"HOST_EXTRA", 0, "\"cmd ...\": more host commands in a cross build's "
   "airlock", 0, V_BUILD},
  {"NOAIRLOCK", 0, "1: a cross build uses PATH as it is, no airlock", 0,
   V_BUILD},
  {"DISTCC_HOSTS", "compile here", "compile servers, in distcc's syntax", 0,
   V_BUILD},
  {"PATH", "/usr/bin:/bin", "where the build finds the host's tools (kept "
   "from the environment, as HOME, CROSS_COMPILE, CROSS, LINUX and the "
   "proxy variables are)", 0,
   V_BUILD},

  /* read by the modules in module/ */
  {"OVERLAY", "overlay", "the directory the overlay module copies over the "
   "root, relative to where mkroot started", 0, V_MODULE},
  {"DYNAMIC_LIBS", 0, "more libraries for the dynamic module (\"z ssl\", as "
   "for -lz -lssl)", 0, V_MODULE},
  {"DISTCC_PORT", "3632", "the port of the host's distccd the distcc "
   "module's guest uses", 0, V_MODULE},
  {"DISTCC_JOBS", "2", "the jobs the distcc module's guest sends there", 0,
   V_MODULE},

  /* the other commands and the launch script, from the environment */
  {"JOBS", "one per core with 2 GiB each", "cross all: targets built side "
   "by side", 0, V_COMMAND},
  {"BOOTTEST_TIMEOUT", "300", "boottest: seconds before a hung guest is "
   "killed (1 to a year)", 0, V_COMMAND},
  {"ACCEL", "tcg", "the launch script: QEMU's accelerator (kvm)", 0,
   V_COMMAND},
  {"SSH_PORT", "2222", "the launch script: the host port forwarded to the "
   "guest's ssh (boottest picks a free one)", 0, V_COMMAND},

  /* set by mkroot for each module; those that place the build are set
   * again after it */
  {"TOP", 0, "the directory mkroot runs in", 0, V_SET},
  {"OUTPUT", 0, "output/TARGET", 0, V_SET},
  {"ROOT", 0, "output/TARGET/root, the root filesystem", 0, V_SET},
  {"BUILD", 0, "build/TARGET, scratch space", 0, V_SET},
  {"CROSS_BASE", 0, "the compiler prefix without its directory", 0, V_SET},
  {"CROSS_SHORT", 0, "the output directory's name", 0, V_SET},
  {"MKROOT_SELF", 0, "this program, for the module API's callbacks", 0,
   V_SET},
  {"MKROOT_DEPS", 0, "where setupfor notes the sources a module used (the "
   "step cache's key)", 0, V_SET},

  /* the guest's /init, from the kernel command line */
  {"DATE", "the launch script's clock", "seconds since 1970, for a guest "
   "without a clock", 0, V_GUEST},
  {"HANDOFF", "/bin/sh", "the program /init hands the console to", 0,
   V_GUEST},
  {"POWEROFF", 0, "1: /init powers the guest off at the end rather than "
   "resetting it (a row's kargs: sparc64, whose reset never reaches QEMU)",
   0, V_GUEST},
  {"FRAME", 0, "TOKEN: the handoff's output and exit status come back on "
   "the console in frames marked with it (./run TARGET -- CMD sets it)", 0,
   V_GUEST},
  {"HOME", "/root", "the shell's home", 0, V_GUEST},
  {0, 0, 0, 0, 0}
};

static const char *const heading[] = {
  [V_BUILD] = "Variables, as NAME=VALUE",
  [V_MODULE] = "Read by the modules in module/",
  [V_COMMAND] = "Read from the environment by the other commands and the "
                "launch script",
  [V_SET] = "Set by mkroot for every module",
  [V_GUEST] = "Read by the guest's /init from the kernel command line",
};

const char *var_heading(int who)
{
  return heading[who];
}

const struct var *var_find(const char *name)
{
  const struct var *v;

  for (v = vars; v->name; v++) if (!strcmp(v->name, name)) return v;
  return 0;
}

/* "NAME=VALUE: why" and -1 if the table's check refuses value ("" is
 * unset, always fine) */
int var_check(const char *name, const char *value)
{
  const struct var *v = var_find(name);
  const char *why;

  if (!v || !v->check || !value || !*value || !(why = v->check(value)))
    return 0;
  error_msg("%s=%s: %s", name, value, why);
  return -1;
}

/* Edits (insert, delete, change, swap two neighbours) from a to b, up to
 * 3; names are short */
static int distance(const char *a, const char *b)
{
  int la = strlen(a), lb = strlen(b), i, j, d[32][32];

  if (la > 30 || lb > 30) return 3;
  for (i = 0; i <= la; i++) d[i][0] = i;
  for (j = 0; j <= lb; j++) d[0][j] = j;
  for (i = 1; i <= la; i++) for (j = 1; j <= lb; j++) {
    int c = a[i - 1] != b[j - 1], m = d[i - 1][j - 1] + c;

    if (d[i - 1][j] + 1 < m) m = d[i - 1][j] + 1;
    if (d[i][j - 1] + 1 < m) m = d[i][j - 1] + 1;
    if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]
        && d[i - 2][j - 2] + 1 < m) m = d[i - 2][j - 2] + 1;
    d[i][j] = m;
  }
  return d[la][lb] > 3 ? 3 : d[la][lb];
}

/* The known name an unknown one probably meant (one edit for short names,
 * two for longer), or 0 */
static const char *near_miss(const char *name)
{
  const struct var *v, *best = 0;
  int most = strlen(name) > 5 ? 2 : 1, d, bestd = most + 1;

  for (v = vars; v->name; v++)
    if ((d = distance(name, v->name)) <= most && d < bestd) best = v, bestd = d;
  return best ? best->name : 0;
}

/* Before the build: every value the table can check, and a line for each
 * NAME=VALUE whose name looks like a misspelt known one */
int vars_check(struct ctx *c)
{
  const struct var *v;
  int i, rc = 0;

  for (i = 0; i < c->a.nvars; i++) {
    char *name = xstrndup(c->a.vars[i], strcspn(c->a.vars[i], "="));
    const char *near = var_find(name) ? 0 : near_miss(name);

    if (near) error_msg("%s: unknown variable; did you mean %s?", name, near);
    free(name);
  }
  for (v = vars; v->name; v++) rc |= var_check(v->name, ctx_get(c, v->name));
  return rc;
}

/* mkroot --help's list: each group under its heading */
void vars_usage(FILE *f)
{
  const struct var *v;
  enum var_who who;

  for (who = V_BUILD; who <= V_GUEST; who++) {
    fprintf(f, "\n%s%s:\n", heading[who],
            who == V_BUILD ? " (default in brackets)" : "");
    for (v = vars; v->name; v++) {
      char *text;

      if (v->who != who) continue;
      text = v->dflt ? xprintf("%s [%s]", v->meaning, v->dflt)
                     : xstrdup(v->meaning);
      if (strlen(v->name) > 18) fprintf(f, "  %s\n%22s", v->name, "");
      else fprintf(f, "  %-19s ", v->name);
      fwrap(f, text, 22, 79);
      free(text);
    }
  }
}

/* The README's tables (mkroot --helper vars), the same rows */
void vars_markdown(FILE *f)
{
  const struct var *v;
  enum var_who who;

  for (who = V_BUILD; who <= V_GUEST; who++) {
    fprintf(f, "%s%s:\n\n| variable | meaning | default |\n"
            "| --- | --- | --- |\n", who == V_BUILD ? "" : "\n", heading[who]);
    for (v = vars; v->name; v++)
      if (v->who == who)
        fprintf(f, "| `%s` | %s | %s |\n", v->name, v->meaning,
                v->dflt ? v->dflt : "");
  }
}

/* The README's short list: the build's variables by name */
void vars_names(FILE *f)
{
  const struct var *v;
  char *l = xstrdup(""), *more;

  for (v = vars; v->name; v++) {
    if (v->who != V_BUILD) continue;
    more = xprintf("%s%s`%s`", l, *l ? ", " : "", v->name);
    free(l);
    l = more;
  }
  fwrap(f, l, 0, 76);
  free(l);
}
