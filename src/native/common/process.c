#define _GNU_SOURCE
#include "process.h"

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "exec.h"
#include "seccomp.h"

/*
 * chdir to the spec's cwd while still root. EACCES is left for after the switch
 * to the container's user (as crun does): a directory only that user may
 * enter, on a file system where root has no say (e.g. root-squashed NFS).
 */
static int enter_cwd(const char *cwd, bool *entered, bool last_chance, struct berth_error *err) {
  if (*entered) return 0;
  if (chdir(cwd) == 0) {
    *entered = true;
    return 0;
  }
  if (errno == EACCES && !last_chance) return 0;
  return berth_fail(err, errno, "chdir to cwd (\"%s\")", cwd);
}

/* setrlimit each; a hard limit above the current one needs CAP_SYS_RESOURCE, and without it is clamped. */
static int apply_rlimits(const struct spec *spec, struct berth_error *err) {
  for (size_t i = 0; i < spec->n_rlimits; i++) {
    const struct spec_rlimit *r = &spec->rlimits[i];
    struct rlimit want = {.rlim_cur = r->soft, .rlim_max = r->hard}, now;
    if (setrlimit(r->resource, &want) == 0) continue;
    if (errno != EPERM || getrlimit(r->resource, &now) < 0 || want.rlim_max <= now.rlim_max)
      return berth_fail(err, errno, "setrlimit %s", r->name);
    want.rlim_max = now.rlim_max;
    if (want.rlim_cur > want.rlim_max) want.rlim_cur = want.rlim_max;
    if (setrlimit(r->resource, &want) < 0) return berth_fail(err, errno, "setrlimit %s", r->name);
  }
  return 0;
}

/*
 * setgroups, setgid, setuid. PR_SET_KEEPCAPS keeps the permitted set across
 * the uid change; caps_apply narrows it.
 */
static int switch_user(const struct spec *spec, struct berth_error *err) {
  if (setgroups(spec->n_groups, spec->groups) < 0) return berth_fail(err, errno, "setgroups");
  if (setresgid(spec->gid, spec->gid, spec->gid) < 0) return berth_fail(err, errno, "setgid %u", spec->gid);
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) return berth_fail(err, errno, "prctl PR_SET_KEEPCAPS");
  if (setresuid(spec->uid, spec->uid, spec->uid) < 0) return berth_fail(err, errno, "setuid %u", spec->uid);
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) return berth_fail(err, errno, "prctl PR_SET_KEEPCAPS");
  return 0;
}

/* The command gets fds 0, 1 and 2 only (the status fd is close-on-exec already, and needed until execve). */
static int close_other_fds(struct berth_error *err) {
  if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0) return berth_fail(err, errno, "close_range");
  return 0;
}

int process_hide(struct berth_error *err) {
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) return berth_fail(err, errno, "prctl PR_SET_DUMPABLE");
  if (close_range(3, ~0U, 0) < 0) return berth_fail(err, errno, "close_range");
  return 0;
}

int process_exec(const struct spec *spec, struct berth_error *err) {
  bool in_cwd = false;
  /*
   * Loading a seccomp filter without no_new_privs needs CAP_SYS_ADMIN. So
   * that the filter can still come last, CAP_SYS_ADMIN stays in the
   * effective set until it is loaded, and is dropped right after.
   */
  uint64_t for_seccomp = spec->seccomp == SPEC_SECCOMP_DEFAULT && !spec->no_new_privs ? CAP_BIT(CAP_SYS_ADMIN) : 0;

  umask(022); /* Docker's, whatever the helper ran with */
  if (enter_cwd(spec->cwd, &in_cwd, false, err) < 0) return -1;
  if (apply_rlimits(spec, err) < 0) return -1;
  if (switch_user(spec, err) < 0) return -1;
  /*
   * A change of credentials clears the parent-death signal (supervise.c) and sets dumpable to the
   * host's fs.suid_dumpable, which may be 1: set both again.
   */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) return berth_fail(err, errno, "prctl PR_SET_PDEATHSIG");
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) return berth_fail(err, errno, "prctl PR_SET_DUMPABLE");
  if (enter_cwd(spec->cwd, &in_cwd, true, err) < 0) return -1;
  if (caps_apply(spec->caps, for_seccomp, err) < 0) return -1;
  if (spec->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return berth_fail(err, errno, "prctl PR_SET_NO_NEW_PRIVS");
  if (close_other_fds(err) < 0) return -1;
  /* Seccomp as late as possible: everything above runs unfiltered. */
  if (spec->seccomp == SPEC_SECCOMP_DEFAULT && seccomp_load_default(spec->caps, err) < 0) return -1;
  if ((for_seccomp & ~spec->caps) && caps_limit(spec->caps, err) < 0) return -1;
  return exec_command(spec->argv, spec->env, err);
}
