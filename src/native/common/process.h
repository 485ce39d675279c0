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

/* Runs the steps above in order; returns only on failure (execve replaced the process otherwise). */
int process_exec(const struct spec *spec, struct berth_error *err);

#endif
