#define _GNU_SOURCE
#include "seccomp.h"

#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "caps.h"

/* Allowed for every container. Names unknown on an architecture (or to this libseccomp) are skipped. */
static const char *const allowed[] = {
    "accept", "accept4", "access", "alarm", "arch_prctl", "bind", "brk", "cachestat", "capget", "capset",
    "chdir", "chmod", "chown", "chown32", "clock_getres", "clock_getres_time64", "clock_gettime",
    "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "close", "close_range", "connect",
    "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl",
    "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2",
    "execve", "execveat", "exit", "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64",
    "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32",
    "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr",
    "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate",
    "ftruncate64", "futex", "futex_requeue", "futex_time64", "futex_wait", "futex_waitv", "futex_wake",
    "futimesat", "get_robust_list", "get_thread_area", "getcpu", "getcwd", "getdents", "getdents64",
    "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32",
    "getitimer", "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrandom",
    "getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit", "getrusage", "getsid",
    "getsockname", "getsockopt", "gettid", "gettimeofday", "getuid", "getuid32", "getxattr",
    "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel", "io_destroy",
    "io_getevents", "io_pgetevents", "io_pgetevents_time64", "io_setup", "io_submit", "ioctl", "ioprio_get",
    "ioprio_set", "ipc", "kill", "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self",
    "lchown", "lchown32", "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr", "_llseek",
    "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise", "map_shadow_stack", "membarrier",
    "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2",
    "mlockall", "mmap", "mmap2", "modify_ldt", "mprotect", "mq_getsetattr", "mq_notify", "mq_open",
    "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64", "mq_unlink",
    "mremap", "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall", "munmap",
    "name_to_handle_at", "nanosleep", "newfstatat", "_newselect", "open", "openat", "openat2", "pause",
    "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect", "poll",
    "ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2", "prlimit64", "process_mrelease",
    "pselect6", "pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink",
    "readlinkat", "readv", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "remap_file_pages",
    "removexattr", "rename", "renameat", "renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction",
    "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
    "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_get_priority_max", "sched_get_priority_min",
    "sched_getaffinity", "sched_getattr", "sched_getparam", "sched_getscheduler", "sched_rr_get_interval",
    "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr", "sched_setparam",
    "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget", "semop", "semtimedop",
    "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto",
    "set_robust_list", "set_thread_area", "set_tid_address", "setfsgid", "setfsgid32", "setfsuid",
    "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority",
    "setregid", "setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid",
    "setreuid32", "setrlimit", "setsid", "setsockopt", "setuid", "setuid32", "setxattr", "shmat", "shmctl",
    "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd", "signalfd4", "sigprocmask", "sigreturn",
    "socketcall", "socketpair", "splice", "stat", "stat64", "statfs", "statfs64", "statx", "symlink",
    "symlinkat", "sync", "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create",
    "timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime",
    "timer_settime64", "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime",
    "timerfd_settime64", "times", "tkill", "truncate", "truncate64", "ugetrlimit", "umask", "uname",
    "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4",
    "waitid", "waitpid", "write", "writev",
};

/* Allowed when the container holds one of the capabilities (-1: none). */
static const struct {
  const char *name;
  int cap, or_cap;
} by_capability[] = {
    {"bpf", CAP_SYS_ADMIN, CAP_BPF},
    {"fanotify_init", CAP_SYS_ADMIN, -1},
    {"fsconfig", CAP_SYS_ADMIN, -1},
    {"fsmount", CAP_SYS_ADMIN, -1},
    {"fsopen", CAP_SYS_ADMIN, -1},
    {"fspick", CAP_SYS_ADMIN, -1},
    {"lookup_dcookie", CAP_SYS_ADMIN, -1},
    {"mount", CAP_SYS_ADMIN, -1},
    {"mount_setattr", CAP_SYS_ADMIN, -1},
    {"move_mount", CAP_SYS_ADMIN, -1},
    {"open_tree", CAP_SYS_ADMIN, -1},
    {"perf_event_open", CAP_SYS_ADMIN, CAP_PERFMON},
    {"pivot_root", CAP_SYS_ADMIN, -1},
    {"quotactl", CAP_SYS_ADMIN, -1},
    {"quotactl_fd", CAP_SYS_ADMIN, -1},
    {"setdomainname", CAP_SYS_ADMIN, -1},
    {"sethostname", CAP_SYS_ADMIN, -1},
    {"setns", CAP_SYS_ADMIN, -1},
    {"syslog", CAP_SYS_ADMIN, CAP_SYSLOG},
    {"umount", CAP_SYS_ADMIN, -1},
    {"umount2", CAP_SYS_ADMIN, -1},
    {"unshare", CAP_SYS_ADMIN, -1},
    {"reboot", CAP_SYS_BOOT, -1},
    {"chroot", CAP_SYS_CHROOT, -1},
    {"delete_module", CAP_SYS_MODULE, -1},
    {"finit_module", CAP_SYS_MODULE, -1},
    {"init_module", CAP_SYS_MODULE, -1},
    {"acct", CAP_SYS_PACCT, -1},
    {"kcmp", CAP_SYS_PTRACE, -1},
    {"pidfd_getfd", CAP_SYS_PTRACE, -1},
    {"process_madvise", CAP_SYS_PTRACE, -1},
    {"process_vm_readv", CAP_SYS_PTRACE, -1},
    {"process_vm_writev", CAP_SYS_PTRACE, -1},
    {"ptrace", CAP_SYS_PTRACE, -1},
    {"ioperm", CAP_SYS_RAWIO, -1},
    {"iopl", CAP_SYS_RAWIO, -1},
    {"adjtimex", CAP_SYS_TIME, -1},
    {"clock_adjtime", CAP_SYS_TIME, -1},
    {"clock_adjtime64", CAP_SYS_TIME, -1},
    {"clock_settime", CAP_SYS_TIME, -1},
    {"clock_settime64", CAP_SYS_TIME, -1},
    {"settimeofday", CAP_SYS_TIME, -1},
    {"stime", CAP_SYS_TIME, -1},
    {"vhangup", CAP_SYS_TTY_CONFIG, -1},
    {"get_mempolicy", CAP_SYS_NICE, -1},
    {"mbind", CAP_SYS_NICE, -1},
    {"set_mempolicy", CAP_SYS_NICE, -1},
    {"set_mempolicy_home_node", CAP_SYS_NICE, -1},
    {"open_by_handle_at", CAP_DAC_READ_SEARCH, -1},
};

