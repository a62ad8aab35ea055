#include "mkroot.h"
int cross_main(int c, char **v) { (void)c; (void)v; return 1; }
int run_main(int c, char **v) { (void)c; (void)v; return 1; }
int clean_main(int c, char **v) { (void)c; (void)v; return 1; }
int boottest_main(int c, char **v) { (void)c; (void)v; return 1; }
int kernel_build(const struct target *t) { (void)t; return 1; }
