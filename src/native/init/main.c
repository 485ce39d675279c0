/*
 * berth-init: starts a container's first process from the spec the engine
 * wrote (src/native/SPEC.md), in the order of DESIGN §2.3. main() is the
 * whole sequence, one step per line; each step returns -1 with a berth_error
 * that main reports on the status FIFO before exiting with its code.
 *
 *   berth-init <spec-file>      (stdio: the container's, already in place)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/error.h"
#include "../common/namespaces.h"
#include "../common/process.h"
#include "../common/selfexe.h"
#include "../common/spec.h"
#include "../common/status.h"
#include "../common/supervise.h"
#include "cgroupfs.h"
#include "dev.h"
#include "paths.h"
#include "rootfs.h"

#define PROGRAM "berth-init"

/* In the new UTS namespace (spec_load made sure there is one: without, this would rename the host). */
static int set_hostname(const struct spec *spec, struct berth_error *err) {
  if (!spec->hostname) return 0;
  if (sethostname(spec->hostname, strlen(spec->hostname)) < 0)
    return berth_fail(err, errno, "sethostname %s", spec->hostname);
  return 0;
}

int main(int argc, char **argv, char **envp) {
  struct berth_error err = {0};
  struct spec spec = {0};
  struct supervisor sup;
  cleanup_close int status_fd = -1;
  cleanup_close int root_fd = -1;
  int rc;

  if (argc != 2) {
    berth_fail(&err, 0, "usage: %s SPEC-FILE", PROGRAM);
    goto fail;
  }
  /* CVE-2019-5736: from here on this process runs from a sealed copy of itself (selfexe.h). */
  if (selfexe_ensure_sealed(argv, envp, PROGRAM, &err) < 0) goto fail;
  if (process_hide(&err) < 0) goto fail;
  if (spec_load(argv[1], SPEC_FOR_INIT, &spec, &err) < 0) goto fail;
  if ((status_fd = status_open(spec.status, &err)) < 0) goto fail;

  /* Outside the container: cgroups first, then namespaces (joined, then new ones). */
  if (cgroups_join(&spec, &err) < 0) goto fail;
  if (namespaces_join(&spec, &err) < 0) goto fail;
  if (namespaces_unshare(&spec, &err) < 0) goto fail;

  /* The child is PID 1 of the new PID namespace; this process stays outside and supervises it. */
  pid_t child = supervisor_fork(&sup, &err);
  if (child < 0) goto fail;
  if (child > 0) {
    if ((rc = supervisor_run(&sup, &status_fd, &err)) < 0) goto fail;
    spec_free(&spec);
    return rc;
  }
  if (supervisor_child_start(&sup, &status_fd, &err) < 0) goto fail;

  /* The file system, built inside the rootfs and entered with pivot_root. */
  umask(0); /* device nodes and directories get exactly the modes asked for */
  if (rootfs_make_private(&err) < 0) goto fail;
  if ((root_fd = rootfs_bind(spec.rootfs, &err)) < 0) goto fail;
  if (rootfs_mount_proc(root_fd, &err) < 0) goto fail;
  if (dev_mount(root_fd, &spec, &err) < 0) goto fail;
  if (rootfs_mount_sys(root_fd, &err) < 0) goto fail;
  if (cgroupfs_mount(root_fd, &spec, &err) < 0) goto fail;
  if (rootfs_mount_spec(root_fd, &spec, &err) < 0) goto fail;
  if (rootfs_create_cwd(root_fd, &spec, &err) < 0) goto fail;
  if (rootfs_pivot(root_fd, &err) < 0) goto fail;

  /* Last changes to the file system: nothing mounted later could uncover these. */
  if (paths_mask(root_fd, &spec, &err) < 0) goto fail;
  if (paths_make_readonly(root_fd, &spec, &err) < 0) goto fail;
  if (paths_readonly_rootfs(root_fd, &spec, &err) < 0) goto fail;
  close_and_reset(&root_fd);

  if (set_hostname(&spec, &err) < 0) goto fail;

  /* cwd, rlimits, user, capabilities, no_new_privs, seccomp, execve: returns only on failure. */
  process_exec(&spec, &err);

fail:
  status_send_error(status_fd, PROGRAM, &err);
  spec_free(&spec);
  return err.exit_code ? err.exit_code : BERTH_EXIT_FAILURE;
}
