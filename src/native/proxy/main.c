/*
 * berth-proxy HOST-IP HOST-PORT TARGET-IP TARGET-PORT
 *
 * One published TCP port: listens on HOST-IP:HOST-PORT (0 = any free port)
 * and relays each connection to TARGET-IP:TARGET-PORT, moving the bytes
 * with splice(2) through a pipe so they never enter user space (Node's
 * streams top out at a third of this). The shim starts one per published
 * TCP port and reads one line from stdout:
 *
 *   listening <port>            bound; stdout is closed after it
 *   error <ERRNO> <message>     not bound (e.g. EADDRINUSE); exit 1
 *
 * Each connection is served by a forked child; every process here dies with
 * its parent (PR_SET_PDEATHSIG), so a dead shim leaves no proxy behind.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define PIPE_BYTES (1 << 20)

static const char *errno_name(int e) {
  switch (e) {
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case EACCES: return "EACCES";
    case EINVAL: return "EINVAL";
    default: return "EIO";
  }
}

static int parse_address(const char *ip, const char *port, struct sockaddr_in *out) {
  char *end;
  long n = strtol(port, &end, 10);
  if (*end || n < 0 || n > 65535) return -1;
  memset(out, 0, sizeof *out);
  out->sin_family = AF_INET;
  out->sin_port = htons((unsigned short)n);
  return inet_pton(AF_INET, ip, &out->sin_addr) == 1 ? 0 : -1;
}

/* One direction of a connection: socket -> pipe -> socket. */
struct flow {
  int from, to;
  int pipe[2];
  size_t buffered;
  int eof;  /* `from` said EOF; once the pipe is drained, `to` is shut for writing */
  int done;
};

static int flow_init(struct flow *f, int from, int to) {
  memset(f, 0, sizeof *f);
  f->from = from;
  f->to = to;
  if (pipe2(f->pipe, O_NONBLOCK | O_CLOEXEC) < 0) return -1;
  fcntl(f->pipe[0], F_SETPIPE_SZ, PIPE_BYTES);
  return 0;
}

/* Moves what it can without blocking; -1 on a hard error. */
static int flow_step(struct flow *f) {
  for (;;) {
    int progressed = 0;
    if (!f->eof && f->buffered < PIPE_BYTES) {
      ssize_t n = splice(f->from, NULL, f->pipe[1], NULL, PIPE_BYTES - f->buffered, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n > 0) {
        f->buffered += (size_t)n;
        progressed = 1;
      } else if (n == 0) {
        f->eof = 1;
      } else if (errno != EAGAIN && errno != EINTR) {
        return -1;
      }
    }
    if (f->buffered > 0) {
      ssize_t n = splice(f->pipe[0], NULL, f->to, NULL, f->buffered, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n > 0) {
        f->buffered -= (size_t)n;
        progressed = 1;
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        return -1;
      }
    }
    if (f->eof && f->buffered == 0 && !f->done) {
      shutdown(f->to, SHUT_WR);
      f->done = 1;
    }
    if (!progressed) return 0;
  }
}

static void serve(int client, const struct sockaddr_in *target) {
  int upstream = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (upstream < 0 || connect(upstream, (const struct sockaddr *)target, sizeof *target) < 0) _exit(1);
  int one = 1;
  setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(upstream, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl(client, F_SETFL, O_NONBLOCK);
  fcntl(upstream, F_SETFL, O_NONBLOCK);
  struct flow out, back;
  if (flow_init(&out, client, upstream) < 0 || flow_init(&back, upstream, client) < 0) _exit(1);
  while (!(out.done && back.done)) {
    if (flow_step(&out) < 0 || flow_step(&back) < 0) _exit(1);
    struct pollfd fds[2] = {{client, 0, 0}, {upstream, 0, 0}};
    /* wait to read where the pipe has room, to write where the pipe holds bytes */
    if (!out.eof && out.buffered < PIPE_BYTES) fds[0].events |= POLLIN;
    if (back.buffered > 0) fds[0].events |= POLLOUT;
    if (!back.eof && back.buffered < PIPE_BYTES) fds[1].events |= POLLIN;
    if (out.buffered > 0) fds[1].events |= POLLOUT;
    if (out.done && back.done) break;
    if (poll(fds, 2, -1) < 0 && errno != EINTR) _exit(1);
    if ((fds[0].revents | fds[1].revents) & POLLNVAL) _exit(1);
  }
  _exit(0);
}

int main(int argc, char **argv) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (argc != 5) {
    fprintf(stderr, "usage: berth-proxy HOST-IP HOST-PORT TARGET-IP TARGET-PORT\n");
    return 2;
  }
  struct sockaddr_in listen_on, target;
  if (parse_address(argv[1], argv[2], &listen_on) < 0 || parse_address(argv[3], argv[4], &target) < 0) {
    printf("error EINVAL bad address\n");
    return 1;
  }
  int server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (server < 0 || bind(server, (struct sockaddr *)&listen_on, sizeof listen_on) < 0 || listen(server, 512) < 0) {
    int e = errno;
    printf("error %s %s\n", errno_name(e), strerror(e));
    return 1;
  }
  struct sockaddr_in bound;
  socklen_t len = sizeof bound;
  getsockname(server, (struct sockaddr *)&bound, &len);
  printf("listening %d\n", ntohs(bound.sin_port));
  fflush(stdout);
  int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (devnull >= 0) dup2(devnull, 1);
  signal(SIGCHLD, SIG_IGN); /* children reap themselves */
  signal(SIGPIPE, SIG_IGN);
  for (;;) {
    int client = accept4(server, NULL, NULL, SOCK_CLOEXEC);
    if (client < 0) {
      if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE) continue;
      return 1;
    }
    pid_t child = fork();
    if (child == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      close(server);
      serve(client, &target);
    }
    close(client);
  }
}
