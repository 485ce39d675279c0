/*
 * The init spec (src/native/SPEC.md): what the engine tells berth-init and
 * berth-nsenter to do, parsed into one struct. Parsing only checks syntax and
 * ranges; the steps that use a field report what the kernel thinks of it.
 */
#ifndef BERTH_SPEC_H
#define BERTH_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "error.h"

/* Which helper reads the spec: a directive meant for the other one is an error. */
enum spec_reader {
  SPEC_FOR_INIT = 1,
  SPEC_FOR_NSENTER = 2,
};

struct spec_mount {
  char *type;
  char *source;
  char *target;             /* a container path */
  unsigned long flags;      /* MS_RDONLY, MS_NOSUID, MS_BIND, MS_REC… */
  unsigned long propagation; /* MS_PRIVATE, MS_SLAVE or MS_SHARED (| MS_REC), or 0 */
  char *data;
};

struct spec_device {
  char *path; /* a container path */
  mode_t type; /* S_IFCHR, S_IFBLK or S_IFIFO */
  unsigned int major, minor;
  mode_t mode;
  uid_t uid;
  gid_t gid;
};

struct spec_join {
  int nstype; /* CLONE_NEWNET… */
  char *path;
};

struct spec_rlimit {
  int resource;
  const char *name;
  rlim_t soft, hard;
};

/* /sys/fs/cgroup in the container: none, or the container's own cgroups read-only or writable. */
enum spec_cgroupfs_access {
  SPEC_CGROUPFS_NONE,
  SPEC_CGROUPFS_RO,
  SPEC_CGROUPFS_RW,
};

/* How the host's hierarchies are laid out (src/engine/cgroups/layout.ts decides). */
enum spec_cgroupfs_layout {
  SPEC_CGROUPFS_V1,     /* v1 controller hierarchies only */
  SPEC_CGROUPFS_HYBRID, /* v1 controllers, and cgroup2 beside them at unified/ */
  SPEC_CGROUPFS_V2,     /* cgroup2 alone */
};

enum spec_seccomp {
  SPEC_SECCOMP_DEFAULT,
  SPEC_SECCOMP_UNCONFINED,
};

struct spec {
  char *status; /* path of the status FIFO */

  /* berth-init */
  char *rootfs;
  bool readonly_rootfs;
  char *hostname; /* NULL: leave it */
  int unshare_flags; /* CLONE_NEW* */
  struct spec_mount *mounts;
  size_t n_mounts;
  struct spec_device *devices;
  size_t n_devices;
  char **masked;
  size_t n_masked;
  char **readonly;
  size_t n_readonly;
  enum spec_cgroupfs_access cgroupfs;
  enum spec_cgroupfs_layout cgroupfs_layout;

  /* berth-nsenter */
  pid_t target; /* 0: none */

  /* both */
  char **cgroups; /* cgroup.procs files */
  size_t n_cgroups;
  struct spec_join *joins;
  size_t n_joins;

  /* the process; defaults are the safe ones (no capabilities, seccomp on) */
  bool no_new_privs;
  uint64_t caps; /* bit n = capability n */
  uid_t uid;
  gid_t gid;
  gid_t *groups;
  size_t n_groups;
  enum spec_seccomp seccomp;
  char *cwd;   /* "/" when absent */
  char **env;  /* NULL-terminated */
  size_t n_env;
  char **argv; /* NULL-terminated, at least one */
  size_t n_args;
  struct spec_rlimit *rlimits;
  size_t n_rlimits;
};

/*
 * Reads and checks the spec file at `path` for `reader`. On failure the spec
 * may be partly filled: spec_free it anyway.
 */
int spec_load(const char *path, enum spec_reader reader, struct spec *spec, struct berth_error *err);

void spec_free(struct spec *spec);

#endif
