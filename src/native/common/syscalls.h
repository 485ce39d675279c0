/* The system calls glibc 2.36 has no wrapper for. */
#ifndef BERTH_SYSCALLS_H
#define BERTH_SYSCALLS_H

#include <linux/capability.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

static inline int sys_openat2(int dirfd, const char *path, const struct open_how *how) {
  return (int)syscall(SYS_openat2, dirfd, path, how, sizeof *how);
}

static inline int sys_pivot_root(const char *new_root, const char *put_old) {
  return (int)syscall(SYS_pivot_root, new_root, put_old);
}

static inline int sys_capget(struct __user_cap_header_struct *header, struct __user_cap_data_struct *data) {
  return (int)syscall(SYS_capget, header, data);
}

static inline int sys_capset(struct __user_cap_header_struct *header, const struct __user_cap_data_struct *data) {
  return (int)syscall(SYS_capset, header, data);
}

#endif
