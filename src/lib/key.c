/* key.c: a step's key, the SHA-256 of everything the step reads: labelled
 * strings, file contents, a tool's identity, a tree's manifest. Two runs
 * with the same inputs give the same key; any change gives another. */
#define _GNU_SOURCE
#include "lib.h"

#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void key_init(struct key *k, const char *step)
{
  k->md = EVP_MD_CTX_new();
  EVP_DigestInit_ex(k->md, EVP_sha256(), 0);
  key_str(k, "step", step);
}

/* "label=value\0": labels keep "a"+"bc" and "ab"+"c" apart */
void key_str(struct key *k, const char *label, const char *value)
{
  if (!value) value = "(unset)";
  EVP_DigestUpdate(k->md, label, strlen(label));
  EVP_DigestUpdate(k->md, "=", 1);
  EVP_DigestUpdate(k->md, value, strlen(value) + 1);
}

int key_file(struct key *k, const char *label, const char *path)
{
  char hash[65];

  if (file_hash(path, 1, hash)) {
    perror_msg("%s", path);
    return -1;
  }
  key_str(k, label, hash);
  return 0;
}

/* A program: where it really is and its contents; for a compiler driver
 * that names the compiler without running it. Contents, not time: mkroot
 * rewrites its cc wrappers when another LIBC= build passes through, and an
 * unchanged wrapper must not restart a five-minute kernel build. */
int key_tool(struct key *k, const char *label, const char *path)
{
  char real[PATH_MAX], hash[65], *s;

  if (!realpath(path, real) || file_hash(real, 1, hash)) {
    perror_msg("%s", path);
    return -1;
  }
  s = xprintf("%s %s", real, hash);
  key_str(k, label, s);
  free(s);
  return 0;
}

/* content: hard-linked files seen so far (dev, ino, first name) */
struct seen { dev_t dev; ino_t ino; char *rel; };
struct manifest {
  struct key *k;
  size_t skip;
  int content;
  struct seen *s;
  size_t n, cap;
};

/* In a root, the second name of a hard-linked file is "= FIRST": the
 * initramfs keeps hard links, so the manifest must too */
static char *hardlink(struct manifest *m, struct walk *w, const char *rel)
{
  size_t i;

  if (!S_ISREG(w->st.st_mode) || w->st.st_nlink < 2) return 0;
  for (i = 0; i < m->n; i++)
    if (m->s[i].dev == w->st.st_dev && m->s[i].ino == w->st.st_ino)
      return m->s[i].rel;
  if (m->n == m->cap) m->s = xrealloc(m->s, (m->cap = m->cap * 2 + 16) * sizeof(*m->s));
  m->s[m->n++] = (struct seen){w->st.st_dev, w->st.st_ino, xstrdup(rel)};
  return 0;
}

static int manifest_entry(struct walk *w)
{
  struct manifest *m = w->arg;
  const char *rel = w->path + m->skip;
  char *line, hash[65] = "", *name;

  if (w->post) return 0;
  /* .git holds what a checkout did, not what a build reads */
  if (S_ISDIR(w->st.st_mode) && !strcmp(w->name, ".git") && *rel) return WALK_SKIP;
  /* names and link targets with their lengths: a file named "p l q" and
   * a symlink p -> q can't give the same line */
  name = xprintf("%zu:%s", strlen(rel), rel);
  if (S_ISLNK(w->st.st_mode)) {
    char buf[4096];
    ssize_t n = readlinkat(w->dirfd, w->name, buf, sizeof(buf) - 1);

    if (n < 0) {
      free(name);
      return -1;
    }
    buf[n] = 0;
    line = xprintf("%s l %zu:%s", name, (size_t)n, buf);
  } else if (S_ISREG(w->st.st_mode)) {
    char *first = m->content ? hardlink(m, w, rel) : 0;

    if (m->content && !first && file_hash(w->path, 1, hash)) {
      perror_msg("%s", w->path);
      free(name);
      return -1;
    }
    line = first ? xprintf("%s = %zu:%s", name, strlen(first), first)
      : m->content
      ? xprintf("%s f %o %s", name, (unsigned)(w->st.st_mode & 07777), hash)
      : xprintf("%s f %o %lld %lld.%09ld", name,
                (unsigned)(w->st.st_mode & 07777), (long long)w->st.st_size,
                (long long)w->st.st_mtim.tv_sec, w->st.st_mtim.tv_nsec);
  } else line = xprintf("%s %o %llx", name, (unsigned)w->st.st_mode,
                        (unsigned long long)w->st.st_rdev);
  /* a root's owners matter (a chroot, a copy restored from the cache) */
  if (m->content) {
    char *o = xprintf("%s %u:%u", line, (unsigned)w->st.st_uid,
                      (unsigned)w->st.st_gid);

    free(line);
    line = o;
  }
  EVP_DigestUpdate(m->k->md, line, strlen(line) + 1);
  free(line);
  free(name);
  return 0;
}

/* A tree: every path, type, mode and either its size and time (a source
 * tree: quick) or its contents (a root: small, and copies keep no times) */
int key_tree(struct key *k, const char *label, const char *dir, int content)
{
  char *real;
  struct manifest m = {k, 0, content, 0, 0, 0};
  int rc;

  /* the tree's contents, not where it is: a copy has the same manifest;
   * a source tree may be a symlink (LINUX=, download/linux), a root is
   * never read through one */
  key_str(k, "tree", label);
  if (content && !real_dir(dir)) return -1;
  real = realpath(dir, 0);
  if (!real) {
    perror_msg("%s", dir);
    return -1;
  }
  m.skip = strlen(real);
  rc = walk_tree(real, manifest_entry, &m, 0);
  while (m.n) free(m.s[--m.n].rel);
  free(m.s);
  free(real);
  return rc;
}

void key_done(struct key *k, char out[65])
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len, i;

  EVP_DigestFinal_ex(k->md, md, &len);
  EVP_MD_CTX_free(k->md);
  k->md = 0;
  for (i = 0; i < len && i < 32; i++) sprintf(out + 2 * i, "%02x", md[i]);
  out[64] = 0;
}
