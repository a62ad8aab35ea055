/* hash.c: a file's SHA-1 or SHA-256 in hex (a download's check, a step
 * key's entry), and which of the two a hash string is. */
#define _GNU_SOURCE
#include "lib.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* 1 for SHA-1 (40 hex digits), 2 for SHA-256 (64), 0 for anything else */
int hash_form(const char *hash)
{
  size_t len = strspn(hash, "0123456789abcdefABCDEF");

  if (hash[len]) return 0;
  return len == 40 ? 1 : len == 64 ? 2 : 0;
}

int file_hash(const char *path, int sha256, char out[65])
{
  unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
  unsigned int mdlen, i;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  EVP_MD_CTX *ctx;
  ssize_t r;

  *out = 0;
  if (fd < 0) return -1;
  ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, sha256 ? EVP_sha256() : EVP_sha1(), 0);
  while ((r = read(fd, buf, sizeof(buf))) > 0) EVP_DigestUpdate(ctx, buf, r);
  close(fd);
  EVP_DigestFinal_ex(ctx, md, &mdlen);
  EVP_MD_CTX_free(ctx);
  if (r < 0) return -1;
  for (i = 0; i < mdlen; i++) sprintf(out + 2 * i, "%02x", md[i]);
  return 0;
}
