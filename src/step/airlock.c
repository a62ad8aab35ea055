/* airlock.c: the hermetic PATH for cross builds. toybox's "make
 * install_airlock" makes one directory holding a host toybox plus symlinks
 * to the host tools it can't replace yet (make, bash, cc, bison, flex, ...)
 * and to the HOST_EXTRA commands; the build's PATH is that directory alone,
 * so nothing else on the host leaks in. The cross compiler is called by its
 * absolute prefix. Rebuilt only when missing or when HOST_EXTRA changed;
 * NOAIRLOCK=1 turns it off. */
#define _GNU_SOURCE
#include "step.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* What the kernel build needs beyond toybox's own list (toybox 0.8.9's
 * install.sh also means to add bc and objdump, but a missing space drops
 * them): lz4 packs x86_64's kernel (KERNEL_LZ4). Missing ones are
 * skipped. */
static const char kernel_tools[] =
  "bc objdump ar nm strip objcopy readelf perl cmp diff gzip xz zstd lz4 "
  "cpio python3 openssl depmod ld.bfd";

static int airlock_build(struct ctx *c, const char *dir, const char *want)
{
  char *build = xprintf("%s/build/airlock-src", c->top), *src;
  struct caps caps;
  int rc;

  stage("airlock");
  rc = ctx_caps(c, &caps) || rmrf(dir)
    || setupfor(c->download, build, "toybox", &caps, &src, 0)
    || ctx_run(c, src, (char *const[]){"env", "-u", "TARGET", "CROSS_COMPILE=",
                                       "CC=cc", "CFLAGS=", "LDFLAGS=",
                                       xprintf("PREFIX=%s", dir),
                                       xprintf("HOST_EXTRA=%s", want),
                                       xprintf("CPUS=%d", ncpus()), "make",
                                       "defconfig", "toybox",
                                       "install_airlock", 0})
    || write_file(xprintf("%s/.host_extra", dir), want, 0644);
  if (rc) log_fail("airlock");
  else rmrf(build);
  free(build);
  return rc;
}

int airlock_setup(struct ctx *c)
{
  const char *user = ctx_get(c, "HOST_EXTRA");
  char *dir = xprintf("%s/build/airlock", c->top);
  char *stamp = xprintf("%s/.host_extra", dir), *lockf, *want, *have;
  int lock, rc = 0;

  if (!c->cross || ctx_is(c, "NOAIRLOCK")) return 0;
  want = xprintf("%s %s", kernel_tools, user ? user : "");
  lockf = xprintf("%s/build/.airlock.lock", c->top);
  if (mkdirp(xprintf("%s/build", c->top), 0755)
      || (lock = open(lockf, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0
      || flock(lock, LOCK_EX)) {
    perror_msg("%s", lockf);
    return -1;
  }
  have = read_file(stamp, 0);
  if (!have || strcmp(have, want) || !exists(xprintf("%s/toybox", dir)))
    rc = airlock_build(c, dir, want);
  close(lock);
  if (!rc) {
    free(c->path);
    c->path = dir;
    ctx_export(c);
  }
  return rc;
}
