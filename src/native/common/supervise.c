#define _GNU_SOURCE
#include "supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "status.h"

static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT};

static void supervised_signals(sigset_t *set) {
  sigemptyset(set);
  for (size_t i = 0; i < sizeof forwarded / sizeof *forwarded; i++) sigaddset(set, forwarded[i]);
  sigaddset(set, SIGCHLD);
}

pid_t supervisor_fork(struct supervisor *sup, struct berth_error *err) {
  int release[2], report[2];
  sigset_t set;
  *sup = (struct supervisor){.release_read = -1, .release_write = -1, .report_read = -1, .report_write = -1};

  if (pipe2(release, O_CLOEXEC) < 0) return berth_fail(err, errno, "pipe2");
  sup->release_read = release[0];
  sup->release_write = release[1];
  if (pipe2(report, O_CLOEXEC) < 0) return berth_fail(err, errno, "pipe2");
  sup->report_read = report[0];
  sup->report_write = report[1];
  supervised_signals(&set);
  if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) return berth_fail(err, errno, "sigprocmask");

  sup->child = fork();
  if (sup->child < 0) return berth_fail(err, errno, "fork");
  return sup->child;
}

int supervisor_child_start(struct supervisor *sup, int *status_fd, struct berth_error *err) {
  char go;
  ssize_t n;
  sigset_t none;

  close_and_reset(status_fd);
  *status_fd = sup->report_write;
  sup->report_write = -1;
  close_and_reset(&sup->report_read);

  /* A container nobody can report on is not worth keeping: if the parent dies, so does the command. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) return berth_fail(err, errno, "prctl PR_SET_PDEATHSIG");
  close_and_reset(&sup->release_write);
  do n = read(sup->release_read, &go, 1);
  while (n < 0 && errno == EINTR);
  close_and_reset(&sup->release_read);
  if (n != 1) return berth_fail(err, n < 0 ? errno : EPIPE, "wait for the parent");

  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL); /* fails harmlessly for glibc's internal signals */
  sigemptyset(&none);
  if (sigprocmask(SIG_SETMASK, &none, NULL) < 0) return berth_fail(err, errno, "sigprocmask");
  return 0;
}

static int kill_child(struct supervisor *sup) {
  kill(sup->child, SIGKILL);
  while (waitpid(sup->child, NULL, 0) < 0 && errno == EINTR) {
  }
  return -1;
}

/*
 * Reads the child's report until EOF (its execve, or its exit) and passes an
 * error line on to the FIFO. Signals stay blocked meanwhile and are forwarded
 * once it is over: the child resets its dispositions only just before.
 */
static int pass_on_report(struct supervisor *sup, int status_fd, struct berth_error *err) {
  char line[PIPE_BUF];
  size_t len = 0;
  for (;;) {
    ssize_t n = read(sup->report_read, line + len, sizeof line - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return berth_fail(err, errno, "read the child's report");
    if (n == 0 || (len += (size_t)n) == sizeof line) break;
  }
  close_and_reset(&sup->report_read);
  if (len == 0) return 0;
  if (status_send_line(status_fd, line, len) < 0) return berth_fail(err, errno, "pass the child's error on");
  return 0;
}

int supervisor_run(struct supervisor *sup, int *status_fd, struct berth_error *err) {
  sigset_t set;
  close_and_reset(&sup->release_read);
  close_and_reset(&sup->report_write);

  if (status_send_pid(*status_fd, sup->child, err) < 0) return kill_child(sup);
  if (write(sup->release_write, "", 1) != 1) {
    berth_fail(err, errno, "release the child");
    return kill_child(sup);
  }
  close_and_reset(&sup->release_write);
  if (pass_on_report(sup, *status_fd, err) < 0) return kill_child(sup);
  close_and_reset(status_fd);

  supervised_signals(&set);
  for (;;) {
    siginfo_t info;
    int status;
    int sig = sigwaitinfo(&set, &info);
    if (sig < 0) {
      if (errno == EINTR) continue;
      berth_fail(err, errno, "sigwaitinfo");
      return kill_child(sup);
    }
    if (sig != SIGCHLD) {
      kill(sup->child, sig); /* ESRCH: it is exiting, and SIGCHLD is on its way */
      continue;
    }
    pid_t pid = waitpid(sup->child, &status, WNOHANG);
    if (pid < 0 && errno != EINTR) {
      berth_fail(err, errno, "waitpid %d", (int)sup->child);
      return kill_child(sup);
    }
    if (pid == sup->child) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    }
  }
}