/* The personalities Docker allows: PER_LINUX, PER_LINUX32, UNAME26, UNAME26|PER_LINUX32, and the query 0xffffffff. */
static const unsigned long personalities[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};

#define CLONE_NAMESPACES \
  (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)

static bool holds(uint64_t caps, int cap) {
  return cap >= 0 && (caps & CAP_BIT(cap));
}

/* Adds one rule; a name this libseccomp cannot resolve is skipped (the call keeps failing with EPERM). */
static int add(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned int n_args,
               const struct scmp_arg_cmp *args, struct berth_error *err) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) return 0;
  int rc = seccomp_rule_add_array(ctx, action, nr, n_args, args);
  if (rc < 0) return berth_fail(err, -rc, "seccomp rule for %s", name);
  return 0;
}

/*
 * New namespaces only with CAP_SYS_ADMIN. Otherwise clone is allowed without
 * namespace flags (argument 0 on x86), and clone3, which passes its flags in
 * memory a filter cannot read, fails with ENOSYS so that libc falls back to clone.
 */
static int add_clone_rules(scmp_filter_ctx ctx, uint64_t caps, struct berth_error *err) {
  if (holds(caps, CAP_SYS_ADMIN)) {
    if (add(ctx, SCMP_ACT_ALLOW, "clone", 0, NULL, err) < 0) return -1;
    return add(ctx, SCMP_ACT_ALLOW, "clone3", 0, NULL, err);
  }
  struct scmp_arg_cmp no_namespaces = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NAMESPACES, 0);
  if (add(ctx, SCMP_ACT_ALLOW, "clone", 1, &no_namespaces, err) < 0) return -1;
  return add(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL, err);
}

static int add_rules(scmp_filter_ctx ctx, uint64_t caps, struct berth_error *err) {
  for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++)
    if (add(ctx, SCMP_ACT_ALLOW, allowed[i], 0, NULL, err) < 0) return -1;

  for (size_t i = 0; i < sizeof by_capability / sizeof *by_capability; i++)
    if ((holds(caps, by_capability[i].cap) || holds(caps, by_capability[i].or_cap)) &&
        add(ctx, SCMP_ACT_ALLOW, by_capability[i].name, 0, NULL, err) < 0)
      return -1;

  for (size_t i = 0; i < sizeof personalities / sizeof *personalities; i++) {
    struct scmp_arg_cmp persona = SCMP_A0(SCMP_CMP_EQ, personalities[i]);
    if (add(ctx, SCMP_ACT_ALLOW, "personality", 1, &persona, err) < 0) return -1;
  }

  /* Any address family but AF_VSOCK, which reaches the hypervisor. */
  struct scmp_arg_cmp not_vsock = SCMP_A0(SCMP_CMP_NE, AF_VSOCK);
  if (add(ctx, SCMP_ACT_ALLOW, "socket", 1, &not_vsock, err) < 0) return -1;

  return add_clone_rules(ctx, caps, err);
}

int seccomp_load_default(uint64_t caps, struct berth_error *err) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
  int rc;
  if (!ctx) return berth_fail(err, ENOMEM, "seccomp_init");

  /* no_new_privs is the spec's decision, not libseccomp's (it would set it by default). */
  if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0) {
    berth_fail(err, -rc, "seccomp_attr_set SCMP_FLTATR_CTL_NNP");
    goto out;
  }
  /* 32-bit x86 and x32 programs run on x86_64 too; their system calls must meet the same rules. */
  if (seccomp_arch_native() == SCMP_ARCH_X86_64 &&
      ((rc = seccomp_arch_add(ctx, SCMP_ARCH_X86)) < 0 || (rc = seccomp_arch_add(ctx, SCMP_ARCH_X32)) < 0)) {
    berth_fail(err, -rc, "seccomp_arch_add");
    goto out;
  }
  if ((rc = add_rules(ctx, caps, err)) < 0) goto out;
  if ((rc = seccomp_load(ctx)) < 0) berth_fail(err, -rc, "seccomp_load");

out:
  seccomp_release(ctx);
  return rc < 0 ? -1 : 0;
}
