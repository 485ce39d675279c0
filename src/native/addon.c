/*
 * berth's N-API addon: only the system calls Node cannot make itself
 * (DESIGN §2.5). Every function is synchronous and throws an Error shaped
 * like Node's fs errors (code, errno, syscall, path) so callers handle both
 * the same way.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/openat2.h>
#include <sys/syscall.h>

#include "netlink.h"

#define MAX_ARGS 8

static napi_value throw_errno(napi_env env, int err, const char *syscall, const char *path) {
  const char *code = strerrorname_np(err);
  char message[4200];
  if (path)
    snprintf(message, sizeof message, "%s: %s, %s '%s'", code ? code : "E?", strerror(err), syscall, path);
  else
    snprintf(message, sizeof message, "%s: %s, %s", code ? code : "E?", strerror(err), syscall);
  napi_value msg, error, value;
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, NULL, msg, &error);
  napi_create_string_utf8(env, code ? code : "EUNKNOWN", NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, error, "code", value);
  napi_create_int32(env, -err, &value);
  napi_set_named_property(env, error, "errno", value);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, error, "syscall", value);
  if (path) {
    napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &value);
    napi_set_named_property(env, error, "path", value);
  }
  napi_throw(env, error);
  return NULL;
}

/* Reads argument i as a malloc'd UTF-8 string; NULL (with a pending TypeError) if it is not one. */
static char *string_arg(napi_env env, napi_value *argv, size_t i) {
  size_t len;
  if (napi_get_value_string_utf8(env, argv[i], NULL, 0, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected a string argument");
    return NULL;
  }
  char *s = malloc(len + 1);
  napi_get_value_string_utf8(env, argv[i], s, len + 1, &len);
  return s;
}

/* Argument i as a malloc'd NUL-terminated copy of a string (UTF-8) or a Buffer (bytes, as a file name can be). */
static char *path_arg(napi_env env, napi_value *argv, size_t i) {
  bool is_buffer = false;
  napi_is_buffer(env, argv[i], &is_buffer);
  if (!is_buffer) return string_arg(env, argv, i);
  void *data;
  size_t len;
  napi_get_buffer_info(env, argv[i], &data, &len);
  if (memchr(data, 0, len)) {
    napi_throw_type_error(env, NULL, "a path cannot contain NUL bytes");
    return NULL;
  }
  char *s = malloc(len + 1);
  memcpy(s, data, len);
  s[len] = '\0';
  return s;
}

static int64_t int_arg(napi_env env, napi_value *argv, size_t i) {
  int64_t v = 0;
  napi_get_value_int64(env, argv[i], &v);
  return v;
}

static napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

#define ARGS(n)                                                        \
  size_t argc = MAX_ARGS;                                              \
  napi_value argv[MAX_ARGS];                                           \
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);                \
  if (argc < (n)) {                                                    \
    napi_throw_type_error(env, NULL, "missing arguments");             \
    return NULL;                                                       \
  }

/* mknod(path, mode, major, minor): device nodes and overlay whiteouts (char 0/0). */
static napi_value js_mknod(napi_env env, napi_callback_info info) {
  ARGS(4);
  char *path = path_arg(env, argv, 0);
  if (!path) return NULL;
  mode_t mode = (mode_t)int_arg(env, argv, 1);
  dev_t dev = makedev((unsigned)int_arg(env, argv, 2), (unsigned)int_arg(env, argv, 3));
  napi_value result = undefined(env);
  if (mknod(path, mode, dev) < 0) result = throw_errno(env, errno, "mknod", path);
  free(path);
  return result;
}

/* lsetxattr(path, name, value: Buffer) — never follows a final symlink. */
static napi_value js_lsetxattr(napi_env env, napi_callback_info info) {
  ARGS(3);
  char *path = path_arg(env, argv, 0);
  if (!path) return NULL;
  char *name = string_arg(env, argv, 1);
  if (!name) { free(path); return NULL; }
  void *data;
  size_t len;
  napi_value result = undefined(env);
  if (napi_get_buffer_info(env, argv[2], &data, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "value must be a Buffer");
    result = NULL;
  } else if (lsetxattr(path, name, data, len, 0) < 0) {
    result = throw_errno(env, errno, "lsetxattr", path);
  }
  free(path);
  free(name);
  return result;
}

