#define _GNU_SOURCE
#include "selfexe.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3: say explicitly that the memfd is executable */
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

static int is_sealed_copy(int exe_fd) {
  int seals = fcntl(exe_fd, F_GET_SEALS);
  return seals >= 0 && (seals & SEALS) == SEALS;
}

/* A memfd holding a copy of the file at exe_fd, sealed. */
static int sealed_copy(int exe_fd, const char *name, struct berth_error *err) {
  cleanup_close int memfd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (memfd < 0 && errno == EINVAL) /* a kernel before 6.3 does not know MFD_EXEC */
    memfd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (memfd < 0) return berth_fail(err, errno, "memfd_create %s", name);

  struct stat st;
  if (fstat(exe_fd, &st) < 0) return berth_fail(err, errno, "fstat /proc/self/exe");
  for (off_t done = 0; done < st.st_size;) {
    ssize_t n = sendfile(memfd, exe_fd, NULL, (size_t)(st.st_size - done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return berth_fail(err, n < 0 ? errno : EIO, "copy /proc/self/exe to a memfd");
    done += n;
  }
  if (fchmod(memfd, 0555) < 0) return berth_fail(err, errno, "fchmod memfd");
  if (fcntl(memfd, F_ADD_SEALS, SEALS) < 0) return berth_fail(err, errno, "seal memfd");

  int fd = memfd;
  memfd = -1;
  return fd;
}

int selfexe_ensure_sealed(char **argv, char **envp, const char *name, struct berth_error *err) {
  cleanup_close int exe_fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (exe_fd < 0) return berth_fail(err, errno, "open /proc/self/exe");
  if (is_sealed_copy(exe_fd)) {
    /* fexecve named the process after the fd ("3"); give it its own name back. */
    prctl(PR_SET_NAME, name, 0, 0, 0);
    return 0;
  }

  cleanup_close int copy = sealed_copy(exe_fd, name, err);
  if (copy < 0) return -1;
  close_and_reset(&exe_fd);
  /* The copy is close-on-exec: fexecve of an ELF binary (not a script) works
   * with that, and the fd does not leak into the new image. */
  fexecve(copy, argv, envp);
  return berth_fail(err, errno, "fexecve sealed copy of %s", name);
}
