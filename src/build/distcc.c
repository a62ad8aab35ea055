/* distcc.c: DISTCC_HOSTS, in distcc's own syntax, sends the build's C
 * compiles to compile servers. distcc preprocesses and links here and
 * compiles there, with the compiler named the same way on every machine
 * (Debian's cross compilers install to the same path).
 *
 * Before the build each server is tried once: one that doesn't answer is
 * left out, saying so once, so a farm with a machine down doesn't cost a
 * timeout per file; with none left, the build compiles here. make's -j is
 * the servers' slots plus this machine's cores. */
#define _GNU_SOURCE
#include "mkroot.h"

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

/* One host word: HOST[:PORT][/LIMIT][,OPTIONS]. Its slots (distcc's
 * default limit: 4, 2 for localhost), or 0 if it doesn't answer. Words
 * that are not TCP servers (@ssh hosts, [IPv6]) are kept unchecked. */
static int host_slots(const char *word)
{
  char *w = xstrndup(word, strcspn(word, ",")), *lim = strchr(w, '/'), *port;
  int slots, tcp = !strchr(w, '@') && *w != '[';

  if (lim) *lim++ = 0;
  slots = lim && atoi(lim) > 0 ? atoi(lim) : strcmp(w, "localhost") ? 4 : 2;
  if ((port = strchr(w, ':'))) *port++ = 0;
  if (tcp && strcmp(w, "localhost")
      && !answers(w, port && *port ? port : DISTCC_PORT)) slots = 0;
  free(w);
  return slots;
}

/* Check DISTCC_HOSTS; set c->jobs. 0, or -1 if distcc is missing */
int distcc_setup(struct ctx *c)
{
  const char *hosts = ctx_get(c, "DISTCC_HOSTS");
  char *copy, *w, *save = 0, *kept = xstrdup(""), *dead = xstrdup(""), *o;
  int slots = 0, servers = 0;

  c->jobs = ncpus();
  if (!hosts || !*hosts) return 0;
  if (!(c->distcc = which(HOST_PATH, "distcc"))) {
    error_msg("DISTCC_HOSTS is set, but there is no distcc here (make deps)");
    return -1;
  }
  copy = xstrdup(hosts);
  for (w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(0, " \t\n", &save)) {
    int opt = *w == '-' || *w == '+', n = opt ? 0 : host_slots(w);
    char **to = n || opt ? &kept : &dead;

    o = xprintf("%s%s%s", *to, **to ? " " : "", w);
    free(*to);
    *to = o;
    slots += n;
    servers += !!n;
  }
  if (*dead && servers)
    say("distcc: %s: no answer, left out (compiling on %s)", dead, kept);
  else if (!servers) {
    say("distcc: %s: no server answers: compiling here", hosts);
    free(c->distcc);
    c->distcc = 0;
  }
  ctx_set(c, "DISTCC_HOSTS", servers ? kept : 0);
  if (servers) c->jobs += slots;
  free(copy);
  free(kept);
  free(dead);
  return 0;
}
