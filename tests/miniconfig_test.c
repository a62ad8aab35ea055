/* miniconfig_test: microconfig expansion and the symbol check. */
#define _GNU_SOURCE
#include "cmd.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>

int main(void)
{
  char *s, *missing;
  const struct target *t = target_find("x86_64");

  s = microconfig_expand("A,B=2,,C", "y");
  CHECK(!strcmp(s, "CONFIG_A=y\nCONFIG_B=2\nCONFIG_C=y\n"));
  s = microconfig_expand("X,Y", "m");
  CHECK(!strcmp(s, "CONFIG_X=m\nCONFIG_Y=m\n"));
  CHECK(!strcmp(microconfig_expand("", "y"), ""));
  CHECK(!strcmp(microconfig_expand(0, "y"), ""));

  CHECK(t && !target_find("nosuch") && target_find("aarch64"));
  s = miniconfig_make(t, "NOSUCH_SYMBOL,HZ=100", 0);
  CHECK(!strncmp(s, "# make ARCH=x86 allnoconfig KCONFIG_ALLCONFIG=x86_64.miniconf\n", 62));
  CHECK(strstr(s, "\nCONFIG_DEVTMPFS=y\n") && strstr(s, "\nCONFIG_64BIT=y\n"));
  CHECK(strstr(s, "\nCONFIG_PANIC_TIMEOUT=1\n"));
  CHECK(strstr(s, "# KEXTRA\nCONFIG_NOSUCH_SYMBOL=y\nCONFIG_HZ=100\n"));
  CHECK(!strstr(s, "MODULE"));
  s = miniconfig_make(t, "HZ=100", "FSCACHE,CACHEFILES");
  CHECK(strstr(s, "# KEXTRA\nCONFIG_HZ=100\n\n# MODULES\nCONFIG_MODULES=y\n"
                  "CONFIG_MODULE_UNLOAD=y\nCONFIG_FSCACHE=m\nCONFIG_CACHEFILES=m\n"));

  CHECK(symbol_check("CONFIG_A=y\nCONFIG_B=2\n",
                     "CONFIG_A=y\nCONFIG_B=2\n", &missing) == 0);
  CHECK(!strcmp(missing, ""));
  CHECK(symbol_check("# c\nCONFIG_A=y\nCONFIG_B=2\nCONFIG_C=y\nCONFIG_D=y\n",
                     "CONFIG_A=y\nCONFIG_B=3\n# CONFIG_C is not set\n"
                     "CONFIG_DD=y\n", &missing) == 3);
  CHECK(!strcmp(missing, "B=2 (got 3)\nC\nD\n"));
  /* A symbol that is a prefix of another is not found by accident */
  CHECK(symbol_check("CONFIG_NET=y\n", "CONFIG_NET_CORE=y\n", &missing) == 1);
  return DONE();
}
