/* Cgroups and namespaces: the steps before the fork, shared by both helpers. */
#ifndef BERTH_NAMESPACES_H
#define BERTH_NAMESPACES_H

#include "error.h"
#include "spec.h"

/*
 * Moves this process into every `cgroup` of the spec (writes its pid to each
 * cgroup.procs). This comes before any unshare or setns: the cgroup
 * namespace's root is the cgroup the process is in when it unshares, and
 * after joining a container's mount namespace the host's /sys/fs/cgroup is
 * out of reach.
 */
int cgroups_join(const struct spec *spec, struct berth_error *err);

/* setns into each `join` namespace, by path (e.g. /proc/123/ns/net). */
int namespaces_join(const struct spec *spec, struct berth_error *err);

/*
 * berth-nsenter: joins the mount, UTS, IPC, network, PID and cgroup
 * namespaces of `target` in one setns(pidfd, …), so they all belong to the
 * same process even if it exits meanwhile. The PID namespace applies to
 * children only: the caller must fork.
 */
int namespaces_join_target(pid_t target, struct berth_error *err);

/* berth-init: unshares the spec's new namespaces (a new PID namespace applies to children only). */
int namespaces_unshare(const struct spec *spec, struct berth_error *err);

#endif
