/* cache.c: the root's steps, cached. Each root step (the skeleton, toybox,
 * /init, each module) has a key made from everything it reads and the key
 * of the step before it, so a key names a whole chain, like the layers of
 * a container image. After a step runs, build/NAME/steps/KEY/ keeps:
 *
 *   root/  the root as the step left it (a copy, so later steps writing
 *          into the root can't change it)
 *   env    the build's variables after it (ctx_vars' form), since a
 *          module may set some for the steps after it
 *   deps   the source trees and tarballs the step unpacked (setupfor), one
 *          "identity path" line each, checked again before the entry is used
 *   sum    the content manifest of root/, checked again before it is used
 *
 * An entry is written under a temporary name and renamed when complete, so
 * an interrupted step never leaves one; a damaged one (a file missing or
 * changed) fails its check and the step runs again. */
#define _GNU_SOURCE
#include "ctx.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *entry(struct ctx *c, const char *key, const char *what)
{
  return xprintf("%s/steps/%s%s%s", c->build, key, what ? "/" : "", what ? what : "");
}

/* What a source is now: a tree's manifest (sizes, times) or a file's */
char *source_id(const char *path)
{
  struct key k;
  char out[65];
  int rc;

  key_init(&k, "source");
  rc = is_dir(path) ? key_tree(&k, "dir", path, 0) : key_tool(&k, "file", path);
  key_done(&k, out);
  return rc ? 0 : xstrdup(out);
}

static char *tree_sum(const char *dir)
{
  struct key k;
  char out[65];
  int rc;

  key_init(&k, "root");
  rc = key_tree(&k, "root", dir, 1);
  key_done(&k, out);
  return rc ? 0 : xstrdup(out);
}

/* Would setupfor still pick this source (no new directory or newer
 * tarball of the same package in front of it)? */
static int still_picked(const char *path)
{
  char *copy = xstrdup(path), *slash = strrchr(copy, '/'), *name, *now;
  int same;

  if (!slash) {
    free(copy);
    return 0;
  }
  *slash = 0;
  name = is_dir(path) ? xstrdup(slash + 1) : package_name(slash + 1);
  now = source_path(copy, name);
  same = now && !strcmp(now, path);
  free(now);
  free(name);
  free(copy);
  return same;
}

/* Are the sources it read unchanged, and its root intact? */
static int deps_ok(const char *deps)
{
  const char *s;

  for (s = deps; *s; s += strcspn(s, "\n"), s += !!*s) {
    size_t n = strcspn(s, "\n"), id = strcspn(s, " ");
    char *path, *now;
    int same;

    if (!n) continue;
    if (id >= n) return 0;
    path = xstrndup(s + id + 1, n - id - 1);
    now = source_id(path);
    same = now && strlen(now) == id && !strncmp(now, s, id) && still_picked(path);
    free(now);
    free(path);
    if (!same) return 0;
  }
  return 1;
}

int cache_valid(struct ctx *c, const char *key)
{
  char *deps = read_file(entry(c, key, "deps"), 0);
  char *sum = read_file(entry(c, key, "sum"), 0), *now = 0;
  int ok = deps && sum && exists(entry(c, key, "env")) && deps_ok(deps)
           && (now = tree_sum(entry(c, key, "root"))) && !strcmp(now, sum);

  free(deps);
  free(sum);
  free(now);
  return ok;
}

/* The build's variables as the step left them, but for those in no key
 * (where compiles run: DISTCC_HOSTS): this build's, not the cached run's */
