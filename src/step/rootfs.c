/* rootfs.c: the root filesystem's skeleton: directories, the usr merge
 * symlinks, and the few files in /etc a toybox system needs. */
#define _GNU_SOURCE
#include "mkroot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const dirs[] = {
  "dev", "etc/rc", "home/guest", "mnt", "proc", "root", "sys", "tmp",
  "usr/bin", "usr/sbin", "usr/lib", "var/run", 0
};

static const char *const links[][2] = {
  {"usr/bin", "bin"}, {"usr/sbin", "sbin"}, {"usr/lib", "lib"}, {0, 0}
};

static const char *const files[][2] = {
  {"etc/passwd",
   "root:x:0:0:root:/root:/bin/sh\n"
   "guest:x:500:500:guest:/home/guest:/bin/sh\n"
   "nobody:x:65534:65534:nobody:/proc/self:/dev/null\n"},
  {"etc/group", "root:x:0:\nguest:x:500:\nnobody:x:65534:\n"},
  /* host names that must resolve without a network */
  {"etc/hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n"},
  /* QEMU's user network answers DNS on 10.0.2.3 */
  {"etc/resolv.conf", "nameserver 10.0.2.3\n"},
  {"etc/os-release",
   "NAME=mkroot\nID=mkroot\nPRETTY_NAME=\"mkroot toybox system\"\n"
   "HOME_URL=\"https://landley.net/toybox\"\n"},
  {0, 0}
};

int rootfs_skeleton(struct ctx *c)
{
  const char *root = c->root;
  int i;

  if (rmrf(root) || mkdirp(root, 0755)) return -1;

  for (i = 0; dirs[i]; i++) {
    char *p = xprintf("%s/%s", root, dirs[i]);
    int rc = mkdirp(p, 0755);

    free(p);
    if (rc) return -1;
  }
  for (i = 0; links[i][0]; i++) {
    char *p = xprintf("%s/%s", root, links[i][1]);

    if (symlink(links[i][0], p) && errno != EEXIST) {
      perror_msg("%s", p);
      free(p);
      return -1;
    }
    free(p);
  }
  for (i = 0; files[i][0]; i++) {
    char *p = xprintf("%s/%s", root, files[i][0]);
    int rc = write_file(p, files[i][1], 0644);

    free(p);
    if (rc) return -1;
  }
  {
    char *tmp = xprintf("%s/tmp", root), *guest = xprintf("%s/home/guest", root);
    int rc = chmod(tmp, 01777) || chown(guest, 500, 500);

    if (rc && errno != EPERM) perror_msg("%s", tmp);
    free(tmp);
    free(guest);
  }
  return 0;
}
