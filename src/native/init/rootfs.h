/*
 * The container's file system, in the order berth-init builds it (DESIGN
 * §2.3): mount propagation private, the rootfs bound onto itself, the kernel
 * file systems and the spec's mounts inside it, then pivot_root. Every target
 * is resolved inside the rootfs (inroot.h).
 */
#ifndef BERTH_ROOTFS_H
#define BERTH_ROOTFS_H

#include "../common/error.h"
#include "../common/spec.h"
#include "inroot.h"

/* Makes every mount in this (new) mount namespace private, so nothing below propagates to the host. */
int rootfs_make_private(struct berth_error *err);

/* Binds the rootfs onto itself (pivot_root needs a mount point) and returns an O_PATH fd of it. */
int rootfs_bind(const char *rootfs, struct berth_error *err);

/* proc on /proc (nosuid, nodev, noexec). */
int rootfs_mount_proc(int root_fd, struct berth_error *err);

/*
 * A fresh sysfs on /sys, read-only, in every network mode: never a bind of
 * the host's /sys, whose submounts (the host's cgroup tree, debugfs,
 * securityfs, bpf…) a read-only bind would leave writable. With the host's
 * network namespace it shows the host's network devices, read-only.
 */
int rootfs_mount_sys(int root_fd, struct berth_error *err);

/* The spec's `mount` lines, in order. A bind of a file gets a file as its target. */
int rootfs_mount_spec(int root_fd, const struct spec *spec, struct berth_error *err);

/* Creates the working directory if it is missing, as Docker does (before the rootfs may become read-only). */
int rootfs_create_cwd(int root_fd, const struct spec *spec, struct berth_error *err);

/*
 * pivot_root into the rootfs and detach the old root, with the
 * pivot_root(".", ".") trick: no directory for the old root is needed.
 */
int rootfs_pivot(int root_fd, struct berth_error *err);

/*
 * Mounts on the container path `target`, creating it (as `leaf`) if missing.
 * A bind (MS_BIND in flags) is made first and then remounted with the
 * read-only, nosuid, nodev, noexec and atime flags, since mount(2) ignores
 * those on the bind itself. `propagation` (MS_PRIVATE…, or 0) is applied last.
 */
int mount_in_root(int root_fd, const char *target, enum inroot_leaf leaf, unsigned long long resolve,
                  const char *source, const char *type, unsigned long flags, unsigned long propagation,
                  const char *data, struct berth_error *err);

/* Remounts the bind mount at `target` with `flags` added, keeping its nosuid, nodev and noexec. */
int remount_bind(int root_fd, const char *target, unsigned long flags, struct berth_error *err);

#endif
