/* rootfs.c: the root filesystem's skeleton: directories, the usr merge
 * symlinks, and the few files in /etc a toybox system needs. */
#define _GNU_SOURCE
#include "step.h"

#include <errno.h>
#include <fcntl.h>
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

/* Into a fresh root, yet every write beneath it (beneath.c), as into any
 * root: the skeleton is a step like the others */
int rootfs_skeleton(struct ctx *c)
{
  const char *root = c->root;
  int i, fd, rc = 0;

  if (rmrf(root) || (fd = open_below(c->outtop, root, O_DIRECTORY | O_CREAT,
                                     0755)) < 0) return -1;
  for (i = 0; !rc && dirs[i]; i++) {
    char *p = xprintf("%s/%s", root, dirs[i]);
    int d = open_below(c->outtop, p, O_DIRECTORY | O_CREAT, 0755);

    /* tmp is everyone's, /home/guest the guest's */
    if (d < 0) rc = -1;
    else if (!strcmp(dirs[i], "tmp") && fchmod(d, 01777)) rc = -1;
    else if (!strcmp(dirs[i], "home/guest") && fchown(d, 500, 500)
             && errno != EPERM) rc = -1;
    if (d >= 0) close(d);
    if (rc && d >= 0) perror_msg("%s", p);
    free(p);
  }
  for (i = 0; !rc && links[i][0]; i++)
    if (symlinkat(links[i][0], fd, links[i][1]) && errno != EEXIST) {
      perror_msg("%s/%s", root, links[i][1]);
      rc = -1;
    }
  for (i = 0; !rc && files[i][0]; i++) {
    char *p = xprintf("%s/%s", root, files[i][0]);

    rc = write_file_below(c->outtop, p, files[i][1], 0644);
    free(p);
  }
  close(fd);
  return rc ? -1 : 0;
}