/* lgetxattr(path, name) → Buffer, or null when the attribute is absent. */
static napi_value js_lgetxattr(napi_env env, napi_callback_info info) {
  ARGS(2);
  char *path = path_arg(env, argv, 0);
  if (!path) return NULL;
  char *name = string_arg(env, argv, 1);
  if (!name) { free(path); return NULL; }
  napi_value result;
  ssize_t len = lgetxattr(path, name, NULL, 0);
  if (len < 0) {
    if (errno == ENODATA) napi_get_null(env, &result);
    else result = throw_errno(env, errno, "lgetxattr", path);
  } else {
    void *data;
    napi_create_buffer(env, (size_t)len, &data, &result);
    if (len > 0 && lgetxattr(path, name, data, (size_t)len) < 0)
      result = throw_errno(env, errno, "lgetxattr", path);
  }
  free(path);
  free(name);
  return result;
}

/* llistxattr(path) → string[] */
static napi_value js_llistxattr(napi_env env, napi_callback_info info) {
  ARGS(1);
  char *path = path_arg(env, argv, 0);
  if (!path) return NULL;
  napi_value result;
  ssize_t len = llistxattr(path, NULL, 0);
  char *names = len > 0 ? malloc((size_t)len) : NULL;
  if (len > 0) len = llistxattr(path, names, (size_t)len);
  if (len < 0) {
    result = throw_errno(env, errno, "llistxattr", path);
  } else {
    napi_create_array(env, &result);
    uint32_t n = 0;
    for (ssize_t off = 0; off < len; off += (ssize_t)strlen(names + off) + 1) {
      napi_value s;
      napi_create_string_utf8(env, names + off, NAPI_AUTO_LENGTH, &s);
      napi_set_element(env, result, n++, s);
    }
  }
  free(names);
  free(path);
  return result;
}

/*
 * mount(source, target, fstype, flags, data, cwd).
 * cwd, when not empty, is where relative paths in data resolve: overlay's
 * option string is limited to one page, so long lowerdir lists use short
 * relative links (DESIGN §3 overlay/l). The chdir is undone before return;
 * JS runs on one thread, and berth passes only absolute paths to libuv.
 */
static napi_value js_mount(napi_env env, napi_callback_info info) {
  ARGS(6);
  char *source = string_arg(env, argv, 0), *target = string_arg(env, argv, 1);
  char *fstype = string_arg(env, argv, 2), *data = string_arg(env, argv, 4);
  char *cwd = string_arg(env, argv, 5);
  unsigned long flags = (unsigned long)int_arg(env, argv, 3);
  napi_value result = undefined(env);
  int saved = -1;
  if (!source || !target || !fstype || !data || !cwd) {
    result = NULL;
    goto out;
  }
  if (cwd[0]) {
    saved = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (saved < 0 || chdir(cwd) < 0) {
      result = throw_errno(env, errno, "chdir", cwd);
      goto out;
    }
  }
  if (mount(source, target, fstype, flags, data[0] ? data : NULL) < 0)
    result = throw_errno(env, errno, "mount", target);
  if (saved >= 0 && fchdir(saved) < 0 && result != NULL)
    result = throw_errno(env, errno, "fchdir", ".");
out:
  if (saved >= 0) close(saved);
  free(source); free(target); free(fstype); free(data); free(cwd);
  return result;
}

/* umount2(target, flags) */
static napi_value js_umount2(napi_env env, napi_callback_info info) {
  ARGS(2);
  char *target = string_arg(env, argv, 0);
  if (!target) return NULL;
  napi_value result = undefined(env);
  if (umount2(target, (int)int_arg(env, argv, 1)) < 0) result = throw_errno(env, errno, "umount2", target);
  free(target);
  return result;
}

/* flock(fd, operation) → true when taken, false when LOCK_NB and held elsewhere. */
static napi_value js_flock(napi_env env, napi_callback_info info) {
  ARGS(2);
  int fd = (int)int_arg(env, argv, 0), op = (int)int_arg(env, argv, 1);
  napi_value result;
  int rc;
  do rc = flock(fd, op); while (rc < 0 && errno == EINTR);
  if (rc < 0 && errno == EWOULDBLOCK) napi_get_boolean(env, false, &result);
  else if (rc < 0) result = throw_errno(env, errno, "flock", NULL);
  else napi_get_boolean(env, true, &result);
  return result;
}

