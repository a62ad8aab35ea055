/* newdir_test: a directory written under a temporary name appears whole or
 * not at all: commit replaces what was there (or, asked not to, leaves a
 * directory another process put there first and succeeds), abort and a
 * failed commit leave no PATH.partPID behind. */
#define _GNU_SOURCE
#include "lib.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
  char tmpl[] = "/tmp/newdir_testXXXXXX", *top = mkdtemp(tmpl), *p, *t;
  struct newdir d;

  CHECK(top != 0);
  p = xprintf("%s/d", top);
  /* new: the temporary exists while writing, the path only after commit */
  CHECK(!newdir_open(&d, p));
  t = xstrdup(d.tmp);
  CHECK(is_dir(t) && !exists(p) && strstr(t, ".part"));
  CHECK(!write_file(xprintf("%s/a", d.tmp), "one\n", 0644));
  CHECK(!newdir_commit(&d, 1));
  CHECK(!exists(t) && !strcmp(read_file(xprintf("%s/a", p), 0), "one\n"));
  /* replace: the old contents go */
  CHECK(!newdir_open(&d, p));
  CHECK(!write_file(xprintf("%s/b", d.tmp), "two\n", 0644));
  CHECK(!newdir_commit(&d, 1));
  CHECK(!exists(xprintf("%s/a", p)) && exists(xprintf("%s/b", p)));
  /* no replace: another's directory stays and serves */
  CHECK(!newdir_open(&d, p));
  CHECK(!write_file(xprintf("%s/c", d.tmp), "three\n", 0644));
  CHECK(!newdir_commit(&d, 0));
  CHECK(exists(xprintf("%s/b", p)) && !exists(xprintf("%s/c", p)) && !exists(t));
  /* abort: nothing left */
  CHECK(!newdir_open(&d, xprintf("%s/e", top)));
  CHECK(!write_file(xprintf("%s/x", d.tmp), "x\n", 0644));
  newdir_abort(&d);
  CHECK(!exists(xprintf("%s/e", top)) && !exists(xprintf("%s/e.part%d", top, (int)getpid())));
  /* a path that can't be: a failed commit leaves no temporary */
  CHECK(!write_file(xprintf("%s/f", top), "file\n", 0644));
  CHECK(!newdir_open(&d, xprintf("%s/f", top)));
  CHECK(newdir_commit(&d, 0) && !exists(xprintf("%s/f.part%d", top, (int)getpid())));
  CHECK(!rmrf(top));
  return DONE();
}
