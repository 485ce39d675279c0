#define _GNU_SOURCE
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "../common/cleanup.h"
#include "inroot.h"
#include "rootfs.h"

/*
 * The container's /dev/null (dev.c made it), for binding over masked files.
 * Not the host's: a bind source must be a mount of this namespace, and the
 * host's mounts left it with the old root.
 */
static int open_null(int root_fd, struct berth_error *err) {
  struct stat st;
  cleanup_close int fd = inroot_open(root_fd, "/dev/null", RESOLVE_NO_SYMLINKS);
  if (fd < 0) return berth_fail(err, errno, "masking a file needs /dev/null");
  if (fstat(fd, &st) < 0) return berth_fail(err, errno, "stat /dev/null");
  if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
    return berth_fail(err, 0, "masking a file needs /dev/null: it is not 1:3");
  int null_fd = fd;
  fd = -1;
  return null_fd;
}

int paths_mask(int root_fd, const struct spec *spec, struct berth_error *err) {
  cleanup_close int null_fd = -1;
  for (size_t i = 0; i < spec->n_masked; i++) {
    const char *path = spec->masked[i];
    struct stat st;
    cleanup_close int fd = inroot_open(root_fd, path, 0);
    if (fd < 0 && errno == ENOENT) continue;
    if (fd < 0) return berth_fail(err, errno, "open %s", path);
    if (fstat(fd, &st) < 0) return berth_fail(err, errno, "stat %s", path);
    if (S_ISDIR(st.st_mode)) {
      if (mount("tmpfs", fd_path(fd).path, "tmpfs", MS_RDONLY, "size=0") < 0)
        return berth_fail(err, errno, "mask %s", path);
      continue;
    }
    if (null_fd < 0 && (null_fd = open_null(root_fd, err)) < 0) return -1;
    if (mount(fd_path(null_fd).path, fd_path(fd).path, NULL, MS_BIND, NULL) < 0)
      return berth_fail(err, errno, "mask %s", path);
  }
  return 0;
}

int paths_make_readonly(int root_fd, const struct spec *spec, struct berth_error *err) {
  for (size_t i = 0; i < spec->n_readonly; i++) {
    const char *path = spec->readonly[i];
    cleanup_close int fd = inroot_open(root_fd, path, 0);
    if (fd < 0 && errno == ENOENT) continue;
    if (fd < 0) return berth_fail(err, errno, "open %s", path);
    if (mount(fd_path(fd).path, fd_path(fd).path, NULL, MS_BIND | MS_REC, NULL) < 0)
      return berth_fail(err, errno, "bind %s onto itself", path);
    if (remount_bind(root_fd, path, MS_RDONLY, err) < 0) return -1;
  }
  return 0;
}

int paths_readonly_rootfs(int root_fd, const struct spec *spec, struct berth_error *err) {
  return spec->readonly_rootfs ? remount_bind(root_fd, "/", MS_RDONLY, err) : 0;
}
