/* cpio_test: the initramfs writer's output, extracted by GNU cpio, equals
 * the tree (modes, contents, symlinks, hard links) plus /dev/console; two
 * runs give the same bytes. */
#define _GNU_SOURCE
#include "cmd.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static char *p(const char *dir, const char *name)
{
  return xprintf("%s/%s", dir, name);
}

int main(void)
{
  char tmpl[] = "/tmp/cpio_testXXXXXX", *top = mkdtemp(tmpl);
  char *tree = p(top, "tree"), *x = p(top, "x"), *a = p(top, "a.cpio.gz");
  char *b = p(top, "b.cpio.gz"), *cmd, *s1, *s2, buf[64];
  struct stat st, st2;
  size_t l1, l2;
  ssize_t n;

  CHECK(top && !mkdirp(tree, 0755));
  mkdirp(p(tree, "etc/rc"), 0755);
  mkdirp(p(tree, "usr/bin"), 0755);
  mkdirp(p(tree, "secret"), 0700);
  mkdirp(p(tree, "dev"), 0755);
  write_file(p(tree, "etc/passwd"), "root:x:0:0::/root:/bin/sh\n", 0644);
  write_file(p(tree, "usr/bin/tool"), "#!/bin/sh\necho hi\n", 0755);
  write_file(p(tree, "secret/key"), "", 0600);
  link(p(tree, "usr/bin/tool"), p(tree, "usr/bin/tool2"));
  symlink("usr/bin", p(tree, "bin"));
  {
    /* a symlink target of 4000 bytes comes through whole */
    char *longt = xmalloc(4001);

    memset(longt, 'a', 4000);
    CHECK(!symlink(longt, p(tree, "longlink")));
  }
  chmod(p(tree, "secret"), 0700);

  CHECK(!cpio_write(tree, a, 1700000000));
  CHECK(!cpio_write(tree, b, 1700000000));
  s1 = read_file(a, &l1);
  s2 = read_file(b, &l2);
  CHECK(s1 && s2 && l1 == l2 && !memcmp(s1, s2, l1));

  mkdirp(x, 0755);
  cmd = xprintf("cd %s && gzip -dc %s | cpio -idm --quiet", x, a);
  CHECK(!system(cmd));

  CHECK(!stat(p(x, "etc/passwd"), &st) && (st.st_mode & 07777) == 0644);
  CHECK(!strcmp(read_file(p(x, "etc/passwd"), 0), "root:x:0:0::/root:/bin/sh\n"));
  CHECK(!stat(p(x, "usr/bin/tool"), &st) && (st.st_mode & 07777) == 0755);
  CHECK(!stat(p(x, "usr/bin/tool2"), &st2) && st.st_ino == st2.st_ino
        && st.st_nlink == 2);
  CHECK(!strcmp(read_file(p(x, "usr/bin/tool2"), 0), "#!/bin/sh\necho hi\n"));
  CHECK(st.st_mtime == 1700000000);
  CHECK(!stat(p(x, "secret"), &st) && S_ISDIR(st.st_mode)
        && (st.st_mode & 07777) == 0700);
  CHECK(!stat(p(x, "secret/key"), &st) && st.st_size == 0
        && (st.st_mode & 07777) == 0600);
  {
    char lbuf[4100];

    CHECK(readlink(p(x, "longlink"), lbuf, sizeof(lbuf)) == 4000);
  }
  n = readlink(p(x, "bin"), buf, sizeof(buf));
  CHECK(n == 7 && !memcmp(buf, "usr/bin", 7));
  CHECK(!lstat(p(x, "dev/console"), &st) && S_ISCHR(st.st_mode)
        && major(st.st_rdev) == 5 && minor(st.st_rdev) == 1);
  CHECK(st.st_uid == 0 || getuid() != 0);

  /* Listing: sorted, owner root */
  cmd = xprintf("gzip -dc %s | cpio -tv --quiet > %s/list", a, top);
  CHECK(!system(cmd));
  s1 = read_file(xprintf("%s/list", top), 0);
  CHECK(s1 && !strstr(s1, " 1000 ") && strstr(s1, "root"));
  {
    /* both lines there, the link's first: a missing one is a failure */
    char *link = s1 ? strstr(s1, " bin -> usr/bin\n") : 0;
    char *dev = s1 ? strstr(s1, " dev\n") : 0;

    CHECK(link && dev && link < dev);
  }

  cmd = xprintf("rm -rf %s", top);
  CHECK(!system(cmd));
  return DONE();
}
