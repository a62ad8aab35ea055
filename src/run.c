/* run.c: ./run TARGET [ARGS...] boots output/TARGET with its launch script;
 * with no TARGET, lists what is built. */
#define _GNU_SOURCE
#include "mkroot.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* output/NAME's launch script, or 0 if NAME isn't built (or has more than
 * one, which would make it ambiguous) */
char *launch_script(const char *name)
{
  char *pat = xprintf("output/%s/qemu-*.sh", name);
  glob_t gl;
  char *s = 0;

  if (!glob(pat, 0, 0, &gl)) {
    if (gl.gl_pathc == 1) s = xstrdup(gl.gl_pathv[0]);
    globfree(&gl);
  }
  free(pat);
  return s;
}

/* Every output/NAME that has a launch script (not the .failed ones) */
int built_targets(char ***out)
{
  DIR *d = opendir("output");
  struct dirent *e;
  int n = 0;

  *out = xmalloc(256 * sizeof(char *));
  while (d && (e = readdir(d)) && n < 255) {
    char *script;

    if (*e->d_name != '.' && !strstr(e->d_name, ".failed")
        && (script = launch_script(e->d_name))) {
      (*out)[n++] = xstrdup(e->d_name);
      free(script);
    }
  }
  if (d) closedir(d);
  return n;
}

int run_main(int argc, char **argv)
{
  char *script;

  if (argc < 2) {
    char **names;
    int n = built_targets(&names), i;

    for (i = 0; i < n; i++) printf("%s%s", i ? " " : "", names[i]);
    if (n) printf("\n");
    else fprintf(stderr, "run: nothing built (./mkroot kernel first)\n");
    return !n;
  }
  if (*argv[1] == '-' || strchr(argv[1], '/')) {
    fprintf(stderr, "usage: run [TARGET [QEMU ARGS...]]\n");
    return 1;
  }
  if (!(script = launch_script(argv[1]))) {
    fprintf(stderr, "run: output/%s: no launch script (./mkroot kernel)\n",
            argv[1]);
    return 1;
  }
  argv[1] = script;
  execv(script, argv + 1);
  fprintf(stderr, "run: %s: %s\n", script, strerror(errno));
  return 1;
}
