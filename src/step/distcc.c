/* distcc.c: DISTCC_HOSTS, in distcc's own syntax, sends the build's C
 * compiles to compile servers. distcc preprocesses and links here and
 * compiles there, with the compiler named the same way on every machine
 * (Debian's cross compilers install to the same path).
 *
 * Before the build each server is tried once, with a real compile by the
 * target's compiler: one that doesn't answer, refuses us or lacks the
 * compiler is left out, saying which and why, so a farm with a machine
 * down doesn't cost a timeout and a warning per file; with none left, the
 * build compiles here. make's -j is the servers' slots plus this
 * machine's cores. */
#define _GNU_SOURCE
#include "step.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DISTCC_PORT "3632"
#define TRY_MS 3000

/* 1 if host:port accepts a TCP connection within TRY_MS */
static int answers(const char *host, const char *port)
{
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *a;
  int ok = 0;

  if (getaddrinfo(host, port, &hints, &res)) return 0;
  for (a = res; a && !ok; a = a->ai_next) {
    int s = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct pollfd p = {s, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof(err);

    if (s < 0) continue;
    if (!connect(s, a->ai_addr, a->ai_addrlen)) ok = 1;
    else if (errno == EINPROGRESS && poll(&p, 1, TRY_MS) == 1
             && !getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) && !err) ok = 1;
    close(s);
  }
  freeaddrinfo(res);
  return ok;
}

/* A compile of a small file by the kernel's compiler on server word
 * alone, never falling back to this machine: 0 if it worked. distcc's
 * state (which hosts failed lately) is a fresh one of its own. */
static int compiles(struct ctx *c, const char *word)
{
  static const char *const vars[] = {"DISTCC_HOSTS", "DISTCC_FALLBACK",
    "DISTCC_DIR", "DISTCC_IO_TIMEOUT", 0};
  char *dir = xprintf("%s/distcc-check", c->build), *cc = xprintf("%sgcc", c->kprefix);
  const char *vals[] = {word, "0", dir, "20"};
  char *keep = ctx_get(c, "DISTCC_HOSTS") ? xstrdup(ctx_get(c, "DISTCC_HOSTS")) : 0;
  int rc, i;

  rc = rmrf(dir) || mkdirp(dir, 0755)
       || write_file(xprintf("%s/t.c", dir), "int mkroot_distcc_check;\n", 0644);
  for (i = 0; vars[i]; i++) ctx_set(c, vars[i], vals[i]);
  rc = rc || ctx_run(c, dir, (char *const[]){c->distcc, cc, "-c", "t.c", "-o",
                                             "t.o", 0});
  for (i = 0; vars[i]; i++) ctx_set(c, vars[i], 0);
  ctx_set(c, "DISTCC_HOSTS", keep);
  rmrf(dir);
  free(dir);
  free(cc);
  free(keep);
  return rc;
}

/* One host word: HOST[:PORT][/LIMIT][,OPTIONS]. Its slots (distcc's
 * default limit: 4, 2 for localhost), or 0 (and says why) if it can't
 * take our compiles. @ssh hosts and [IPv6] ones are tried by the compile
 * alone. */
static int host_slots(struct ctx *c, const char *word)
{
  char *w = xstrndup(word, strcspn(word, ",")), *lim = strchr(w, '/'), *port;
  int slots, tcp = !strchr(w, '@') && *w != '[';

  if (lim) *lim++ = 0;
  slots = lim && atoi(lim) > 0 ? atoi(lim) : strcmp(w, "localhost") ? 4 : 2;
  if ((port = strchr(w, ':'))) *port++ = 0;
  if (!strcmp(w, "localhost")) {}
  else if (tcp && !answers(w, port && *port ? port : DISTCC_PORT)) {
    say("distcc: %s: no answer: left out", word);
    slots = 0;
  } else if (compiles(c, word)) {
    say("distcc: %s: can't compile with %sgcc (it lacks that compiler, or "
        "refuses this machine; see the log): left out", word, c->kprefix);
    slots = 0;
  }
  free(w);
  return slots;
}

/* Check DISTCC_HOSTS; set c->jobs. 0, or -1 if distcc is missing */
int distcc_setup(struct ctx *c)
{
  const char *hosts = ctx_get(c, "DISTCC_HOSTS");
  char *copy, *w, *save = 0, *kept = xstrdup(""), *o;
  int slots = 0, servers = 0;

  c->jobs = ncpus();
  if (!hosts || !*hosts) return 0;
  if (!(c->distcc = which(HOST_PATH, "distcc"))) {
    error_msg("DISTCC_HOSTS is set, but there is no distcc here (make deps)");
    return -1;
  }
  copy = xstrdup(hosts);
  for (w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(0, " \t\n", &save)) {
    int opt = *w == '-' || *w == '+', n = opt ? 0 : host_slots(c, w);

    if (n || opt) {
      o = xprintf("%s%s%s", kept, *kept ? " " : "", w);
      free(kept);
      kept = o;
    }
    slots += n;
    servers += !!n;
  }
  if (!servers) {
    say("distcc: no server can take the compiles: compiling here");
    free(c->distcc);
    c->distcc = 0;
  }
  ctx_set(c, "DISTCC_HOSTS", servers ? kept : 0);
  if (servers) {
    c->jobs += slots;
    say("distcc: compiling on %s (make -j%d)", kept, c->jobs);
  }
  free(copy);
  free(kept);
  return 0;
}
