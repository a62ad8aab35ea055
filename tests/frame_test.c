/* frame_test: what the guest's /init frames (frame_line) the host's ./run
 * decodes (frame_decode) to the same bytes, every length and byte value;
 * a frame broken by a kernel message is reported, not taken; lines
 * without the token are chatter. */
#define INIT_NO_MAIN
#include "../src/init/init.c"
#include "cmd.h"
#include "check.h"

int main(void)
{
  const char *tok = "@r0123456789abcdef";
  unsigned char in[FRAME_BYTES], out[FRAME_BYTES + 4];
  char line[256];
  int len, n, i, ok = 1;
  size_t l;

  for (len = 0; len <= FRAME_BYTES; len++) {
    for (i = 0; i < len; i++) in[i] = (unsigned char)(i * 37 + len * 11);
    l = frame_line(line, tok, len & 1 ? 'e' : 'o', in, len);
    ok &= line[l - 1] == '\n';
    ok &= frame_decode(line, l - 1, tok, out, &n) == (len & 1 ? 'e' : 'o');
    ok &= n == len && !memcmp(in, out, len);
  }
  CHECK(ok);
  for (i = 0; i < FRAME_BYTES; i++) in[i] = 255 - i;   /* every high byte */
  l = frame_line(line, tok, 'o', in, FRAME_BYTES);
  line[l - 1] = '\r';    /* the tty's newline: \r\n */
  CHECK(frame_decode(line, l, tok, out, &n) == 'o' && n == FRAME_BYTES
        && !memcmp(in, out, n));
  /* more than a frame holds: only FRAME_BYTES of it */
  CHECK(frame_line(line, tok, 'o', in, 100) == l);

  /* chatter before the frame on the same line still leaves it whole */
  l = frame_line(line + 5, tok, 'o', (const unsigned char *)"hi\n", 3);
  memcpy(line, "[ 1.2", 5);
  CHECK(frame_decode(line, l + 4, tok, out, &n) == 'o' && n == 3
        && !memcmp(out, "hi\n", 3));
  /* cut short, or with a kernel message inside: garbled */
  l = frame_line(line, tok, 'o', in, 30);
  CHECK(frame_decode(line, l - 5, tok, out, &n) == '?');
  memcpy(line + strlen(tok) + 6, "[  3.4] Oops", 12);
  CHECK(frame_decode(line, l - 1, tok, out, &n) == '?');
  /* the status */
  snprintf(line, sizeof(line), "%sx127\r", tok);
  CHECK(frame_decode(line, strlen(line), tok, out, &n) == 'x' && n == 127);
  snprintf(line, sizeof(line), "%sx0", tok);
  CHECK(frame_decode(line, strlen(line), tok, out, &n) == 'x' && n == 0);
  snprintf(line, sizeof(line), "%sx", tok);
  CHECK(frame_decode(line, strlen(line), tok, out, &n) == '?');
  snprintf(line, sizeof(line), "%sx256", tok);
  CHECK(frame_decode(line, strlen(line), tok, out, &n) == '?');
  /* chatter, and another run's token */
  CHECK(frame_decode("Type exit when done.", 20, tok, out, &n) == 0);
  snprintf(line, sizeof(line), "@rffffffffffffffffo03aGk=");
  CHECK(frame_decode(line, strlen(line), tok, out, &n) == 0);
  /* the kernel showing its command line and init's environment */
  snprintf(line, sizeof(line), "Kernel command line: quiet FRAME=%s\r", tok);
  CHECK(frame_decode(line, strlen(line), tok, out, &n) == 0);
  snprintf(line, sizeof(line), "Unknown parameters \"FRAME=%s\", will", tok);
  CHECK(frame_decode(line, strlen(line), tok, out, &n) == 0);

  /* the relay itself, as /init runs it: stdout and stderr apart, all of a
   * binary output, the status last; a child left running with the pipes
   * open is not waited for */
  {
    char path[] = "/tmp/frame_test.XXXXXX", *text, *ln, *next;
    int fd = mkstemp(path), kind, status = -1;
    size_t got = 0, errs = 0;
    unsigned char sum = 0;
    size_t tlen;

    close(fd);
    framed("echo out; echo err >&2; head -c 100000 /dev/zero | tr '\\0' '\\377';"
           " sleep 30 & exit 7", tok, path);
    text = read_file(path, &tlen);
    for (ln = text; ln && ln < text + tlen; ln = next + 1) {
      next = memchr(ln, '\n', text + tlen - ln);
      if (!next) break;
      kind = frame_decode(ln, next - ln, tok, out, &n);
      if (kind == 'o') {
        for (i = 0; i < n; i++) sum |= got + i < 4 ? 0 : out[i] ^ 0xff;
        if (!got) CHECK(n >= 4 && !memcmp(out, "out\n", 4));
        got += n;
      } else if (kind == 'e') {
        CHECK(n == 4 && !memcmp(out, "err\n", 4));
        errs += n;
      } else if (kind == 'x') status = n;
      else CHECK(!"a line that isn't a frame");
    }
    CHECK(got == 100004 && !sum && errs == 4);
    CHECK(status == 7);
    unlink(path);
    free(text);
  }
  return DONE();
}
