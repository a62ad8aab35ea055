/* lib.h: the library every command and step shares. Nothing here knows
 * about a build. Its files, each using only those listed above it (no
 * circle: "make layers" checks it):
 *   util.c     memory, strings, messages
 *   hash.c     a file's SHA-1 or SHA-256
 *   proc.c     child processes, temporary files, interrupts
 *   file.c     files and directories; a file written whole (newfile)
 *   beneath.c  opening inside the root and output/, no symlink followed
 *   walk.c     the one tree walker; a directory's names; deleting a
 *              tree; a directory written whole (newdir)
 *   log.c      the build's log: stage lines, progress, a failure's tail
 *   run.c      running a program, its output into the log
 *   copy.c     copying a tree as it is
 *   extract.c  unpacking a tarball safely
 *   cpio.c     writing a cpio archive (an initramfs)
 *   key.c      a step's key
 *   sources.c  download, setupfor, cleanup */
#ifndef LIB_H
#define LIB_H

#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

/* util.c: memory, strings, messages. Messages start with the command's
 * name (progname, set once by main) and name their object: "thing: why".
 * They go to stderr and, once msg_copy names it, the build's log. */
extern const char *progname;
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_copy(int fd);
void error_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void perror_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void error_exit(const char *fmt, ...)
  __attribute__((format(printf, 1, 2), noreturn));
void perror_exit(const char *fmt, ...)
  __attribute__((format(printf, 1, 2), noreturn));
char *escape(const char *s);
int valid_name(const char *s);
int parse_uint(const char *s, unsigned long long max, unsigned long long *out);
char *shell_quote(const char *s);
int is_true(const char *s);
void fwrap(FILE *f, const char *text, int at, int width);
void random_hex(char *out, int bytes);

/* hash.c: 1 for a SHA-1 (40 hex digits), 2 for a SHA-256, else 0; a
 * file's hash in hex */
int hash_form(const char *hash);
int file_hash(const char *path, int sha256, char out[65]);

/* proc.c: children, interrupts. A child started with fork_child() gets
 * its own process group; on SIGINT, SIGTERM or SIGHUP every registered
 * group gets SIGTERM (then SIGKILL), registered temporary files are
 * removed, and we die of the same signal: nothing keeps running, nothing
 * half-written stays. */
void proc_init(void);
void child_add(pid_t pid);
void child_del(pid_t pid);
void tmpfile_add(const char *path);
void tmpfile_del(const char *path);
pid_t fork_child(void);
int wait_child(pid_t pid, int *status);

/* file.c: files and directories */
int mkdirp(const char *path, mode_t mode);
char *read_file(const char *path, size_t *len);
char *read_fd(int fd, size_t *len);
int write_file(const char *path, const char *text, mode_t mode);
int write_data(const char *path, const void *buf, size_t len, mode_t mode);
int copy_file(const char *from, const char *to, mode_t mode);
int write_file_at(int dir, const char *path, const char *text, mode_t mode);
int copy_file_at(const char *from, int dir, const char *to, mode_t mode);
int link_as(const char *to, const char *path);
int is_dir(const char *path);
int exists(const char *path);
char *self_dir(void);
int ncpus(void);
double now_secs(void);
/* A file written under a temporary name and renamed into place when
 * complete, so a reader (or a later build) never sees half of it; the
 * temporary is removed on failure and on an interrupt (proc.c). */
struct newfile { char *path, *tmp, *name, *tname; int fd, dir; };
int newfile_open(struct newfile *f, const char *path, mode_t mode);
int newfile_at(struct newfile *f, int dir, const char *path, mode_t mode);
int newfile_write(struct newfile *f, const void *buf, size_t len);
int newfile_commit(struct newfile *f);
void newfile_abort(struct newfile *f);
int copy_fd(int in, int out, off_t size);

/* beneath.c: writing into the root and output/, which are the guest's:
 * every component opened relative to the last, no symlink ever followed */
int open_beneath(int dirfd, const char *path, int flags, mode_t mode,
                 size_t *bad);
int open_below(const char *base, const char *path, int flags, mode_t mode);
int dir_below(const char *base, const char *path);
int write_file_below(const char *base, const char *path, const char *text,
                     mode_t mode);
int copy_file_below(const char *from, const char *base, const char *to,
                    mode_t mode);
int is_dir_below(const char *base, const char *path);
int real_dir(const char *path);

/* walk.c: the one tree walker. fn is called for each entry, directories
 * before their contents and again after them (post set); never through a
 * symlink. fn returns 0 to go on, WALK_SKIP to not enter a directory, -1 to
 * stop. Entries are opened relative to their directory's descriptor. */
