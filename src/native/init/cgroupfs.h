/*
 * /sys/fs/cgroup inside the container, as Docker shows it: every hierarchy
 * mounted afresh from inside the container's cgroup namespace, so its root is
 * the container's own cgroup and nothing of the host's tree (other
 * containers, berth's parent, the host's limits) is reachable; read-only
 * unless the spec says rw (--privileged).
 */
#ifndef BERTH_CGROUPFS_H
#define BERTH_CGROUPFS_H

#include "../common/error.h"
#include "../common/spec.h"

/*
 * v2: cgroup2 on /sys/fs/cgroup. v1 and hybrid: a tmpfs on /sys/fs/cgroup
 * with one cgroup mount per controller hierarchy this process is in (from
 * /proc/self/cgroup; named hierarchies such as name=systemd are left out:
 * berth makes no cgroup there, so their root would be the shim's), each
 * co-mounted controller linked to its hierarchy (cpu -> cpu,cpuacct), and on
 * a hybrid host cgroup2 on unified/; the tmpfs is made read-only last. Needs
 * the new cgroup namespace (spec_load checks "unshare cgroup") and a sysfs on
 * /sys.
 */
int cgroupfs_mount(int root_fd, const struct spec *spec, struct berth_error *err);

#endif
