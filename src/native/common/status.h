/*
 * The status FIFO (SPEC.md): the helper writes "pid <n>\n" once the process
 * exists, and "error <exit code> <message>\n" if it fails before execve; the
 * reader's EOF after the pid line alone means "started". Only the helper's
 * outer process writes it (supervise.h): the child's lines come through a
 * pipe, with the same functions.
 */
#ifndef BERTH_STATUS_H
#define BERTH_STATUS_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* Opens the FIFO for writing; blocks until the reader (the shim) has opened it. */
int status_open(const char *path, struct berth_error *err);

int status_send_pid(int fd, pid_t pid, struct berth_error *err);

/* One line of at most PIPE_BUF bytes in one write(2); -1 with errno on failure. */
int status_send_line(int fd, const char *line, size_t len);

/*
 * Reports a failure: an "error" line on the FIFO when it is open (fd >= 0),
 * otherwise "<program>: <message>" on stderr. Best effort: there is nobody
 * left to report a failure of this to.
 */
void status_send_error(int fd, const char *program, const struct berth_error *error);

#endif
