/*
 * Paths inside the container's rootfs, resolved by the kernel as if the
 * rootfs were "/" (openat2 RESOLVE_IN_ROOT): an image's symlink or ".." can
 * never lead a mount, a device node or a directory we create out of the
 * rootfs (CVE-2021-30465 class). Mounts then go through the O_PATH fd
 * ("/proc/self/fd/N"), so nothing can swap the path between resolving and
 * mounting.
 */
#ifndef BERTH_INROOT_H
#define BERTH_INROOT_H

#include <linux/openat2.h>

#include "../common/error.h"

/* What inroot_create makes when the last component is missing. */
enum inroot_leaf {
  INROOT_DIR,
  INROOT_FILE,
};

/*
 * Opens `path` (a container path) inside the rootfs `root_fd` as an O_PATH
 * fd. `resolve` adds RESOLVE_* flags (RESOLVE_NO_SYMLINKS where only a real
 * directory will do). Returns -1 with errno set (no berth_error: a missing
 * path is a normal answer for masked paths).
 */
int inroot_open(int root_fd, const char *path, unsigned long long resolve);

/*
 * Like inroot_open, creating whatever is missing: directories (0755) on the
 * way, and the last component as a directory or an empty file (0644). A
 * dangling symlink on the way is followed inside the rootfs and its target
 * created, as runc's SecureJoin + MkdirAll do.
 */
int inroot_create(int root_fd, const char *path, enum inroot_leaf leaf, unsigned long long resolve,
                  struct berth_error *err);

/* "/proc/self/fd/<fd>": the path mount(2) and friends take to act on an O_PATH fd. */
struct fd_path {
  char path[32];
};
struct fd_path fd_path(int fd);

#endif
