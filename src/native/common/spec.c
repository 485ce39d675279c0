#define _GNU_SOURCE
#include "spec.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "cleanup.h"

#define MAX_FIELDS 8

/* Where a directive came from, for messages: "init.spec:12: …". */
struct where {
  const char *path;
  unsigned int line;
};

static int bad(struct berth_error *err, const struct where *at, const char *fmt, const char *value) {
  return berth_fail(err, 0, "%s:%u: %s%s%s", at->path, at->line, fmt, value ? " " : "", value ? value : "");
}

/* Undoes SPEC.md's escaping in place: \\ \t \n; any other backslash is an error. */
static int unescape(char *field) {
  char *out = field;
  for (const char *in = field; *in; in++) {
    if (*in != '\\') {
      *out++ = *in;
      continue;
    }
    switch (*++in) {
    case '\\': *out++ = '\\'; break;
    case 't': *out++ = '\t'; break;
    case 'n': *out++ = '\n'; break;
    default: return -1;
    }
  }
  *out = '\0';
  return 0;
}

/* Appends one element to a malloc'd array. */
static int push(void *array, size_t *n, size_t size, const void *item) {
  void **slot = array;
  char *grown = realloc(*slot, (*n + 1) * size);
  if (!grown) return -1;
  memcpy(grown + *n * size, item, size);
  *slot = grown;
  (*n)++;
  return 0;
}

/* Appends a copy of `s` to a NULL-terminated string array. */
static int push_string(char ***array, size_t *n, const char *s) {
  char **grown = realloc(*array, (*n + 2) * sizeof **array);
  if (!grown) return -1;
  *array = grown;
  if (!(grown[*n] = strdup(s))) return -1;
  grown[++*n] = NULL;
  return 0;
}

/* A decimal number in [min, max], the whole field. */
static int parse_number(const char *s, long long min, long long max, long long *out) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end || v < min || v > max) return -1;
  *out = v;
  return 0;
}

static int parse_id(const char *s, unsigned int *out) {
  long long v;
  if (parse_number(s, 0, UINT32_MAX - 1, &v) < 0) return -1;
  *out = (unsigned int)v;
  return 0;
}

/* An rlimit value: a decimal number, or "unlimited", "-1" or 2^64-1 for RLIM_INFINITY. */
static int parse_rlim(const char *s, rlim_t *out) {
  if (!strcmp(s, "unlimited") || !strcmp(s, "-1") || !strcmp(s, "18446744073709551615")) {
    *out = RLIM_INFINITY;
    return 0;
  }
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s || *end || s[0] == '-') return -1;
  *out = (rlim_t)v;
  return 0;
}

