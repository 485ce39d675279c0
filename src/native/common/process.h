/*
 * The process phase both helpers end with, once the process is where it
 * belongs (berth-init: inside the pivoted rootfs; berth-nsenter: inside the
 * target's namespaces): working directory, rlimits, user and groups,
 * capabilities, no_new_privs, seccomp, execve.
 */
#ifndef BERTH_PROCESS_H
#define BERTH_PROCESS_H

#include "error.h"
#include "spec.h"

/*
 * First thing in both helpers (in their sealed copy): nothing in the
 * container may reach the helper while it runs in the container's
 * namespaces. It becomes non-dumpable, which closes /proc/<pid>/fd, mem and
 * ptrace to the container's root (who lacks CAP_SYS_PTRACE), as runc's init
 * does, and closes every fd it inherited. The command's execve makes it
 * dumpable again, holding fds 0-2 only.
 */
int process_hide(struct berth_error *err);

/* Runs the steps above in order; returns only on failure (execve replaced the process otherwise). */
int process_exec(const struct spec *spec, struct berth_error *err);

#endif
