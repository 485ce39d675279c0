/*
 * CVE-2019-5736: a container process that can reach a host helper's
 * /proc/<pid>/exe (while the helper runs inside the container's PID
 * namespace, or when the image's command is "#!/proc/self/exe") could open
 * the helper's binary for writing and replace it on the host.
 *
 * berth's helpers therefore never run from their file on disk past the first
 * step of main(): they copy themselves into a memfd, seal it against every
 * change (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) and
 * fexecve() the copy. From then on /proc/<pid>/exe names the sealed memfd,
 * which nobody can write, truncate or grow, and the file on disk is not
 * reachable from the process at all. (The other known fix, a read-only bind
 * mount of the binary, would need a mount namespace before the helper has
 * read its spec; the copy costs one memfd of the binary's size per running
 * helper, and nothing else.)
 */
#ifndef BERTH_SELFEXE_H
#define BERTH_SELFEXE_H

#include "error.h"

/*
 * Returns 0 when this process already runs from a sealed copy of itself;
 * otherwise re-executes itself from one (same argv and environment) and so
 * returns only on failure. `name` names the memfd and the process (comm).
 */
int selfexe_ensure_sealed(char **argv, char **envp, const char *name, struct berth_error *err);

#endif
