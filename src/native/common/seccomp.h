/*
 * The default seccomp profile (DESIGN §4): an allowlist equivalent to
 * Docker's default profile (moby profiles/seccomp/default.json), built with
 * libseccomp. Everything not allowed fails with EPERM; clone3 fails with
 * ENOSYS so that libc falls back to clone, whose namespace flags the filter
 * can see; some system calls are allowed only when the container holds the
 * capability that makes them useful, as Docker does (mount and unshare with
 * CAP_SYS_ADMIN, reboot with CAP_SYS_BOOT, …).
 *
 * Where berth is stricter than Docker's profile: ptrace, process_vm_readv and
 * process_vm_writev need CAP_SYS_PTRACE (Docker allows them on kernels >= 4.8),
 * and adjtimex and clock_adjtime need CAP_SYS_TIME (Docker allows the
 * read-only use; the filter cannot tell the two apart).
 */
#ifndef BERTH_SECCOMP_H
#define BERTH_SECCOMP_H

#include <stdint.h>

#include "error.h"

/*
 * Loads the default profile for a process holding the capabilities `caps`.
 * It does not set no_new_privs itself: without it, the caller needs
 * CAP_SYS_ADMIN in its effective set.
 */
int seccomp_load_default(uint64_t caps, struct berth_error *err);

#endif
