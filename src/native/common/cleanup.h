/*
 * Cleanup attributes (as crun's utils.h has them): a variable declared
 * `cleanup_close int fd = -1;` is closed however its scope is left, so an
 * early `return -1` cannot leak. Closing keeps errno, which the caller may
 * still be about to report.
 */
#ifndef BERTH_CLEANUP_H
#define BERTH_CLEANUP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cleanup_close_fd(int *fd) {
  if (*fd >= 0) {
    int saved = errno;
    close(*fd);
    errno = saved;
  }
}

static inline void cleanup_free_ptr(void *p) {
  free(*(void **)p);
}

static inline void cleanup_fclose_file(FILE **file) {
  if (*file) fclose(*file);
}

#define cleanup_close __attribute__((cleanup(cleanup_close_fd)))
#define cleanup_fclose __attribute__((cleanup(cleanup_fclose_file)))
#define cleanup_free __attribute__((cleanup(cleanup_free_ptr)))

/* Closes *fd now and marks it closed, so its cleanup does nothing later. */
static inline void close_and_reset(int *fd) {
  cleanup_close_fd(fd);
  *fd = -1;
}

#endif
