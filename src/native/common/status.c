#define _GNU_SOURCE
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int status_open(const char *path, struct berth_error *err) {
  int fd;
  /* A reader that went away must make write(2) fail with EPIPE, not kill the helper before it can say why. */
  signal(SIGPIPE, SIG_IGN);
  do fd = open(path, O_WRONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) return berth_fail(err, errno, "open status fifo %s", path);
  return fd;
}

/* One write(2) of at most PIPE_BUF bytes is atomic on a FIFO, so lines never interleave. */
int status_send_line(int fd, const char *line, size_t len) {
  ssize_t n;
  do n = write(fd, line, len);
  while (n < 0 && errno == EINTR);
  if (n < 0) return -1;
  if ((size_t)n != len) {
    errno = EIO;
    return -1;
  }
  return 0;
}

int status_send_pid(int fd, pid_t pid, struct berth_error *err) {
  char line[32];
  int len = snprintf(line, sizeof line, "pid %d\n", (int)pid);
  if (status_send_line(fd, line, (size_t)len) < 0) return berth_fail(err, errno, "write pid to status fifo");
  return 0;
}

void status_send_error(int fd, const char *program, const struct berth_error *error) {
  char line[PIPE_BUF];
  int len;
  if (fd >= 0) {
    len = snprintf(line, sizeof line, "error %d %s", error->exit_code, error->message);
    if (len < 0) return;
    if ((size_t)len >= sizeof line - 1) len = sizeof line - 2; /* truncated: keep room for the newline */
    line[len++] = '\n';
    if (status_send_line(fd, line, (size_t)len) == 0) return;
  }
  dprintf(STDERR_FILENO, "%s: %s\n", program, error->message);
}
