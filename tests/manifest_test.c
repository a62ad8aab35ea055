/* manifest_test: a root's manifest (the step cache's sum, the initramfs's
 * key) names each entry unambiguously: a file named "p l q" and a symlink
 * p whose target spells the rest of that file's line sum differently, and
 * so do a hard link and a file named like its line; the same tree copied
 * sums the same; a root that is a symlink has no sum. */
#define _GNU_SOURCE
#include "cmd.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *sum(const char *dir)
{
  struct key k;
  char out[65];
  int rc;

  key_init(&k, "root");
  rc = key_tree(&k, "root", dir, 1);
  key_done(&k, out);
  return rc ? 0 : xstrdup(out);
}

int main(void)
{
  char tmpl[] = "/tmp/manifest_testXXXXXX", *t = mkdtemp(tmpl), hash[65];
  char *a = xprintf("%s/a", t), *b = xprintf("%s/b", t), *sa, *sb, *target;

  CHECK(!mkdirp(a, 0755) && !mkdirp(b, 0755));
  chmod(a, 0755);
  chmod(b, 0755);
  /* a: a file "p l q" holding "x"; b: a symlink p -> "q f 644 HASH" */
  CHECK(!write_file(xprintf("%s/p l q", a), "x", 0644));
  CHECK(!file_hash(xprintf("%s/p l q", a), 1, hash));
  target = xprintf("q f 644 %s", hash);
  CHECK(!symlink(target, xprintf("%s/p", b)));
  CHECK(lchown(xprintf("%s/p", b), getuid(), getgid()) == 0);
  sa = sum(a);
  sb = sum(b);
  CHECK(sa && sb && strcmp(sa, sb));
  /* a copy sums the same */
  CHECK(!copy_tree(a, xprintf("%s/a2", t)));
  CHECK(sa && sum(xprintf("%s/a2", t)) && !strcmp(sa, sum(xprintf("%s/a2", t))));
  /* a root that is a symlink: no sum, never the tree it leads to */
  CHECK(!symlink(a, xprintf("%s/link", t)));
  CHECK(!sum(xprintf("%s/link", t)));
  CHECK(!rmrf(t));
  return DONE();
}
