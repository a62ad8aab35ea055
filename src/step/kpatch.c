/* kpatch.c: a row's kernel patch (patches/NAME.patch, its kpatch field),
 * applied to a view of the kernel tree of its own, never to the tree: a
 * user's LINUX= tree, and download/linux, stay as they are.
 *
 * The view (build/TARGET/linux-view-KEY, KEY from the tree's path and the
 * files the patch touches) holds real directories on the way to each file
 * the patch touches, copies of those files (patched), and symlinks into
 * the tree for everything else: some hundred entries, not the tree's
 * 75,000 files. kbuild takes its source tree from the realpath of the
 * directory make runs in: the view. It is written beside its place and
 * renamed into it whole. A patched file keeps its time from the last view
 * when its bytes are the same, else gets the time now, so remaking the
 * view (every time the kernel's key changed) recompiles what includes it
 * only when it changed. (A file reached through a linked directory by
 * '#include "../x"' resolves into the tree itself: patch files found
 * through -I, as io.h is.)
 *
 * The patch is GNU patch's -p1 unified diff, of regular files that exist
 * (it adds, removes and renames none); each file's part is applied alone,
 * to that file named on patch's command line, so the one that doesn't
 * apply is the one named. Its text is part of the kernel's key
 * (kernel.c). */
#define _GNU_SOURCE
#include "step.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct kpatch {
  char *path;       /* patches/NAME.patch */
  char *text;
  char *file[32];   /* the files it touches, relative to the tree */
  char *part[32];   /* each one's part of the patch */
  int n;
};

/* The patch's file for the row, or 0 if it has none */
char *kpatch_path(struct ctx *c)
{
  return c->t && c->t->kpatch ? xprintf("%s/patches/%s.patch", c->top,
                                        c->t->kpatch) : 0;
}

static void kpatch_free(struct kpatch *p)
{
  int i;

  for (i = 0; i < p->n; i++) free(p->file[i]), free(p->part[i]);
  free(p->text);
  free(p->path);
}

/* A path the patch may touch: relative, plain names, no "." or ".." */
static int plain_path(const char *p)
{
  const char *s;

  if (!*p || *p == '/' || strlen(p) > 200) return 0;
  for (s = p; *s; s++)
    if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                "0123456789._-+/", *s)) return 0;
  for (s = p; *s; s += strcspn(s, "/"), s += !!*s)
    if (*s == '/' || !strncmp(s, "./", 2) || !strcmp(s, ".")
        || !strncmp(s, "../", 3) || !strcmp(s, "..")) return 0;
  return 1;
}

/* A file's part of the patch, from its "--- " line to its last hunk line:
 * what follows (the next file's "diff --git", "rename from" ...) is not
 * its */
static char *hunks(const char *from, const char *to)
{
  const char *s = from, *end = from;

  while (s < to) {
    const char *eol = s + strcspn(s, "\n");

    if (*s && strchr(" +-@\\\n", *s)) end = eol + (eol < to);
    s = eol + 1;
  }
  return xstrndup(from, (end > to ? to : end) - from);
}

/* Split the patch into its files' parts: each starts at a "--- " line
 * followed by "+++ b/FILE" (-p1); text before the first is its
 * description */
static int kpatch_read(struct kpatch *p)
{
  char *s, *start = 0;
  size_t len;

  if (!(p->text = read_file(p->path, &len))) {
    perror_msg("%s", p->path);
    return -1;
  }
  if (strlen(p->text) != len) {
    error_msg("%s: a NUL byte in it: not a unified diff", p->path);
    return -1;
  }
  for (s = p->text; *s; s += strcspn(s, "\n"), s += !!*s) {
    char *next = s + strcspn(s, "\n") + 1, *name, *old;

    if (strncmp(s, "--- ", 4) || next[-1] != '\n' || strncmp(next, "+++ ", 4))
      continue;
    if (start) p->part[p->n - 1] = hunks(start, s);
    if (p->n == 32) {
      error_msg("%s: more than 32 files", p->path);
      return -1;
    }
    name = xstrndup(next + 4, strcspn(next + 4, "\t\n"));
    old = xstrndup(s + 4, strcspn(s + 4, "\t\n"));
    if (strncmp(name, "b/", 2) || !plain_path(name + 2)
        || strncmp(old, "a/", 2) || strcmp(old + 2, name + 2)) {
      error_msg("%s: %s: not a -p1 change of an existing file", p->path,
                escape(name));
      free(name);
      free(old);
      return -1;
    }
    free(old);
    p->file[p->n++] = xstrdup(name + 2);
    free(name);
    start = s;
  }
  if (!p->n) {
    error_msg("%s: no file in it (a -p1 unified diff)", p->path);
    return -1;
  }
  p->part[p->n - 1] = hunks(start, start + strlen(start));
  return 0;
}

/* Does the patch touch rel, or a file below rel (a directory)? */
static int touches(const struct kpatch *p, const char *rel, int below)
{
  size_t len = strlen(rel);
  int i;

  for (i = 0; i < p->n; i++)
    if (below ? !strncmp(p->file[i], rel, len) && p->file[i][len] == '/'
              : !strcmp(p->file[i], rel)) return 1;
  return 0;
}

