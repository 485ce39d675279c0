/*
 * Errors in berth's helpers, after crun's convention
 * (design-docs/error_handling.md there): a step that can fail takes a
 * `struct berth_error *`, and on failure returns -1 having filled it with the
 * exit code, the errno and one line naming the step, its argument and the
 * cause. On success it leaves the error untouched. Only main() turns an error
 * into output and an exit status.
 */
#ifndef BERTH_ERROR_H
#define BERTH_ERROR_H

/* Exit codes of SPEC.md, which are Docker's. */
enum berth_exit {
  BERTH_EXIT_FAILURE = 125,     /* anything that fails before execve */
  BERTH_EXIT_CANNOT_EXEC = 126, /* the command exists but cannot be run */
  BERTH_EXIT_NOT_FOUND = 127,   /* there is no such command */
};

struct berth_error {
  int exit_code;      /* an enum berth_exit; 0 while nothing failed */
  int errnum;         /* errno of the failed call, 0 when there was none */
  char message[1024]; /* one line, e.g. "mount proc on /proc: Operation not permitted" */
};

/*
 * Fills `err` with exit code 125 and the message `fmt…`, followed by
 * ": strerror(errnum)" when errnum is not 0. Returns -1, so a step ends with
 * `return berth_fail(err, errno, "mount %s on %s", type, target);`.
 */
int berth_fail(struct berth_error *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like berth_fail with an explicit exit code and a message written whole by the caller. */
int berth_fail_exit(struct berth_error *err, int exit_code, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
