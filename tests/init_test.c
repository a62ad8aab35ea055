/* init_test: the parts of /init that can be tested without booting. */
#define INIT_NO_MAIN
#include "../src/init/init.c"
#include "check.h"

int main(void)
{
  char c[64];

  console_name("panic=1 console=ttyS0,115200 DATE=5", 0, c, sizeof(c));
  CHECK(!strcmp(c, "ttyS0"));
  console_name("console=tty0 console=ttyAMA0", "tty0 ttyAMA0\n", c, sizeof(c));
  CHECK(!strcmp(c, "ttyAMA0"));
  console_name("quiet xconsole=bad", "ttyS1 hvc0\n", c, sizeof(c));
  CHECK(!strcmp(c, "hvc0"));
  console_name(0, 0, c, sizeof(c));
  CHECK(!strcmp(c, "console"));
  console_name("console=", "\n", c, sizeof(c));
  CHECK(!strcmp(c, "console"));

  CHECK(clock_pick(5, "1764000000") == 1764000000);
  CHECK(clock_pick(1764000000, "1800000000") == 0);  /* RTC already set */
  CHECK(clock_pick(5, 0) == 0);
  CHECK(clock_pick(5, "12x") == 0);
  CHECK(clock_pick(5, "100") == 0);                  /* implausible */
  CHECK(wait_for(-1) == -1);                         /* a failed fork */

  CHECK(env_name("PATH=/opt/native/bin:/bin") == 4);
  CHECK(env_name("_X1=") == 3);
  CHECK(env_name("1X=a") == 0);                      /* not a name */
  CHECK(env_name("A B=c") == 0);
  CHECK(env_name("# PATH=x") == 0);                  /* a comment */
  CHECK(env_name("=x") == 0);
  CHECK(env_name("NAME") == 0);
  return DONE();
}