/* view/rel as a real directory: each entry of tree/rel a symlink, a copy
 * (a regular file the patch touches) or a directory of the same kind (one
 * the patch reaches into) */
static int view_dir(const struct kpatch *p, const char *tree, const char *view,
                    const char *rel)
{
  char *from = xprintf("%s%s%s", tree, *rel ? "/" : "", rel);
  char **names = dir_names(from);
  int rc = 0, i;

  if (!names) perror_msg("%s", from);
  for (i = 0; names && !rc && names[i]; i++) {
    char *r = xprintf("%s%s%s", rel, *rel ? "/" : "", names[i]);
    char *src = xprintf("%s/%s", tree, r), *dst = xprintf("%s/%s", view, r);
    struct stat st;

    if (touches(p, r, 1))
      rc = mkdir(dst, 0755) ? perror_msg("%s", dst), -1 : view_dir(p, tree, view, r);
    else if (!touches(p, r, 0)) rc = symlink(src, dst) ? perror_msg("%s", dst), -1 : 0;
    else if (lstat(src, &st) || !S_ISREG(st.st_mode)) {
      error_msg("%s: %s: not a regular file in the kernel tree", p->path,
                escape(src));
      rc = -1;
    } else rc = copy_file(src, dst, 0644);
    free(r);
    free(src);
    free(dst);
  }
  free_names(names);
  free(from);
  return names ? rc : -1;
}

/* A patched file's time: the last view's when its copy had the same bytes
 * (kbuild then recompiles nothing for it), else now */
static int keep_time(const char *last, const char *now)
{
  size_t la, lb;
  char *a = read_file(last, &la), *b = read_file(now, &lb);
  struct stat st;
  int same = a && b && la == lb && !memcmp(a, b, la) && !stat(last, &st);

  free(a);
  free(b);
  if (same && utimensat(AT_FDCWD, now, (struct timespec[]){st.st_mtim,
                                                           st.st_mtim}, 0)) {
    perror_msg("%s", now);
    return -1;
  }
  return 0;
}

/* Each file's part through GNU patch, alone, on that file: no fuzz, no
 * rejects kept. dir: the new view; view: where the last one is. */
static int apply(struct ctx *c, const struct kpatch *p, const char *tree,
                 const char *dir, const char *view, const char *gnupatch)
{
  char *part = xprintf("%s.patch", dir);
  int i, rc = 0;

  tmpfile_add(part);
  for (i = 0; i < p->n && !rc; i++) {
    char *f = xprintf("%s/%s", tree, p->file[i]);
    char *last = xprintf("%s/%s", view, p->file[i]);
    char *now = xprintf("%s/%s", dir, p->file[i]);
    struct stat st;

    if (lstat(now, &st) || !S_ISREG(st.st_mode)) {
      error_msg("%s: %s: no such file in the kernel tree", p->path, escape(f));
      rc = -1;
    } else if (write_file(part, p->part[i], 0644)
        || ctx_run(c, dir, (char *const[]){(char *)gnupatch, "--batch",
                   "--forward", "--fuzz=0", "--reject-file=-",
                   "--no-backup-if-mismatch", "-i", part, p->file[i], 0})) {
      error_msg("%s: does not apply to %s", p->path, escape(f));
      rc = -1;
    } else rc = keep_time(last, now);
    free(f);
    free(last);
    free(now);
  }
  unlink(part);
  tmpfile_del(part);
  free(part);
  return rc;
}

/* Where the row's build reads the kernel tree from: the view for a row
 * with a patch (made by kpatch_view), else tree itself; 0 if the patch
 * can't be read (said) */
char *kpatch_tree(struct ctx *c, const char *tree)
{
  struct kpatch p = {.path = kpatch_path(c)};
  char key[65], *view = 0;
  struct key k;
  int i;

  if (!p.path) return xstrdup(tree);
  if (!kpatch_read(&p)) {
    key_init(&k, "kernel view");
    key_str(&k, "tree", tree);
    for (i = 0; i < p.n; i++) key_str(&k, "file", p.file[i]);
    key_done(&k, key);
    view = xprintf("%s/linux-view-%.12s", c->build, key);
  }
  kpatch_free(&p);
  return view;
}

/* Make the view of tree with the row's patch applied at view, anew; 0 on
 * success (and for a row without a patch), else the last view is left as
 * it was and one line said why */
int kpatch_view(struct ctx *c, const char *tree, const char *view)
{
  struct kpatch p = {.path = kpatch_path(c)};
  struct newdir d = {0};
  char *gnupatch = 0;
  int rc;

  if (!p.path) return 0;
  stage("kernel patch %s", c->t->kpatch);
  rc = kpatch_read(&p);
  if (!rc && !(gnupatch = which(HOST_PATH, "patch"))) {
    error_msg("%s: GNU patch isn't installed here (make deps)", p.path);
    rc = -1;
  }
  if (!rc) rc = newdir_open(&d, view) || view_dir(&p, tree, d.tmp, "")
                || apply(c, &p, tree, d.tmp, view, gnupatch)
                || newdir_commit(&d, 1);
  if (rc) newdir_abort(&d);
  kpatch_free(&p);
  free(gnupatch);
  return rc ? -1 : 0;
}
