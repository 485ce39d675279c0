/*
 * berth-nsenter: runs a process inside a running container (`exec`), from the
 * spec the engine wrote (src/native/SPEC.md): the container's cgroups, all of
 * its namespaces at once through a pidfd, a fork so the process is inside the
 * PID namespace, then the same process steps as berth-init. main() is the
 * whole sequence; each step returns -1 with a berth_error that main reports
 * on the status FIFO before exiting with its code.
 *
 *   berth-nsenter <spec-file>   (stdio: the exec's, already in place)
 */
#define _GNU_SOURCE
#include "../common/cleanup.h"
#include "../common/error.h"
#include "../common/namespaces.h"
#include "../common/process.h"
#include "../common/selfexe.h"
#include "../common/spec.h"
#include "../common/status.h"
#include "../common/supervise.h"

#define PROGRAM "berth-nsenter"

int main(int argc, char **argv, char **envp) {
  struct berth_error err = {0};
  struct spec spec = {0};
  struct supervisor sup;
  cleanup_close int status_fd = -1;
  int rc;

  if (argc != 2) {
    berth_fail(&err, 0, "usage: %s SPEC-FILE", PROGRAM);
    goto fail;
  }
  /* CVE-2019-5736: the child below runs inside the container's PID namespace until execve (selfexe.h). */
  if (selfexe_ensure_sealed(argv, envp, PROGRAM, &err) < 0) goto fail;
  if (process_hide(&err) < 0) goto fail;
  if (spec_load(argv[1], SPEC_FOR_NSENTER, &spec, &err) < 0) goto fail;
  if ((status_fd = status_open(spec.status, &err)) < 0) goto fail;

  /* Cgroups while the host's /sys/fs/cgroup is still in reach, then the target's namespaces. */
  if (cgroups_join(&spec, &err) < 0) goto fail;
  if (namespaces_join_target(spec.target, &err) < 0) goto fail;
  if (namespaces_join(&spec, &err) < 0) goto fail;

  /* Only a child enters the PID namespace; this process stays outside and supervises it. */
  pid_t child = supervisor_fork(&sup, &err);
  if (child < 0) goto fail;
  if (child > 0) {
    if ((rc = supervisor_run(&sup, &status_fd, &err)) < 0) goto fail;
    spec_free(&spec);
    return rc;
  }
  if (supervisor_child_start(&sup, &status_fd, &err) < 0) goto fail;

  /* cwd, rlimits, user, capabilities, no_new_privs, seccomp, execve: returns only on failure. */
  process_exec(&spec, &err);

fail:
  status_send_error(status_fd, PROGRAM, &err);
  spec_free(&spec);
  return err.exit_code ? err.exit_code : BERTH_EXIT_FAILURE;
}
