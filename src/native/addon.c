/*
 * berth's N-API addon: only the system calls Node cannot make itself
 * (DESIGN §2.5). Every function is synchronous and throws an Error shaped
 * like Node's fs errors (code, errno, syscall, path) so callers handle both
 * the same way.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define MAX_ARGS 6

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
  char *path = string_arg(env, argv, 0);
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
  char *path = string_arg(env, argv, 0);
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
  char *path = string_arg(env, argv, 0);
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
  char *path = string_arg(env, argv, 0);
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