/*
 * The cgroup v2 device allowlist. Cgroup v2 has no devices.allow file: the
 * kernel asks a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup
 * (and to each ancestor) and denies with EPERM when any says 0. The program
 * itself is assembled in TypeScript (src/engine/cgroups/devices.ts); these
 * functions only load, attach and list it.
 */
static int sys_bpf(int cmd, union bpf_attr *attr) {
  return (int)syscall(__NR_bpf, cmd, attr, sizeof *attr);
}

#define MAX_DEVICE_PROGS 64

/* The ids of the device programs attached directly to the cgroup at fd; -1 with errno on failure. */
static int query_device_progs(int dirfd, __u32 *ids, __u32 *count) {
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.query.target_fd = (__u32)dirfd;
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = (__u64)(unsigned long)ids;
  attr.query.prog_cnt = MAX_DEVICE_PROGS;
  if (sys_bpf(BPF_PROG_QUERY, &attr) < 0) return -1;
  *count = attr.query.prog_cnt < MAX_DEVICE_PROGS ? attr.query.prog_cnt : MAX_DEVICE_PROGS;
  return 0;
}

/*
 * attachDeviceFilter(cgroupDir, insns: Buffer): loads the program (struct
 * bpf_insn array), attaches it to the cgroup with BPF_F_ALLOW_MULTI, then
 * detaches the device programs that were attached before, so calling it
 * again replaces the filter instead of stacking a second one. The cgroup
 * keeps the program alive; no fd stays open.
 */
static napi_value js_attach_device_filter(napi_env env, napi_callback_info info) {
  ARGS(2);
  char *dir = string_arg(env, argv, 0);
  if (!dir) return NULL;
  void *insns;
  size_t len;
  napi_value result = undefined(env);
  int dirfd = -1, progfd = -1;
  char *log = NULL;
  if (napi_get_buffer_info(env, argv[1], &insns, &len) != napi_ok || len == 0 || len % sizeof(struct bpf_insn)) {
    napi_throw_type_error(env, NULL, "insns must be a Buffer of struct bpf_insn");
    result = NULL;
    goto out;
  }
  dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0) {
    result = throw_errno(env, errno, "open", dir);
    goto out;
  }
  __u32 old[MAX_DEVICE_PROGS], nold = 0;
  if (query_device_progs(dirfd, old, &nold) < 0) {
    result = throw_errno(env, errno, "bpf(BPF_PROG_QUERY)", dir);
    goto out;
  }

  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (__u64)(unsigned long)insns;
  attr.insn_cnt = (__u32)(len / sizeof(struct bpf_insn));
  attr.license = (__u64)(unsigned long)"MIT";
  /* the verifier gives up with EAGAIN when a signal arrives meanwhile (SIGCHLD
     in a busy engine): try again, as libbpf does */
  for (int attempt = 0; attempt < 10; attempt++) {
    progfd = sys_bpf(BPF_PROG_LOAD, &attr);
    if (progfd >= 0 || errno != EAGAIN) break;
  }
  if (progfd < 0 && (errno == EACCES || errno == EINVAL)) {
    /* the verifier refused: load again with its log, for the message */
    int saved = errno;
    const size_t logsize = 64 * 1024;
    log = calloc(1, logsize);
    attr.log_buf = (__u64)(unsigned long)log;
    attr.log_size = (__u32)logsize;
    attr.log_level = 1;
    sys_bpf(BPF_PROG_LOAD, &attr);
    char what[512];
    size_t n = strlen(log);
    while (n > 0 && log[n - 1] == '\n') log[--n] = 0;
    /* the log ends with the error, then a line of statistics ("processed N insns ...") */
    char *last = strrchr(log, '\n');
    if (last && strncmp(last + 1, "processed ", 10) == 0) {
      *last = 0;
      last = strrchr(log, '\n');
    }
    snprintf(what, sizeof what, "bpf(BPF_PROG_LOAD) [verifier: %s]", last ? last + 1 : log);
    result = throw_errno(env, saved, what, dir);
    goto out;
  }
  if (progfd < 0) {
    result = throw_errno(env, errno, "bpf(BPF_PROG_LOAD)", dir);
    goto out;
  }

  memset(&attr, 0, sizeof attr);
  attr.target_fd = (__u32)dirfd;
  attr.attach_bpf_fd = (__u32)progfd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0) {
    result = throw_errno(env, errno, "bpf(BPF_PROG_ATTACH)", dir);
    goto out;
  }

  for (__u32 i = 0; i < nold; i++) {
    memset(&attr, 0, sizeof attr);
    attr.prog_id = old[i];
    int oldfd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
    if (oldfd < 0) {
      if (errno == ENOENT) continue; /* detached meanwhile */
      result = throw_errno(env, errno, "bpf(BPF_PROG_GET_FD_BY_ID)", dir);
      goto out;
    }
    memset(&attr, 0, sizeof attr);
    attr.target_fd = (__u32)dirfd;
    attr.attach_bpf_fd = (__u32)oldfd;
    attr.attach_type = BPF_CGROUP_DEVICE;
    int rc = sys_bpf(BPF_PROG_DETACH, &attr);
    int err = errno;
    close(oldfd);
    if (rc < 0 && err != ENOENT) {
      result = throw_errno(env, err, "bpf(BPF_PROG_DETACH)", dir);
      goto out;
    }
  }
