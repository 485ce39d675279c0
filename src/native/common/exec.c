#define _GNU_SOURCE
#include "exec.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Go's (and so Docker's) error strings are lower case: "no such file or directory". */
static const char *go_strerror(int errnum, char *buf, size_t size) {
  snprintf(buf, size, "%s", strerror(errnum));
  buf[0] = (char)tolower((unsigned char)buf[0]);
  return buf;
}

static bool is_executable_file(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && !S_ISDIR(st.st_mode) && faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) == 0;
}

static const char *path_variable(char *const envp[]) {
  const char *path = NULL;
  for (size_t i = 0; envp[i]; i++) /* the last PATH wins, as in Go's os.Getenv after a duplicate */
    if (!strncmp(envp[i], "PATH=", 5)) path = envp[i] + 5;
  return path ? path : BERTH_DEFAULT_PATH;
}

/* Fills `found` with the first dir/name of PATH that is an executable file; -1 if none is. */
static int look_path(const char *name, const char *path, char found[PATH_MAX]) {
  for (const char *dir = path;; dir++) {
    const char *end = strchrnul(dir, ':');
    int dir_len = (int)(end - dir);
    /* An empty entry means the current directory. */
    int n = dir_len ? snprintf(found, PATH_MAX, "%.*s/%s", dir_len, dir, name)
                    : snprintf(found, PATH_MAX, "./%s", name);
    if (n > 0 && n < PATH_MAX && is_executable_file(found)) return 0;
    if (!*end) return -1;
    dir = end;
  }
}

/* Checks a command given as a path, as Go's exec.LookPath does before execve. */
static int check_path(const char *name, struct berth_error *err) {
  char reason[128];
  struct stat st;
  if (stat(name, &st) < 0) {
    int code = (errno == ENOENT || errno == ENOTDIR) ? BERTH_EXIT_NOT_FOUND : BERTH_EXIT_CANNOT_EXEC;
    return berth_fail_exit(err, code, errno, "exec: \"%s\": stat %s: %s", name, name,
                           go_strerror(errno, reason, sizeof reason));
  }
  if (S_ISDIR(st.st_mode) || faccessat(AT_FDCWD, name, X_OK, AT_EACCESS) < 0)
    return berth_fail_exit(err, BERTH_EXIT_CANNOT_EXEC, EACCES, "exec: \"%s\": permission denied", name);
  return 0;
}

int exec_command(char *const argv[], char *const envp[], struct berth_error *err) {
  const char *name = argv[0];
  char found[PATH_MAX];
  char reason[128];

  if (strchr(name, '/')) {
    if (check_path(name, err) < 0) return -1;
    snprintf(found, sizeof found, "%s", name);
  } else if (look_path(name, path_variable(envp), found) < 0) {
    return berth_fail_exit(err, BERTH_EXIT_NOT_FOUND, ENOENT, "exec: \"%s\": executable file not found in $PATH",
                           name);
  }

  execve(found, argv, envp);

  /* ENOENT after a successful lookup: the script's interpreter (#!) or the ELF loader is missing. */
  int code = (errno == ENOENT || errno == ENOTDIR) ? BERTH_EXIT_NOT_FOUND : BERTH_EXIT_CANNOT_EXEC;
  return berth_fail_exit(err, code, errno, "exec: \"%s\": %s", name, go_strerror(errno, reason, sizeof reason));
}