int cache_env(struct ctx *c, const char *key)
{
  char **keep = xmalloc((c->nenv + 1) * sizeof(char *));
  int i, n = 0, rc;

  for (i = 0; i < c->nenv; i++)
    if (ctx_unkeyed(c->env[i]) && strncmp(c->env[i], "MKROOT_", 7))
      keep[n++] = xstrdup(c->env[i]);
  rc = ctx_load_env(c, entry(c, key, "env"));
  for (i = 0; !rc && i < c->nenv; )
    if (ctx_unkeyed(c->env[i]) && strncmp(c->env[i], "MKROOT_", 7)) {
      char *name = xstrndup(c->env[i], strcspn(c->env[i], "="));

      ctx_set(c, name, 0);    /* moves the last entry here */
      free(name);
    } else i++;
  for (i = 0; i < n; i++) {
    char *name = xstrndup(keep[i], strcspn(keep[i], "="));

    if (!rc) ctx_set(c, name, keep[i] + strlen(name) + 1);
    free(name);
    free(keep[i]);
  }
  free(keep);
  return rc;
}

/* The root as the step left it, unless it already is */
int cache_restore(struct ctx *c, const char *key)
{
  char *want = read_file(entry(c, key, "sum"), 0), *have = 0;
  int rc = 0;

  if (!is_dir(c->root) || !want || !(have = tree_sum(c->root)) || strcmp(want, have))
    rc = rmrf(c->root) || copy_tree(entry(c, key, "root"), c->root);
  free(want);
  free(have);
  return rc;
}

/* After a step ran: keep the root, the variables and what it read */
int cache_store(struct ctx *c, const char *key, const char *deps)
{
  char *dir = entry(c, key, 0), *sum = 0, *env;
  struct newdir d = {0, 0};
  size_t len;
  int rc;

  env = ctx_vars(c, 0, &len);
  /* the sum is the copy's: what the entry holds, whatever the root does */
  rc = !real_dir(c->root) || newdir_open(&d, dir)
    || copy_tree(c->root, xprintf("%s/root", d.tmp))
    || !(sum = tree_sum(xprintf("%s/root", d.tmp)))
    || write_file(xprintf("%s/sum", d.tmp), sum, 0644)
    || write_file(xprintf("%s/deps", d.tmp), deps ? deps : "", 0644)
    || write_data(xprintf("%s/env", d.tmp), env, len, 0644);
  if (!rc) rc = newdir_commit(&d, 1);
  else newdir_abort(&d);
  free(env);
  free(sum);
  free(dir);
  return rc;
}

/* Keep only the entries of this build's chain */
void cache_prune(struct ctx *c, char **keep, int n)
{
  char *dir = xprintf("%s/steps", c->build), **names = dir_names(dir);
  size_t j;
  int i;

  for (j = 0; names && names[j]; j++) {
    int used = *names[j] == '.';

    for (i = 0; i < n && !used; i++) used = !strcmp(names[j], keep[i]);
    if (!used) {
      char *p = xprintf("%s/%s", dir, names[j]);

      rmrf(p);
      free(p);
    }
  }
  free_names(names);
  free(dir);
}

/* A step whose outputs are files (the kernel image, the initramfs) keeps a
 * stamp: its key, then "HASH PATH" for each output. The step is skipped
 * when the key is the same and every output still has its hash. */
int stamp_ok(const char *stamp, const char *key)
{
  char *text = read_file(stamp, 0), *s;
  int ok = text && !strncmp(text, key, 64) && text[64] == '\n';

  for (s = text ? text + 65 : 0; ok && *s; s += strcspn(s, "\n"), s += !!*s) {
    size_t n = strcspn(s, "\n");
    char *path, got[65];

    if (n < 66 || s[64] != ' ') {
      ok = 0;
      break;
    }
    path = xstrndup(s + 65, n - 65);
    ok = !file_hash(path, 1, got) && !strncmp(got, s, 64);
    free(path);
  }
  free(text);
  return ok;
}

int stamp_write(const char *stamp, const char *key, char *const files[])
{
  char *text = xprintf("%s\n", key), *t, got[65];
  int i, rc;

  for (i = 0; files[i]; i++) {
    if (file_hash(files[i], 1, got)) {
      perror_msg("%s", files[i]);
      free(text);
      return -1;
    }
    t = xprintf("%s%s %s\n", text, got, files[i]);
    free(text);
    text = t;
  }
  rc = write_file(stamp, text, 0644);
  free(text);
  return rc;
}
