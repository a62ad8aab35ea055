/* miniconfig.c: kernel symbols in the compact microconfig form
 * ("NAME,NAME,NAME=VALUE") expanded to a miniconfig, and the check that
 * every requested symbol made it into the final .config (Kconfig silently
 * drops one whose dependencies are not met). */
#define _GNU_SOURCE
#include "step.h"

#include <stdlib.h>
#include <string.h>

/* What every target gets: initramfs, devtmpfs, the filesystems, the network
 * and the executable formats a toybox system and the boot test need. The
 * initramfs keeps its files' times (allnoconfig leaves that out, and then
 * every file gets the second it was unpacked in, near 1970, so a tree
 * given with ./run --share has sources "newer" than what was made from
 * them and make starts remaking configure with tools the guest lacks). */
const char generic_kconf[] =
  "BINFMT_ELF,BINFMT_SCRIPT,NO_HZ_IDLE,HIGH_RES_TIMERS,BLK_DEV,"
  "BLK_DEV_INITRD,INITRAMFS_PRESERVE_MTIME,RD_GZIP,BLK_DEV_LOOP,EXT4_FS,EXT4_USE_FOR_EXT2,VFAT_FS,"
  "FAT_DEFAULT_UTF8,MISC_FILESYSTEMS,SQUASHFS,SQUASHFS_XATTR,SQUASHFS_ZLIB,"
  "DEVTMPFS,DEVTMPFS_MOUNT,TMPFS,TMPFS_POSIX_ACL,NET,PACKET,UNIX,INET,IPV6,"
  "NETDEVICES,NET_CORE,NETCONSOLE,ETHERNET,COMPAT_32BIT_TIME,"
  "PANIC_TIMEOUT=1";

/* "A,B=2" -> "CONFIG_A=y\nCONFIG_B=2\n"; value is the default for entries
 * without their own. Empty entries are skipped. */
char *microconfig_expand(const char *csv, const char *value)
{
  size_t cap = 64, len = 0;
  char *out = xmalloc(cap);
  const char *s = csv ? csv : "";

  while (*s) {
    size_t n = strcspn(s, ", \t\n");
    char *line;

    if (n) {
      const char *eq = memchr(s, '=', n);

      line = eq ? xprintf("CONFIG_%.*s\n", (int)n, s)
                : xprintf("CONFIG_%.*s=%s\n", (int)n, s, value);
      if (len + strlen(line) + 1 > cap)
        out = xrealloc(out, cap = (len + strlen(line)) * 2 + 1);
      strcpy(out + len, line);
      len += strlen(line);
      free(line);
    }
    s += n;
    if (*s) s++;
  }
  out[len] = 0;
  return out;
}

/* The whole miniconfig: the make lines and boot line as comments on top,
 * then generic, target and KEXTRA symbols, and with MODULES (toybox's:
 * symbols built as loadable modules) module support and those as =m */
char *miniconfig_make(const struct target *t, const char *kextra,
                      const char *modules)
{
  char *gen = microconfig_expand(generic_kconf, "y");
  char *own = microconfig_expand(t->kconf, "y");
  char *extra = microconfig_expand(kextra, "y");
  char *mods = microconfig_expand(modules, "m");
  char *out = xprintf(
    "# make ARCH=%s allnoconfig KCONFIG_ALLCONFIG=%s.miniconf\n"
    "# make ARCH=%s -j $(nproc)\n"
    "# boot %s\n"
    "# qemu-system-%s %s -append \"panic=1 %s%sHOST=%s console=%s\"\n\n"
    "# architecture independent\n%s\n"
    "# architecture specific (%s)\n%s%s%s\n"
    "# KEXTRA\n%s%s%s",
    t->karch, t->name, t->karch, t->image, t->qemu, t->machine,
    t->kargs ? t->kargs : "", t->kargs ? " " : "", t->name, t->console, gen,
    t->name, own, t->kconfig ? t->kconfig : "", t->kconfig ? "\n" : "", extra,
    *mods ? "\n# MODULES\nCONFIG_MODULES=y\nCONFIG_MODULE_UNLOAD=y\n" : "",
    mods);

  free(mods);
  free(gen);
  free(own);
  free(extra);
  return out;
}

/* Each CONFIG_X=V line of the miniconfig must appear in the .config. Returns
 * how many did not; *missing lists them ("X" or "X=V (got W)"), one line
 * each. */
int symbol_check(const char *mini, const char *config, char **missing)
{
  const char *s;
  int bad = 0;
  char *list = xstrdup("");

  for (s = mini; *s; s += strcspn(s, "\n"), s += !!*s) {
    size_t n = strcspn(s, "\n");
    const char *eq = memchr(s, '=', n), *p, *got;
    char *want, *name, *line;

    if (strncmp(s, "CONFIG_", 7) || !eq) continue;
    want = xprintf("\n%.*s\n", (int)n, s);
    name = xprintf("\n%.*s", (int)(eq - s + 1), s);
    if (strstr(config, want) || !strncmp(config, want + 1, n + 1)) {
      free(want);
      free(name);
      continue;
    }
    bad++;
    got = strstr(config, name);
    p = got ? got + strlen(name) : 0;
    if (p)
      line = xprintf("%s%.*s (got %.*s)\n", list, (int)(n - 7), s + 7,
                     (int)strcspn(p, "\n"), p);
    else if (eq[1] == 'y' && eq + 2 == s + n)
      line = xprintf("%s%.*s\n", list, (int)(eq - s - 7), s + 7);
    else line = xprintf("%s%.*s\n", list, (int)(n - 7), s + 7);
    free(list);
    list = line;
    free(want);
    free(name);
  }
  *missing = list;
  return bad;
}