static const struct {
  const char *name;
  int resource;
} rlimit_names[] = {
    {"as", RLIMIT_AS},         {"core", RLIMIT_CORE},       {"cpu", RLIMIT_CPU},
    {"data", RLIMIT_DATA},     {"fsize", RLIMIT_FSIZE},     {"locks", RLIMIT_LOCKS},
    {"memlock", RLIMIT_MEMLOCK}, {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
    {"nofile", RLIMIT_NOFILE}, {"nproc", RLIMIT_NPROC},     {"rss", RLIMIT_RSS},
    {"rtprio", RLIMIT_RTPRIO}, {"rttime", RLIMIT_RTTIME},   {"sigpending", RLIMIT_SIGPENDING},
    {"stack", RLIMIT_STACK},
};

static const struct {
  const char *name;
  int flag;
} namespace_names[] = {
    {"mnt", CLONE_NEWNS}, {"uts", CLONE_NEWUTS}, {"ipc", CLONE_NEWIPC},
    {"pid", CLONE_NEWPID}, {"net", CLONE_NEWNET}, {"cgroup", CLONE_NEWCGROUP},
};

static int namespace_flag(const char *name) {
  for (size_t i = 0; i < sizeof namespace_names / sizeof *namespace_names; i++)
    if (!strcmp(name, namespace_names[i].name)) return namespace_names[i].flag;
  return 0;
}

static const struct {
  const char *name;
  unsigned long flags;
  unsigned long propagation;
} mount_options[] = {
    {"ro", MS_RDONLY, 0},          {"rw", 0, 0},
    {"nosuid", MS_NOSUID, 0},      {"nodev", MS_NODEV, 0},
    {"noexec", MS_NOEXEC, 0},      {"bind", MS_BIND, 0},
    {"rbind", MS_BIND | MS_REC, 0}, {"relatime", MS_RELATIME, 0},
    {"strictatime", MS_STRICTATIME, 0}, {"noatime", MS_NOATIME, 0},
    {"private", 0, MS_PRIVATE},    {"rprivate", 0, MS_PRIVATE | MS_REC},
    {"slave", 0, MS_SLAVE},        {"rslave", 0, MS_SLAVE | MS_REC},
    {"shared", 0, MS_SHARED},      {"rshared", 0, MS_SHARED | MS_REC},
};

/* Parses a comma list of mount_options into m; returns NULL, or the option it does not know. */
static const char *parse_mount_flags(char *list, struct spec_mount *m) {
  for (char *option; (option = strsep(&list, ","));) {
    if (!*option) continue;
    size_t i = 0;
    while (i < sizeof mount_options / sizeof *mount_options && strcmp(option, mount_options[i].name)) i++;
    if (i == sizeof mount_options / sizeof *mount_options) return option;
    m->flags |= mount_options[i].flags;
    if (mount_options[i].propagation) m->propagation = mount_options[i].propagation;
  }
  return NULL;
}

/* ---- one handler per directive: fields[0] is the keyword ---- */

typedef int directive_fn(struct spec *spec, char **fields, const struct where *at, struct berth_error *err);

#define OUT_OF_MEMORY(err) berth_fail(err, ENOMEM, "parse spec")

/* Replaces *slot with a copy of value; a directive given twice keeps the last. */
static int set_string(char **slot, const char *value, struct berth_error *err) {
  char *copy = strdup(value);
  if (!copy) return OUT_OF_MEMORY(err);
  free(*slot);
  *slot = copy;
  return 0;
}

static int d_status(struct spec *spec, char **f, const struct where *at, struct berth_error *err) {
  (void)at;
  return set_string(&spec->status, f[1], err);
}

static int d_rootfs(struct spec *spec, char **f, const struct where *at, struct berth_error *err) {
  if (f[1][0] != '/') return bad(err, at, "rootfs must be an absolute path:", f[1]);
  return set_string(&spec->rootfs, f[1], err);
}

static int d_readonly_rootfs(struct spec *spec, char **f, const struct where *at, struct berth_error *err) {
  (void)f, (void)at, (void)err;
  spec->readonly_rootfs = true;
  return 0;
}

static int d_hostname(struct spec *spec, char **f, const struct where *at, struct berth_error *err) {
  (void)at;
  return set_string(&spec->hostname, f[1], err);
}

static int d_cgroup(struct spec *spec, char **f, const struct where *at, struct berth_error *err) {
  (void)at;
  return push_string(&spec->cgroups, &spec->n_cgroups, f[1]) < 0 ? OUT_OF_MEMORY(err) : 0;
}

static int d_unshare(struct spec *spec, char **f, const struct where *at, struct berth_error *err) {
  int flag = namespace_flag(f[1]);
  if (!flag) return bad(err, at, "unknown namespace", f[1]);
  spec->unshare_flags |= flag;
  return 0;
}

static int d_join(struct spec *spec, char **f, const struct where *at, struct berth_error *err) {
  struct spec_join join = {.nstype = namespace_flag(f[1])};
  if (!join.nstype) return bad(err, at, "unknown namespace", f[1]);
  if (!(join.path = strdup(f[2])) || push(&spec->joins, &spec->n_joins, sizeof join, &join) < 0) {
    free(join.path);
    return OUT_OF_MEMORY(err);
  }
  return 0;
}

static int d_target(struct spec *spec, char **f, const struct where *at, struct berth_error *err) {
  long long pid;
  if (parse_number(f[1], 1, INT_MAX, &pid) < 0) return bad(err, at, "bad target pid", f[1]);
  spec->target = (pid_t)pid;
  return 0;
}

static int d_mount(struct spec *spec, char **f, const struct where *at, struct berth_error *err) {
  struct spec_mount m = {0};
  const char *unknown;
  if (f[3][0] != '/') return bad(err, at, "mount target must be an absolute path:", f[3]);
  if ((unknown = parse_mount_flags(f[4], &m))) return bad(err, at, "unknown mount flag", unknown);
  m.type = strdup(f[1]);
  m.source = strdup(f[2]);
  m.target = strdup(f[3]);
  m.data = strdup(f[5] ? f[5] : "");
  if (!m.type || !m.source || !m.target || !m.data || push(&spec->mounts, &spec->n_mounts, sizeof m, &m) < 0) {
    free(m.type), free(m.source), free(m.target), free(m.data);
    return OUT_OF_MEMORY(err);
  }
  return 0;
}

static int d_device(struct spec *spec, char **f, const struct where *at, struct berth_error *err) {
  struct spec_device d = {0};
  char *end;
  if (strncmp(f[1], "/dev/", 5)) return bad(err, at, "device path must be under /dev:", f[1]);
  if (!strcmp(f[2], "c")) d.type = S_IFCHR;
  else if (!strcmp(f[2], "b")) d.type = S_IFBLK;
  else if (!strcmp(f[2], "p")) d.type = S_IFIFO;
  else return bad(err, at, "device type must be c, b or p, not", f[2]);
  errno = 0;
  unsigned long mode = strtoul(f[5], &end, 8);
  if (parse_id(f[3], &d.major) < 0 || parse_id(f[4], &d.minor) < 0 || errno || end == f[5] || *end ||
      mode > 07777 || parse_id(f[6], &d.uid) < 0 || parse_id(f[7], &d.gid) < 0)
    return bad(err, at, "bad device numbers, mode or owner for", f[1]);
  d.mode = (mode_t)mode;
  if (!(d.path = strdup(f[1])) || push(&spec->devices, &spec->n_devices, sizeof d, &d) < 0) {
    free(d.path);
    return OUT_OF_MEMORY(err);
  }
  return 0;
}

static int d_masked(struct spec *spec, char **f, const struct where *at, struct berth_error *err) {
  if (f[1][0] != '/') return bad(err, at, "masked path must be absolute:", f[1]);
  return push_string(&spec->masked, &spec->n_masked, f[1]) < 0 ? OUT_OF_MEMORY(err) : 0;
}

static int d_readonly(struct spec *spec, char **f, const struct where *at, struct berth_error *err) {
  if (f[1][0] != '/') return bad(err, at, "readonly path must be absolute:", f[1]);
  return push_string(&spec->readonly, &spec->n_readonly, f[1]) < 0 ? OUT_OF_MEMORY(err) : 0;
}

static int d_no_new_privs(struct spec *spec, char **f, const struct where *at, struct berth_error *err) {
  (void)f, (void)at, (void)err;
  spec->no_new_privs = true;
  return 0;
}

static int d_caps(struct spec *spec, char **f, const struct where *at, struct berth_error *err) {
  uint64_t caps = 0;
  char *list = f[1];
  for (char *item; (item = strsep(&list, ","));) {
    long long n;
    if (!*item) continue;
    if (parse_number(item, 0, 63, &n) < 0) return bad(err, at, "bad capability number", item);
    caps |= UINT64_C(1) << n;
  }
  spec->caps = caps;
  return 0;
}

static int d_user(struct spec *spec, char **f, const struct where *at, struct berth_error *err) {
  if (parse_id(f[1], &spec->uid) < 0 || parse_id(f[2], &spec->gid) < 0)
    return bad(err, at, "bad uid or gid in", f[1]);
  return 0;
}

static int d_groups(struct spec *spec, char **f, const struct where *at, struct berth_error *err) {
  char *list = f[1];
  free(spec->groups);
  spec->groups = NULL;
  spec->n_groups = 0;
  for (char *item; (item = strsep(&list, ","));) {
    gid_t gid;
    if (!*item) continue;
    if (parse_id(item, &gid) < 0) return bad(err, at, "bad group id", item);
    if (push(&spec->groups, &spec->n_groups, sizeof gid, &gid) < 0) return OUT_OF_MEMORY(err);
  }
  return 0;
}

static int d_seccomp(struct spec *spec, char **f, const struct where *at, struct berth_error *err) {
  if (!strcmp(f[1], "default")) spec->seccomp = SPEC_SECCOMP_DEFAULT;
  else if (!strcmp(f[1], "unconfined")) spec->seccomp = SPEC_SECCOMP_UNCONFINED;
  else return bad(err, at, "seccomp must be default or unconfined, not", f[1]);
  return 0;
}

static int d_cgroupfs(struct spec *spec, char **f, const struct where *at, struct berth_error *err) {
  if (!strcmp(f[1], "ro")) spec->cgroupfs = SPEC_CGROUPFS_RO;
  else if (!strcmp(f[1], "rw")) spec->cgroupfs = SPEC_CGROUPFS_RW;
  else return bad(err, at, "cgroupfs access must be ro or rw, not", f[1]);
  if (!strcmp(f[2], "v1")) spec->cgroupfs_layout = SPEC_CGROUPFS_V1;
  else if (!strcmp(f[2], "hybrid")) spec->cgroupfs_layout = SPEC_CGROUPFS_HYBRID;
  else if (!strcmp(f[2], "v2")) spec->cgroupfs_layout = SPEC_CGROUPFS_V2;
  else return bad(err, at, "cgroupfs layout must be v1, hybrid or v2, not", f[2]);
  return 0;
}

static int d_cwd(struct spec *spec, char **f, const struct where *at, struct berth_error *err) {
  if (f[1][0] != '/') return bad(err, at, "cwd must be an absolute path:", f[1]);
  return set_string(&spec->cwd, f[1], err);
}

static int d_env(struct spec *spec, char **f, const struct where *at, struct berth_error *err) {
  if (!strchr(f[1], '=')) return bad(err, at, "env must be KEY=value, not", f[1]);
  return push_string(&spec->env, &spec->n_env, f[1]) < 0 ? OUT_OF_MEMORY(err) : 0;
}

static int d_arg(struct spec *spec, char **f, const struct where *at, struct berth_error *err) {
  (void)at;
  return push_string(&spec->argv, &spec->n_args, f[1]) < 0 ? OUT_OF_MEMORY(err) : 0;
}

static int d_rlimit(struct spec *spec, char **f, const struct where *at, struct berth_error *err) {
  struct spec_rlimit r = {.resource = -1};
  const char *name = strncasecmp(f[1], "RLIMIT_", 7) ? f[1] : f[1] + 7;
  for (size_t i = 0; i < sizeof rlimit_names / sizeof *rlimit_names; i++)
    if (!strcasecmp(name, rlimit_names[i].name)) {
      r.resource = rlimit_names[i].resource;
      r.name = rlimit_names[i].name;
    }
  if (r.resource < 0) return bad(err, at, "unknown rlimit", f[1]);
  if (parse_rlim(f[2], &r.soft) < 0 || parse_rlim(f[3], &r.hard) < 0 || r.soft > r.hard)
    return bad(err, at, "bad rlimit values for", f[1]);
  return push(&spec->rlimits, &spec->n_rlimits, sizeof r, &r) < 0 ? OUT_OF_MEMORY(err) : 0;
}

#define BOTH (SPEC_FOR_INIT | SPEC_FOR_NSENTER)

static const struct directive {
  const char *keyword;
  unsigned int readers;
  int min_fields, max_fields; /* not counting the keyword */
  directive_fn *parse;
} directives[] = {
    {"status", BOTH, 1, 1, d_status},
    {"rootfs", SPEC_FOR_INIT, 1, 1, d_rootfs},
    {"readonly_rootfs", SPEC_FOR_INIT, 0, 0, d_readonly_rootfs},
    {"hostname", SPEC_FOR_INIT, 1, 1, d_hostname},
    {"cgroup", BOTH, 1, 1, d_cgroup},
    {"unshare", SPEC_FOR_INIT, 1, 1, d_unshare},
    {"join", BOTH, 2, 2, d_join},
    {"target", SPEC_FOR_NSENTER, 1, 1, d_target},
    {"mount", SPEC_FOR_INIT, 4, 5, d_mount},
    {"device", SPEC_FOR_INIT, 7, 7, d_device},
    {"masked", SPEC_FOR_INIT, 1, 1, d_masked},
    {"readonly", SPEC_FOR_INIT, 1, 1, d_readonly},
    {"cgroupfs", SPEC_FOR_INIT, 2, 2, d_cgroupfs},
    {"no_new_privs", BOTH, 0, 0, d_no_new_privs},
    {"caps", BOTH, 1, 1, d_caps},
    {"user", BOTH, 2, 2, d_user},
    {"groups", BOTH, 1, 1, d_groups},
    {"seccomp", BOTH, 1, 1, d_seccomp},
    {"cwd", BOTH, 1, 1, d_cwd},
    {"env", BOTH, 1, 1, d_env},
    {"arg", BOTH, 1, 1, d_arg},
    {"rlimit", BOTH, 3, 3, d_rlimit},
};

static int parse_line(struct spec *spec, char *line, enum spec_reader reader, const struct where *at,
                      struct berth_error *err) {
  char *fields[MAX_FIELDS + 2] = {0};
  int n = 0;
  for (char *field; (field = strsep(&line, "\t"));) {
    if (n == MAX_FIELDS + 1) return bad(err, at, "too many fields", NULL);
    if (unescape(field) < 0) return bad(err, at, "bad escape in", field);
    fields[n++] = field;
  }
  for (size_t i = 0; i < sizeof directives / sizeof *directives; i++) {
    const struct directive *d = &directives[i];
    if (strcmp(fields[0], d->keyword)) continue;
    if (!(d->readers & reader)) return bad(err, at, "directive not for this helper:", fields[0]);
    if (n - 1 < d->min_fields || n - 1 > d->max_fields) return bad(err, at, "wrong number of fields for", fields[0]);
    return d->parse(spec, fields, at, err);
  }
  return bad(err, at, "unknown directive", fields[0]);
}

/* What a spec must say, and what it may leave to the defaults. */
static int complete(struct spec *spec, enum spec_reader reader, const char *path, struct berth_error *err) {
  if (!spec->status) return berth_fail(err, 0, "%s: no status directive", path);
  if (!spec->n_args || !spec->argv[0][0]) return berth_fail(err, 0, "%s: no command specified", path);
  if (reader == SPEC_FOR_INIT) {
    if (!spec->rootfs) return berth_fail(err, 0, "%s: no rootfs directive", path);
    if (!(spec->unshare_flags & CLONE_NEWNS))
      return berth_fail(err, 0, "%s: berth-init needs \"unshare mnt\": it must not mount in the host's mount namespace",
                        path);
    if (spec->hostname && !(spec->unshare_flags & CLONE_NEWUTS))
      return berth_fail(err, 0, "%s: hostname needs \"unshare uts\": it must not rename the host", path);
    if (spec->cgroupfs && !(spec->unshare_flags & CLONE_NEWCGROUP))
      return berth_fail(err, 0, "%s: cgroupfs needs \"unshare cgroup\": it must not show the host's cgroups", path);
  }
  if (reader == SPEC_FOR_NSENTER && !spec->target) return berth_fail(err, 0, "%s: no target directive", path);
  if (!spec->cwd && set_string(&spec->cwd, "/", err) < 0) return -1;
  if (!spec->env && !(spec->env = calloc(1, sizeof *spec->env))) return OUT_OF_MEMORY(err);
  return 0;
}

int spec_load(const char *path, enum spec_reader reader, struct spec *spec, struct berth_error *err) {
  cleanup_free char *line = NULL;
  size_t size = 0;
  struct where at = {path, 0};
  FILE *file = fopen(path, "re");
  if (!file) return berth_fail(err, errno, "open spec %s", path);

  *spec = (struct spec){.seccomp = SPEC_SECCOMP_DEFAULT};
  int rc = 0;
  ssize_t len;
  while (rc == 0 && (len = getline(&line, &size, file)) >= 0) {
    at.line++;
    if (len > 0 && line[len - 1] == '\n') line[--len] = '\0';
    if ((size_t)len != strlen(line)) rc = bad(err, &at, "NUL byte in line", NULL);
    else if (at.line == 1 && strcmp(line, "version\t1")) rc = bad(err, &at, "first line must be \"version<TAB>1\"", NULL);
    else if (at.line > 1 && len > 0) rc = parse_line(spec, line, reader, &at, err);
  }
  if (rc == 0 && ferror(file)) rc = berth_fail(err, errno, "read spec %s", path);
  fclose(file);
  if (rc < 0) return -1;
  if (at.line == 0) return berth_fail(err, 0, "%s: empty spec", path);
  return complete(spec, reader, path, err);
}

static void free_strings(char **strings, size_t n) {
  for (size_t i = 0; i < n; i++) free(strings[i]);
  free(strings);
}

void spec_free(struct spec *spec) {
  free(spec->status);
  free(spec->rootfs);
  free(spec->hostname);
  for (size_t i = 0; i < spec->n_mounts; i++) {
    struct spec_mount *m = &spec->mounts[i];
    free(m->type), free(m->source), free(m->target), free(m->data);
  }
  free(spec->mounts);
  for (size_t i = 0; i < spec->n_devices; i++) free(spec->devices[i].path);
  free(spec->devices);
  free_strings(spec->masked, spec->n_masked);
  free_strings(spec->readonly, spec->n_readonly);
  free_strings(spec->cgroups, spec->n_cgroups);
  for (size_t i = 0; i < spec->n_joins; i++) free(spec->joins[i].path);
  free(spec->joins);
  free(spec->groups);
  free(spec->cwd);
  free_strings(spec->env, spec->n_env);
  free_strings(spec->argv, spec->n_args);
  free(spec->rlimits);
  *spec = (struct spec){0};
}
