#define _GNU_SOURCE
#include "namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"

int cgroups_join(const struct spec *spec, struct berth_error *err) {
  char pid[24];
  int len = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
  for (size_t i = 0; i < spec->n_cgroups; i++) {
    const char *procs = spec->cgroups[i];
    cleanup_close int fd = open(procs, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return berth_fail(err, errno, "join cgroup: open %s", procs);
    if (write(fd, pid, (size_t)len) != len) return berth_fail(err, errno, "join cgroup: write %s", procs);
  }
  return 0;
}

int namespaces_join(const struct spec *spec, struct berth_error *err) {
  for (size_t i = 0; i < spec->n_joins; i++) {
    const struct spec_join *join = &spec->joins[i];
    cleanup_close int fd = open(join->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return berth_fail(err, errno, "join namespace: open %s", join->path);
    if (setns(fd, join->nstype) < 0) return berth_fail(err, errno, "setns %s", join->path);
  }
  return 0;
}

int namespaces_join_target(pid_t target, struct berth_error *err) {
  const int all = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWCGROUP;
  cleanup_close int pidfd = pidfd_open(target, 0);
  if (pidfd < 0) return berth_fail(err, errno, "pidfd_open %d", (int)target);
  if (setns(pidfd, all) < 0) return berth_fail(err, errno, "setns into the namespaces of pid %d", (int)target);
  return 0;
}

/* A new network namespace starts with lo down; Docker's --network none has it up. */
static int loopback_up(struct berth_error *err) {
  cleanup_close int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return berth_fail(err, errno, "socket for lo");
  struct ifreq ifr = {0};
  strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) return berth_fail(err, errno, "get flags of lo");
  ifr.ifr_flags |= IFF_UP;
  if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) return berth_fail(err, errno, "bring up lo");
  return 0;
}

int namespaces_unshare(const struct spec *spec, struct berth_error *err) {
  static const struct {
    int flag;
    const char *name;
  } names[] = {{CLONE_NEWNS, "mnt"}, {CLONE_NEWUTS, "uts"}, {CLONE_NEWIPC, "ipc"},
               {CLONE_NEWPID, "pid"}, {CLONE_NEWNET, "net"}, {CLONE_NEWCGROUP, "cgroup"}};
  if (!spec->unshare_flags) return 0;
  if (unshare(spec->unshare_flags) == 0) return spec->unshare_flags & CLONE_NEWNET ? loopback_up(err) : 0;

  int saved = errno;
  char list[64] = "";
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (spec->unshare_flags & names[i].flag) {
      if (list[0]) strcat(list, ",");
      strcat(list, names[i].name);
    }
  return berth_fail(err, saved, "unshare %s", list);
}
