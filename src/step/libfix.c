/* libfix.c: work around a cross libc whose static libm.a can't link. Debian's
 * x32 cross libc ships libm.a as a linker script naming
 * /usr/lib/x86_64-linux-gnux32/libm-2.36.a and libmvec.a, paths of the
 * native multiarch layout that no cross package installs; the files sit
 * beside the script. If "-static -lm" fails and libm.a is such a script,
 * write a copy naming the files beside it into DIR; the caller links with
 * -LDIR. Returns 1 if DIR now holds a fix, 0 if none is needed, -1 if it
 * can't be fixed. */
#define _GNU_SOURCE
#include "step.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char code[] = "int main(void) { return 0; }\n";

/* Where the compiler finds libm.a: its -print-file-name, via a file */
static char *libm_path(struct ctx *c, const char *cc, const char *dir)
{
  char *out = xprintf("%s/libm.where", dir), *text, *nl;
  int rc = run(c->env, 0, (char *const[]){"sh", "-c", "\"$0\" -print-file-name=libm.a > \"$1\"",
                               (char *)cc, out, 0});

  text = rc ? 0 : read_file(out, 0);
  unlink(out);
  free(out);
  if (text && (nl = strchr(text, '\n'))) *nl = 0;
  return text;
}

int libm_fix(struct ctx *c, const char *cc, const char *dir)
{
  char *where, *script, *fixed, *s, *base;
  size_t len = 0;

  if (!cc_try(c, cc, code, "-lm", 0)) return 0;
  if (mkdirp(dir, 0755) || !(where = libm_path(c, cc, dir))
      || !(script = read_file(where, &len)) || !strstr(script, "GROUP"))
    return -1;
  base = dirname(xstrdup(where));
  fixed = xstrdup("");
  /* Copy the script, replacing each missing absolute path with the file of
   * the same name beside the script. */
  for (s = script; *s; ) {
    size_t n = strcspn(s, " \t\n()");
    char *word = xprintf("%.*s", (int)n, s), *rep = word, *next;

    if (*word == '/' && access(word, R_OK)) {
      char *beside = xprintf("%s/%s", base, strrchr(word, '/') + 1);

      if (!access(beside, R_OK)) rep = beside;
    }
    next = xprintf("%s%s%.*s", fixed, rep, n ? 0 : 1, s);
    free(fixed);
    fixed = next;
    s += n ? n : 1;
  }
  {
    char *out = xprintf("%s/libm.a", dir);
    int rc = write_file(out, fixed, 0644);

    free(out);
    if (rc) return -1;
  }
  {
    char *flag = xprintf("-L%s", dir);
    int rc = cc_try(c, cc, code, flag, "-lm");

    free(flag);
    return rc ? -1 : 1;
  }
}
