#define _GNU_SOURCE
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/syscalls.h"

/* Flags a bind mount only takes through a remount. */
#define BIND_REMOUNT_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_RELATIME | MS_STRICTATIME)

/* Kernel file systems are only mounted on real directories, never through a symlink of the image. */
#define KERNEL_FS RESOLVE_NO_SYMLINKS

int rootfs_make_private(struct berth_error *err) {
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) return berth_fail(err, errno, "make / rprivate");
  return 0;
}

int rootfs_bind(const char *rootfs, struct berth_error *err) {
  if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return berth_fail(err, errno, "bind %s onto itself", rootfs);
  int fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC); /* opened after the bind: the fd names the new mount */
  if (fd < 0) return berth_fail(err, errno, "open %s", rootfs);
  return fd;
}

int remount_bind(int root_fd, const char *target, unsigned long flags, struct berth_error *err) {
  struct statvfs st;
  /* Reopened: an fd taken before the bind would name the mount underneath. */
  cleanup_close int fd = inroot_open(root_fd, target, 0);
  if (fd < 0) return berth_fail(err, errno, "open %s in the rootfs", target);
  if (fstatvfs(fd, &st) < 0) return berth_fail(err, errno, "statvfs %s", target);
  unsigned long keep = (st.f_flag & ST_NOSUID ? MS_NOSUID : 0) | (st.f_flag & ST_NODEV ? MS_NODEV : 0) |
                       (st.f_flag & ST_NOEXEC ? MS_NOEXEC : 0);
  if (mount(NULL, fd_path(fd).path, NULL, MS_BIND | MS_REMOUNT | keep | flags, NULL) < 0)
    return berth_fail(err, errno, "remount %s%s", target, flags & MS_RDONLY ? " read-only" : "");
  return 0;
}

int mount_in_root(int root_fd, const char *target, enum inroot_leaf leaf, unsigned long long resolve,
                  const char *source, const char *type, unsigned long flags, unsigned long propagation,
                  const char *data, struct berth_error *err) {
  bool bind = flags & MS_BIND;
  cleanup_close int fd = inroot_create(root_fd, target, leaf, resolve, err);
  if (fd < 0) return -1;
  if (mount(source, fd_path(fd).path, bind ? NULL : type, bind ? flags & (MS_BIND | MS_REC) : flags,
            bind ? NULL : data) < 0)
    return berth_fail(err, errno, "mount %s on %s", source, target);
  if (bind && (flags & BIND_REMOUNT_FLAGS) && remount_bind(root_fd, target, flags & BIND_REMOUNT_FLAGS, err) < 0)
    return -1;
  if (propagation) {
    cleanup_close int top = inroot_open(root_fd, target, 0);
    if (top < 0 || mount(NULL, fd_path(top).path, NULL, propagation, NULL) < 0)
      return berth_fail(err, errno, "set propagation of %s", target);
  }
  return 0;
}

int rootfs_mount_proc(int root_fd, struct berth_error *err) {
  return mount_in_root(root_fd, "/proc", INROOT_DIR, KERNEL_FS, "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, 0,
                       NULL, err);
}

int rootfs_mount_sys(int root_fd, struct berth_error *err) {
  return mount_in_root(root_fd, "/sys", INROOT_DIR, KERNEL_FS, "sysfs", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                       0, NULL, err);
}

int rootfs_mount_spec(int root_fd, const struct spec *spec, struct berth_error *err) {
  for (size_t i = 0; i < spec->n_mounts; i++) {
    const struct spec_mount *m = &spec->mounts[i];
    struct stat st;
    enum inroot_leaf leaf = INROOT_DIR;
    if (m->flags & MS_BIND) {
      if (stat(m->source, &st) < 0)
        return berth_fail(err, errno, "mount %s on %s: stat %s", m->source, m->target, m->source);
      if (!S_ISDIR(st.st_mode)) leaf = INROOT_FILE;
    }
    if (mount_in_root(root_fd, m->target, leaf, 0, m->source, m->type, m->flags, m->propagation, m->data, err) < 0)
      return -1;
  }
  return 0;
}

int rootfs_create_cwd(int root_fd, const struct spec *spec, struct berth_error *err) {
  int fd = inroot_create(root_fd, spec->cwd, INROOT_DIR, 0, err);
  if (fd < 0) return -1;
  close(fd);
  return 0;
}

int rootfs_pivot(int root_fd, struct berth_error *err) {
  if (fchdir(root_fd) < 0) return berth_fail(err, errno, "chdir to the rootfs");
  /* The old root ends up stacked under the new one at "/"; detaching "." removes it. */
  if (sys_pivot_root(".", ".") < 0) return berth_fail(err, errno, "pivot_root");
  if (umount2(".", MNT_DETACH) < 0) return berth_fail(err, errno, "detach the old root");
  if (chdir("/") < 0) return berth_fail(err, errno, "chdir /");
  return 0;
}
