/*
 * The fork both helpers make once the namespaces are in place: the child
 * becomes the container's process (PID 1 of a new PID namespace for
 * berth-init); the parent stays outside, reports the child's pid on the status
 * FIFO, forwards signals to it and exits with its status.
 *
 * Only the parent, which no process of the container can see, ever holds the
 * status FIFO. The child runs inside the container's namespaces until its
 * execve: it drops its copy of the FIFO at once and reports a failure on a
 * close-on-exec pipe to the parent, which passes that line on. So nothing in
 * the container can hold the FIFO open (every exec would hang) or write a
 * forged error into it, whatever it does to the child (issue 11).
 *
 * Sync points: the child waits until the parent has written "pid <n>" before
 * it does anything that could fail, so the pid line always comes first. The
 * parent reads the child's pipe until EOF: an error line is passed on; EOF
 * alone means the execve closed it (started). Then the parent closes the FIFO
 * and the reader sees EOF.
 */
#ifndef BERTH_SUPERVISE_H
#define BERTH_SUPERVISE_H

#include <signal.h>
#include <sys/types.h>

#include "error.h"

struct supervisor {
  pid_t child;
  int release_read;  /* the child reads one byte here before going on */
  int release_write;
  int report_read;   /* the child's error line, or EOF at its execve */
  int report_write;
};

/*
 * Forks. Returns the child's pid in the parent and 0 in the child, like
 * fork(2); -1 on failure. The forwarded signals and SIGCHLD are blocked from
 * here on in the parent, so none arriving during the fork is lost.
 */
pid_t supervisor_fork(struct supervisor *sup, struct berth_error *err);

/*
 * In the child: swaps its copy of the status FIFO (*status_fd) for the report
 * pipe, so main's error path reports to the parent; dies with the parent
 * (PR_SET_PDEATHSIG), waits for the parent's go, and resets every signal
 * disposition and the signal mask, so the command starts with a clean slate.
 */
int supervisor_child_start(struct supervisor *sup, int *status_fd, struct berth_error *err);

/*
 * In the parent: sends the child's pid on the status FIFO, releases the
 * child, passes on its report (an error line, or nothing once it has
 * exec'd) and closes *status_fd, then forwards SIGTERM, SIGINT, SIGHUP, SIGQUIT,
 * SIGUSR1, SIGUSR2, SIGWINCH and SIGCONT to it until it exits. Returns the
 * exit status for main to exit with: the child's exit code, or 128+N when
 * signal N killed it. On failure (-1) the child has been killed and reaped.
 */
int supervisor_run(struct supervisor *sup, int *status_fd, struct berth_error *err);

#endif
