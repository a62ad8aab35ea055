/* initramfs.c: output/TARGET/root.cpio.gz, the root as the kernel's
 * initramfs (written by cpio.c), and the check that the guest has room for
 * it. Its key is the root's contents, this program and the epoch; while it
 * is unchanged and the archive still has its hash, nothing is written. */
#define _GNU_SOURCE
#include "step.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* The guest holds the compressed archive and the files unpacked from it
 * at once, and needs room to run besides: a root too big for that boots
 * with files silently missing, so it is named here instead. The unpacked
 * size is counted by reading the archive through (gzip's trailer has it
 * only modulo 4 GiB: a 4.1 GiB root would look like 0.1). */
#define RUN_ROOM (64ULL << 20)
int initramfs_fits(struct ctx *c, const char *cpio)
{
  unsigned long long raw, need;
  struct stat st;
  long long mem = qemu_memory(c);
  int fd, ok;

  if (mem < 0) return -1;
  fd = open(cpio, O_RDONLY | O_CLOEXEC);
  ok = fd >= 0 && !fstat(fd, &st);
  if (!ok) perror_msg("%s", cpio);
  else if (gzip_size(fd, ~0ULL, &raw)) {
    error_msg("%s: corrupt gzip data", cpio);
    ok = 0;
  }
  if (fd >= 0) close(fd);
  if (!ok) return -1;
  need = raw + st.st_size + RUN_ROOM;
  if (need <= (unsigned long long)mem << 20) return 0;
  error_msg("%s: %.1f MiB unpacked + %.1f MiB compressed won't fit in the "
            "guest's %lld MiB with %llu MiB to run in (a smaller root, or "
            "QEMU_MEMORY=%llu)", cpio, raw / 1048576.0, st.st_size / 1048576.0,
            mem, RUN_ROOM >> 20, (need + (1 << 20) - 1) >> 20);
  return -1;
}

/* output/TARGET/root.cpio.gz from the root */
int kernel_initramfs(struct ctx *c)
{
  char *cpio = xprintf("%s/root.cpio.gz", c->output), *e, key[65];
  char *stamp = xprintf("%s/initramfs.stamp", c->build);
  long long epoch;
  struct key k;
  int rc;

  if (ctx_epoch(c, &epoch) || !is_dir_below(c->outtop, c->root)) return -1;
  key_init(&k, "initramfs");
  key_str(&k, "mkroot", c->self);
  e = xprintf("%lld", epoch);
  key_str(&k, "epoch", e);
  rc = key_tree(&k, "root", c->root, 1);
  key_done(&k, key);
  if (rc) return -1;
  if (stamp_ok(stamp, key)) {
    stage("initramfs (unchanged)");
    return initramfs_fits(c, cpio);
  }
  stage("initramfs");
  unlink(stamp);
  return cpio_write(c->root, cpio, epoch)
    || stamp_write(stamp, key, (char *const[]){cpio, 0})
    || initramfs_fits(c, cpio);
}
