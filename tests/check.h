/* check.h: the smallest unit test harness: CHECK(cond) counts and reports. */
#include <stdio.h>
static int checks_failed, checks_run;
#define CHECK(c) do { checks_run++; if (!(c)) { checks_failed++; \
  fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #c); } } while (0)
#define DONE() (printf("%s: %d checks, %d failed\n", __FILE__, checks_run, \
  checks_failed), checks_failed ? 1 : 0)
