/* kpatch.c: a row's kernel patch (patches/NAME.patch, its kpatch field),
 * applied to a view of the kernel tree of its own, never to the tree: a
 * user's LINUX= tree, and download/linux, stay as they are.
 *
 * The view (build/TARGET/linux-view-KEY, KEY from the tree's path) holds
 * real directories on the way to each file the patch touches, copies of
 * those files (patched), and symlinks into the tree for everything else:
 * some hundred entries, not the tree's 75,000 files. kbuild takes its
 * source tree from the realpath of the top Makefile, so that is a copy
 * too. The patched files keep the newer of their own and the patch's
 * times, so remaking the view (every time the kernel's key changed)
 * doesn't make kbuild recompile what includes them.
 *
 * The patch is GNU patch's -p1 unified diff, of files that exist (it adds
 * and removes none); each file's part is applied alone, so the one that
 * doesn't apply is the one named. The patch's text is part of the
 * kernel's key (kernel.c). */
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

/* Split the patch into its files' parts: each starts at a "--- " line
 * followed by "+++ b/FILE" (-p1); text before the first is its
 * description */
static int kpatch_read(struct kpatch *p)
{
  char *s, *start = 0;

  if (!(p->text = read_file(p->path, 0))) {
    perror_msg("%s", p->path);
    return -1;
  }
  for (s = p->text; *s; s += strcspn(s, "\n"), s += !!*s) {
    char *next = s + strcspn(s, "\n") + 1, *name;
    size_t len;

    if (strncmp(s, "--- ", 4) || next[-1] != '\n' || strncmp(next, "+++ ", 4))
      continue;
    if (start) p->part[p->n - 1] = xstrndup(start, s - start);
    if (p->n == 32) {
      error_msg("%s: more than 32 files", p->path);
      return -1;
    }
    name = next + 4;
    len = strcspn(name, "\t\n");
    name = xstrndup(name, len);
    if (!strncmp(s + 4, "/dev/null", 9) || strncmp(name, "b/", 2)
        || !plain_path(name + 2)) {
      error_msg("%s: %s: not a -p1 change of an existing file", p->path,
                escape(name));
      free(name);
      return -1;
    }
    p->file[p->n++] = xstrdup(name + 2);
    free(name);
    start = s;
  }
  if (!p->n) {
    error_msg("%s: no file in it (a -p1 unified diff)", p->path);
    return -1;
  }
  p->part[p->n - 1] = xstrdup(start);
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
 * (a file the patch touches; the top Makefile) or a directory of the same
 * kind (one the patch reaches into) */
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

    if (touches(p, r, 1))
      rc = mkdir(dst, 0755) ? perror_msg("%s", dst), -1 : view_dir(p, tree, view, r);
    else if (touches(p, r, 0) || !strcmp(r, "Makefile"))
      rc = copy_file(src, dst, 0644);
    else if (symlink(src, dst)) rc = -1, perror_msg("%s", dst);
    free(r);
    free(src);
    free(dst);
  }
  free_names(names);
  free(from);
  return names ? rc : -1;
}

/* The patched file's times: the newer of its own and the patch's */
static int keep_time(const char *tree, const char *view, const char *rel,
                     const char *patch)
{
  char *src = xprintf("%s/%s", tree, rel), *dst = xprintf("%s/%s", view, rel);
  struct stat a, b;
  int rc = stat(src, &a) || stat(patch, &b);

  if (!rc) {
    struct timespec t = a.st_mtim.tv_sec > b.st_mtim.tv_sec ? a.st_mtim
                                                            : b.st_mtim;

    rc = utimensat(AT_FDCWD, dst, (struct timespec[]){t, t}, 0);
  }
  if (rc) perror_msg("%s", dst);
  free(src);
  free(dst);
  return rc ? -1 : 0;
}

/* Each file's part through GNU patch, alone: no fuzz, no rejects kept */
static int apply(struct ctx *c, const struct kpatch *p, const char *tree,
                 const char *view, const char *gnupatch)
{
  char *part = xprintf("%s/.kpatch-part", view);
  int i, rc = 0;

  for (i = 0; i < p->n && !rc; i++) {
    char *f = xprintf("%s/%s", tree, p->file[i]);
    struct stat st;

    if (lstat(f, &st) || !S_ISREG(st.st_mode)) {
      error_msg("%s: %s: no such file in the kernel tree", p->path, escape(f));
      rc = -1;
    } else if (write_file(part, p->part[i], 0644)
               || ctx_run(c, 0, (char *const[]){(char *)gnupatch, "-p1",
                  "--batch", "--forward", "--fuzz=0", "--reject-file=-",
                  "--no-backup-if-mismatch", "-d", (char *)view, "-i", part,
                  0})) {
      error_msg("%s: does not apply to %s", p->path, escape(f));
      rc = -1;
    } else rc = keep_time(tree, view, p->file[i], p->path);
    free(f);
  }
  unlink(part);
  free(part);
  return rc;
}

/* Where the row's build reads the kernel tree from: the view for a row
 * with a patch (not made yet: kpatch_view makes it), else tree itself */
char *kpatch_tree(struct ctx *c, const char *tree)
{
  char key[65];
  struct key k;

  if (!c->t || !c->t->kpatch) return xstrdup(tree);
  key_init(&k, "kernel view");
  key_str(&k, "tree", tree);
  key_done(&k, key);
  return xprintf("%s/linux-view-%.12s", c->build, key);
}

/* Make the view of tree with the row's patch applied, anew; 0 on success
 * (and for a row without a patch), else the view is gone and one line
 * said why */
int kpatch_view(struct ctx *c, const char *tree, const char *view)
{
  struct kpatch p = {.path = kpatch_path(c)};
  char *gnupatch = 0;
  int rc, i;

  if (!p.path) return 0;
  stage("kernel patch %s", c->t->kpatch);
  rc = kpatch_read(&p);
  if (!rc && !(gnupatch = which(HOST_PATH, "patch"))) {
    error_msg("%s: GNU patch isn't installed here (make deps)", p.path);
    rc = -1;
  }
  if (!rc) rc = rmrf(view) || mkdirp(view, 0755) || view_dir(&p, tree, view, "")
                || apply(c, &p, tree, view, gnupatch);
  if (rc) rmrf(view);
  for (i = 0; i < p.n; i++) free(p.file[i]), free(p.part[i]);
  free(p.text);
  free(p.path);
  free(gnupatch);
  return rc ? -1 : 0;
}
