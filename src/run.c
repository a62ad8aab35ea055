/* run.c: ./run TARGET [ARGS...] boots output/TARGET with its launch script;
 * with no TARGET, lists what is built. */
#define _GNU_SOURCE
#include "mkroot.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <string.h>
#include <unistd.h>

/* output/NAME's launch script, or 0 if NAME isn't built */
char *launch_script(const char *name)
{
  char *pat = xprintf("output/%s/qemu-*.sh", name);
  glob_t gl;
  char *s = 0;

  if (!glob(pat, 0, 0, &gl)) s = xstrdup(gl.gl_pathv[0]), globfree(&gl);
  return s;
}

int run_main(int argc, char **argv)
{
  char *script;

  if (argc < 2) {
    DIR *d = opendir("output");
    struct dirent *e;
    int n = 0;

    while (d && (e = readdir(d)))
      if (*e->d_name != '.' && !strstr(e->d_name, ".failed")
          && (script = launch_script(e->d_name)))
        printf("%s%s", n++ ? " " : "", e->d_name);
    if (d) closedir(d);
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
