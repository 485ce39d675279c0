#define _GNU_SOURCE
#include "inroot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/syscalls.h"

/* Symlinks followed while creating one path before giving up, as the kernel's own limit. */
#define MAX_HOPS 40

struct fd_path fd_path(int fd) {
  struct fd_path p;
  snprintf(p.path, sizeof p.path, "/proc/self/fd/%d", fd);
  return p;
}

int inroot_open(int root_fd, const char *path, unsigned long long resolve) {
  struct open_how how = {
      .flags = O_PATH | O_CLOEXEC,
      .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | resolve,
  };
  /* EAGAIN: a rename elsewhere raced the lookup; retried, but a sharer of a volume renaming in a loop must not hang us */
  int fd, tries = 0;
  do fd = sys_openat2(root_fd, path, &how);
  while (fd < 0 && errno == EAGAIN && ++tries < 64);
  return fd;
}

static int make_leaf(int parent, const char *name, enum inroot_leaf leaf) {
  if (leaf == INROOT_DIR) return mkdirat(parent, name, 0755);
  int fd = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  close(fd);
  return 0;
}

/*
 * `name` in `parent` exists but did not resolve: a dangling symlink. Rewrites
 * `todo` to continue from its target: the link, then what was left of the
 * path. (The kernel would do the same for an existing target.)
 */
static int follow_dangling(int parent, const char *name, const char *done, const char *rest, char todo[PATH_MAX]) {
  char link[PATH_MAX];
  ssize_t n = readlinkat(parent, name, link, sizeof link - 1);
  if (n < 0) return -1; /* EINVAL: not a symlink after all, something raced us */
  link[n] = '\0';
  int len = link[0] == '/' ? snprintf(todo, PATH_MAX, "%s/%s", link, rest)
                           : snprintf(todo, PATH_MAX, "%s/%s/%s", done, link, rest);
  if (len < 0 || len >= PATH_MAX) {
    errno = ENAMETOOLONG;
    return -1;
  }
  return 0;
}

int inroot_create(int root_fd, const char *path, enum inroot_leaf leaf, unsigned long long resolve,
                  struct berth_error *err) {
  char todo[PATH_MAX];
  if (snprintf(todo, sizeof todo, "%s", path) >= (int)sizeof todo)
    return berth_fail(err, ENAMETOOLONG, "resolve %s in the rootfs", path);

  for (int hops = 0; hops <= MAX_HOPS; hops++) {
    char done[PATH_MAX] = ""; /* the components resolved so far, joined */
    cleanup_close int parent = inroot_open(root_fd, "/", resolve);
    if (parent < 0) return berth_fail(err, errno, "open the rootfs");
    char *rest = todo;
    bool restart = false;

    while (!restart) {
      while (*rest == '/') rest++;
      if (!*rest) break; /* all resolved: parent is the answer */
      char *name = rest;
      char *slash = strchr(name, '/');
      if (slash) *slash = '\0';
      rest = slash ? slash + 1 : name + strlen(name);
      bool last = !rest[strspn(rest, "/")]; /* nothing but slashes left */

      size_t done_len = strlen(done);
      if (snprintf(done + done_len, sizeof done - done_len, "/%s", name) >= (int)(sizeof done - done_len))
        return berth_fail(err, ENAMETOOLONG, "resolve %s in the rootfs", path);

      int fd = inroot_open(root_fd, done, resolve);
      if (fd < 0 && errno == ENOENT) {
        if (make_leaf(parent, name, last ? leaf : INROOT_DIR) == 0) {
          fd = inroot_open(root_fd, done, resolve);
        } else if (errno == EEXIST) {
          done[done_len] = '\0';
          char next[PATH_MAX];
          if (follow_dangling(parent, name, done, rest, next) < 0)
            return berth_fail(err, errno, "resolve %s in the rootfs", path);
          memcpy(todo, next, sizeof todo);
          restart = true;
          continue;
        } else {
          return berth_fail(err, errno, "create %s in the rootfs", done);
        }
      }
      if (fd < 0) return berth_fail(err, errno, "open %s in the rootfs", done);
      close_and_reset(&parent);
      parent = fd;
    }
    if (!restart) {
      int fd = parent;
      parent = -1;
      return fd;
    }
  }
  return berth_fail(err, ELOOP, "resolve %s in the rootfs", path);
}
