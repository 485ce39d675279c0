#define _GNU_SOURCE
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Newlines would break the one-line status protocol (SPEC.md), so they become spaces. */
static void flatten(char *message) {
  for (char *p = message; *p; p++)
    if (*p == '\n' || *p == '\r') *p = ' ';
}

static void fill(struct berth_error *err, int exit_code, int errnum, const char *suffix, const char *fmt,
                 va_list ap) {
  err->exit_code = exit_code;
  err->errnum = errnum;
  int n = vsnprintf(err->message, sizeof err->message, fmt, ap);
  if (suffix && n >= 0 && (size_t)n < sizeof err->message)
    snprintf(err->message + n, sizeof err->message - (size_t)n, ": %s", suffix);
  flatten(err->message);
}

int berth_fail(struct berth_error *err, int errnum, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fill(err, BERTH_EXIT_FAILURE, errnum, errnum ? strerror(errnum) : NULL, fmt, ap);
  va_end(ap);
  return -1;
}

int berth_fail_exit(struct berth_error *err, int exit_code, int errnum, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fill(err, exit_code, errnum, NULL, fmt, ap);
  va_end(ap);
  return -1;
}