struct walk {
  int dirfd;           /* the directory holding the entry */
  const char *name;    /* its name in that directory */
  const char *path;    /* relative to the walk's start ("" for the start) */
  struct stat st;      /* lstat of the entry */
  int mountpoint;      /* another filesystem is mounted here */
  int post, fixperm;   /* after the contents; chmod 0700 on EACCES */
  void *arg;
};
#define WALK_SKIP 1
int walk_tree(const char *start, int (*fn)(struct walk *), void *arg,
              int fixperm);
/* A directory's names (not . and ..), sorted, 0-terminated, as the walker
 * lists each directory; 0 (errno set) if it can't be read */
char **dir_names(const char *dir);
void free_names(char **names);
int rmrf(const char *path);
void remove_stale_parts(const char *dir, const char *prefix);
/* A directory written under a temporary name (PATH.partPID) and renamed
 * into place when complete; removed on failure */
struct newdir { char *path, *tmp; };
int newdir_open(struct newdir *d, const char *path);
int newdir_commit(struct newdir *d, int replace);
void newdir_abort(struct newdir *d);

/* log.c: stage lines to the terminal and the log, commands' output to the
 * log only, so a failure shows the log's last lines and its path */
int log_open(const char *path, const char *cmdlog, const char *title);
int log_fd(void);
const char *log_path(void);
void stage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_fail(const char *what);
void log_cmd(char *const argv[]);
void progress(const char *what, long secs);
int log_tty(void);
void meter_start(const char *name, const char *log, int fromstart,
                 const char *mark, long total, const char *totalfile);
void meter_stop(void);

/* run.c: a program run in its own process group, its output into the log */
char *which(const char *path_var, const char *name);
int run(char *const env[], const char *dir, char *const argv[]);
int wait_shown(pid_t pid, int *status, const char *what, time_t start);
int runl(char *const env[], const char *arg0, ...)
  __attribute__((sentinel));
char *run_line(char *const env[], char *const argv[]);
long run_count(char *const env[], const char *dir, char *const argv[],
               const char *mark);

/* copy.c: a tree copied as it is (modes, times, hard links) */
int copy_tree(const char *from, const char *to);
int copy_source(const char *from, const char *to);

/* extract.c: a tarball unpacked with nothing landing outside dest, and
 * no more than caps allow (a small tarball can unpack to fill the disk):
 * bytes of data, entries; 0 for the defaults */
struct caps { unsigned long long bytes, entries; };
#define CAPS_BYTES (4ULL << 30)
#define CAPS_ENTRIES 1000000ULL
int extract_archive(const char *tarball, const char *dest, int strip,
                    const struct caps *caps);
int gzip_size(int fd, unsigned long long max, unsigned long long *len);
int links_inside(const char *root);
int links_drop(const char *root);

/* cpio.c: a tree as a gzipped "newc" cpio archive, the same bytes for the
 * same tree and mtime (every entry's time); cpio_append adds files and
 * trees under names of their own to an archive's end */
int cpio_write(const char *root, const char *out_gz, long long mtime);
struct cpio_in { const char *path, *name; };  /* a file or tree, its name */
int cpio_append(int fd, const struct cpio_in *in, int n, long long mtime);

/* key.c: a step's key, the SHA-256 of everything it reads */
struct key { void *md; };
void key_init(struct key *k, const char *step);
void key_str(struct key *k, const char *label, const char *value);
int key_file(struct key *k, const char *label, const char *path);
int key_tool(struct key *k, const char *label, const char *path);
int key_tree(struct key *k, const char *label, const char *dir, int content);
void key_done(struct key *k, char out[65]);

/* sources.c: download HASH URL, setupfor NAME, cleanup */
struct fetchopts {
  const char *mirror;            /* "URL URL ...", tried first */
  unsigned long long maxbytes;   /* size cap */
  long timeout;                  /* seconds, whole transfer */
  int tarball;                   /* fetch even if download/NAME is a tree */
};
char *url_file(const char *url);
char *package_name(const char *file);
int archive_suffix(const char *file);
int download(const char *dl, const char *hash, const char *url,
             const struct fetchopts *o);
int setup_source(const char *src, const char *build, const char *name,
                 const struct caps *caps, char **dir);
int setupfor(const char *dl, const char *build, const char *name,
             const struct caps *caps, char **dir,
             char **from);
int cleanup(const char *build, const char *dir);
char *source_path(const char *dl, const char *name);

#endif