out:
  if (progfd >= 0) close(progfd);
  if (dirfd >= 0) close(dirfd);
  free(log);
  free(dir);
  return result;
}

/* deviceFilters(cgroupDir) → ids of the device programs attached directly to that cgroup. */
static napi_value js_device_filters(napi_env env, napi_callback_info info) {
  ARGS(1);
  char *dir = string_arg(env, argv, 0);
  if (!dir) return NULL;
  napi_value result;
  __u32 ids[MAX_DEVICE_PROGS], n = 0;
  int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0) {
    result = throw_errno(env, errno, "open", dir);
  } else if (query_device_progs(dirfd, ids, &n) < 0) {
    result = throw_errno(env, errno, "bpf(BPF_PROG_QUERY)", dir);
  } else {
    napi_create_array(env, &result);
    for (__u32 i = 0; i < n; i++) {
      napi_value v;
      napi_create_uint32(env, ids[i], &v);
      napi_set_element(env, result, i, v);
    }
  }
  if (dirfd >= 0) close(dirfd);
  free(dir);
  return result;
}

/* netnsCreate(path): a new network namespace bound at path, lo up. */
static napi_value js_netns_create(napi_env env, napi_callback_info info) {
  ARGS(1);
  char *path = string_arg(env, argv, 0);
  if (!path) return NULL;
  const char *step = "";
  int err = nl_netns_create(path, &step);
  napi_value result = err < 0 ? throw_errno(env, -err, step, path) : undefined(env);
  free(path);
  return result;
}

/* bridgeCreate(name, address, prefix) */
static napi_value js_bridge_create(napi_env env, napi_callback_info info) {
  ARGS(3);
  char *name = string_arg(env, argv, 0);
  if (!name) return NULL;
  char *address = string_arg(env, argv, 1);
  napi_value result = NULL;
  if (address) {
    const char *step = "";
    int err = nl_bridge_create(name, address, (int)int_arg(env, argv, 2), &step);
    result = err < 0 ? throw_errno(env, -err, step, name) : undefined(env);
  }
  free(address);
  free(name);
  return result;
}

/* linkDelete(name) */
static napi_value js_link_delete(napi_env env, napi_callback_info info) {
  ARGS(1);
  char *name = string_arg(env, argv, 0);
  if (!name) return NULL;
  const char *step = "";
  int err = nl_link_delete(name, &step);
  napi_value result = err < 0 ? throw_errno(env, -err, step, name) : undefined(env);
  free(name);
  return result;
}

/* plumbEndpoint(netnsPath, hostInterface, interface, bridge, address, prefix, gateway) — gateway '' for no default route. */
static napi_value js_plumb_endpoint(napi_env env, napi_callback_info info) {
  ARGS(7);
  char *strings[6] = {0};
  const size_t positions[6] = {0, 1, 2, 3, 4, 6};
  napi_value result = NULL;
  for (size_t i = 0; i < 6; i++)
    if (!(strings[i] = string_arg(env, argv, positions[i]))) goto out;
  const char *step = "";
  int err = nl_endpoint(strings[0], strings[1], strings[2], strings[3], strings[4], (int)int_arg(env, argv, 5), strings[5], &step);
  result = err < 0 ? throw_errno(env, -err, step, strings[1]) : undefined(env);
out:
  for (size_t i = 0; i < 6; i++) free(strings[i]);
  return result;
}

