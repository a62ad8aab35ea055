/* ssh.c: logging in to a root that has dropbear (ours or toybox's own
 * package script). Each output directory gets its own key pair,
 * output/TARGET/ssh_key (made once, with the host's ssh-keygen); its
 * public half goes into the root's /root/.ssh/authorized_keys, so no
 * password need be baked into an image. ssh2dropbear.sh logs in with it,
 * through the port the launch script forwards (qemu.c), which boottest's
 * ssh check uses too. */
#define _GNU_SOURCE
#include "step.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 1 if the root has an ssh server to log in to */
int root_has_ssh(const char *root)
{
  static const char *const where[] = {"bin", "sbin", "usr/bin", "usr/sbin", 0};
  int i, yes = 0;

  for (i = 0; !yes && where[i]; i++) {
    char *p = xprintf("%s/%s/dropbear", root, where[i]);

    yes = exists(p);
    free(p);
  }
  return yes;
}

/* output/TARGET/ssh_key and .pub: made under a temporary name, renamed
 * (the public half first: the private one's presence means both are) */
static int make_key(struct ctx *c, const char *key)
{
  char *keygen = which(HOST_PATH, "ssh-keygen"), *tmp, *tpub, *pub, *cmt;
  int rc;

  if (!keygen) {
    error_msg("ssh-keygen not found: the root has dropbear, but no key to "
              "log in with (install openssh-client: make deps)");
    return -1;
  }
  tmp = xprintf("%s/.ssh_key.part%d", c->output, (int)getpid());
  tpub = xprintf("%s.pub", tmp);
  pub = xprintf("%s.pub", key);
  cmt = xprintf("mkroot@%s", c->name);
  tmpfile_add(tmp);
  tmpfile_add(tpub);
  unlink(tmp);
  unlink(tpub);
  rc = run(c->env, 0, (char *const[]){keygen, "-q", "-t", "ed25519", "-N", "",
                                      "-C", cmt, "-f", tmp, 0});
  if (!rc && (rename(tpub, pub) || rename(tmp, key))) {
    perror_msg("%s", key);
    rc = -1;
  }
  unlink(tmp);
  unlink(tpub);
  tmpfile_del(tmp);
  tmpfile_del(tpub);
  free(keygen);
  free(tmp);
  free(tpub);
  free(pub);
  free(cmt);
  return rc;
}

/* The public key in root's authorized_keys (kept if already there). The
 * root is the guest's: /root, /root/.ssh or the file may be symlinks
 * (meaning the guest's /, not ours), so each is opened beneath the root,
 * never followed: a symlink there is an error naming it. */
static int authorize(struct ctx *c, const char *pubfile)
{
  int pfd = open_below(c->outtop, pubfile, O_RDONLY, 0), perr = errno;
  char *pub = pfd < 0 ? 0 : read_fd(pfd, 0), *dir = xprintf("%s/root/.ssh", c->root);
  char *ak = xprintf("%s/authorized_keys", dir), *have = 0, *text = 0;
  int dfd = -1, fd = -1, rc = -1;

  /* output/TARGET/ssh_key.pub too is read only if it is a file of its
   * own: a symlink there must not copy a host file into the image */
  if (pfd >= 0) close(pfd);
  if (!pub) {
    if (pfd >= 0 || perr == ENOENT) perror_msg("%s", pubfile);
  } else if ((dfd = open_below(c->outtop, dir, O_DIRECTORY | O_CREAT, 0700)) < 0) {}
  else if (fchmod(dfd, 0700)) perror_msg("%s", dir);
  else if ((fd = open_beneath(dfd, "authorized_keys", O_RDONLY, 0, 0)) < 0
           && errno != ENOENT) {
    if (errno == ELOOP) error_msg("%s: a symlink: never followed when "
                                  "writing into the root or output/", ak);
    else perror_msg("%s", ak);
  }
  else {
    struct stat st;

    if (fd >= 0 && (fstat(fd, &st) || !S_ISREG(st.st_mode)))
      error_msg("%s: not a regular file", ak);
    else {
      have = fd >= 0 ? read_fd(fd, 0) : 0;
      if (fd >= 0 && !have) perror_msg("%s", ak);
      else {
        text = have && strstr(have, pub) ? 0 : xprintf("%s%s", have ? have : "", pub);
        rc = text ? write_file_at(dfd, ak, text, 0600) : 0;
      }
    }
  }
  if (fd >= 0) close(fd);
  if (dfd >= 0) close(dfd);
  free(pub);
  free(dir);
  free(ak);
  free(have);
  free(text);
  return rc;
}

static const char login[] =
  "#!/bin/sh\n"
  "# Log in to the running guest over ssh: ssh2dropbear.sh [USER [COMMAND...]]\n"
  "# (the launch script forwards 127.0.0.1:${SSH_PORT:-2222} to its port 22;\n"
  "# the guest's host key is new each boot, so it is not remembered)\n"
  "DIR=\"$(dirname \"$0\")\"\n"
  "U=\"${1:-root}\"\n"
  "[ $# -gt 0 ] && shift\n"
  "exec ssh -i \"$DIR/ssh_key\" -o UserKnownHostsFile=/dev/null \\\n"
  "  -o StrictHostKeyChecking=no -o LogLevel=ERROR -p \"${SSH_PORT:-2222}\" \\\n"
  "  \"$U@127.0.0.1\" \"$@\"\n";

int ssh_setup(struct ctx *c)
{
  char *key, *pub, *script;
  int rc;

  if (!root_has_ssh(c->root)) return 0;
  key = xprintf("%s/ssh_key", c->output);
  pub = xprintf("%s.pub", key);
  script = xprintf("%s/ssh2dropbear.sh", c->output);
  rc = (!exists(key) || !exists(pub)) && make_key(c, key);
  rc = rc || authorize(c, pub)
       || write_file_below(c->outtop, script, login, 0755);
  free(key);
  free(pub);
  free(script);
  return rc ? -1 : 0;
}