/*
 * openat2(dirfd, path, flags, resolve[, mode]) -> fd: a path opened inside a
 * root the caller does not trust (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS: a
 * container's symlinks, "..", and /proc magic links cannot lead out of it).
 * O_CLOEXEC is always added.
 */
static napi_value js_openat2(napi_env env, napi_callback_info info) {
  ARGS(4);
  char *path = path_arg(env, argv, 1);
  if (!path) return NULL;
  struct open_how how = {
      .flags = (uint64_t)int_arg(env, argv, 2) | O_CLOEXEC,
      .resolve = (uint64_t)int_arg(env, argv, 3),
      .mode = argc > 4 ? (uint64_t)int_arg(env, argv, 4) : 0,
  };
  if (!(how.flags & (O_CREAT | O_TMPFILE))) how.mode = 0; /* the kernel refuses a mode it will not use */
  /* EAGAIN: a rename raced the lookup. Retried, but not forever: a container renaming in a loop must not hang berth. */
  long fd;
  int tries = 0;
  do fd = syscall(SYS_openat2, (int)int_arg(env, argv, 0), path, &how, sizeof how);
  while (fd < 0 && (errno == EINTR || (errno == EAGAIN && ++tries < 64)));
  napi_value result = NULL;
  if (fd < 0) throw_errno(env, errno, "openat2", path);
  else napi_create_int32(env, (int32_t)fd, &result);
  free(path);
  return result;
}

static void export_fn(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn);
  napi_set_named_property(env, exports, name, fn);
}

static void export_int(napi_env env, napi_value exports, const char *name, int64_t v) {
  napi_value n;
  napi_create_int64(env, v, &n);
  napi_set_named_property(env, exports, name, n);
}

static napi_value init(napi_env env, napi_value exports) {
  export_fn(env, exports, "mknod", js_mknod);
  export_fn(env, exports, "lsetxattr", js_lsetxattr);
  export_fn(env, exports, "lgetxattr", js_lgetxattr);
  export_fn(env, exports, "llistxattr", js_llistxattr);
  export_fn(env, exports, "mount", js_mount);
  export_fn(env, exports, "umount2", js_umount2);
  export_fn(env, exports, "flock", js_flock);
  export_fn(env, exports, "attachDeviceFilter", js_attach_device_filter);
  export_fn(env, exports, "deviceFilters", js_device_filters);
  export_fn(env, exports, "netnsCreate", js_netns_create);
  export_fn(env, exports, "bridgeCreate", js_bridge_create);
  export_fn(env, exports, "linkDelete", js_link_delete);
  export_fn(env, exports, "plumbEndpoint", js_plumb_endpoint);
  export_fn(env, exports, "openat2", js_openat2);
  export_int(env, exports, "O_PATH", O_PATH);
  export_int(env, exports, "RESOLVE_IN_ROOT", RESOLVE_IN_ROOT);
  export_int(env, exports, "RESOLVE_NO_MAGICLINKS", RESOLVE_NO_MAGICLINKS);
  export_int(env, exports, "RESOLVE_NO_SYMLINKS", RESOLVE_NO_SYMLINKS);
  export_int(env, exports, "MS_SHARED", MS_SHARED);
  export_int(env, exports, "MS_RDONLY", MS_RDONLY);
  export_int(env, exports, "MS_NOSUID", MS_NOSUID);
  export_int(env, exports, "MS_NODEV", MS_NODEV);
  export_int(env, exports, "MS_BIND", MS_BIND);
  export_int(env, exports, "MS_REC", MS_REC);
  export_int(env, exports, "MNT_DETACH", MNT_DETACH);
  export_int(env, exports, "LOCK_SH", LOCK_SH);
  export_int(env, exports, "LOCK_EX", LOCK_EX);
  export_int(env, exports, "LOCK_UN", LOCK_UN);
  export_int(env, exports, "LOCK_NB", LOCK_NB);
  export_int(env, exports, "S_IFCHR", S_IFCHR);
  export_int(env, exports, "S_IFBLK", S_IFBLK);
  export_int(env, exports, "S_IFIFO", S_IFIFO);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
