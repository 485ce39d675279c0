/*
 * The rtnetlink requests a container's network needs: a bridge, a veth pair
 * with one end in the container's namespace, addresses, a default route, and
 * a network namespace bound to a file. What `ip` does, without starting a
 * process per step (two `ip` runs cost more than the rest of a start).
 *
 * Every function returns 0 or -errno and sets *step to what failed.
 */
#define _GNU_SOURCE
#include "netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

struct request {
  struct nlmsghdr header;
  char payload[2048];
};

/* Where the next attribute goes; an offset into the whole request, so the compiler sees its real size. */
static void *tail(struct request *r) {
  return (char *)r + NLMSG_ALIGN(r->header.nlmsg_len);
}

static void put(struct request *r, unsigned short type, const void *data, size_t len) {
  struct rtattr *rta = tail(r);
  rta->rta_type = type;
  rta->rta_len = (unsigned short)RTA_LENGTH(len);
  if (len) memcpy(RTA_DATA(rta), data, len);
  r->header.nlmsg_len = NLMSG_ALIGN(r->header.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

static struct rtattr *nest(struct request *r, unsigned short type) {
  struct rtattr *start = tail(r);
  put(r, type, NULL, 0);
  return start;
}

static void unnest(struct request *r, struct rtattr *start) {
  start->rta_len = (unsigned short)((char *)tail(r) - (char *)start);
}

static void begin(struct request *r, unsigned short type, unsigned short flags, const void *body, size_t len) {
  memset(r, 0, sizeof *r);
  r->header.nlmsg_type = type;
  r->header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
  r->header.nlmsg_len = (unsigned)NLMSG_LENGTH(len);
  memcpy(NLMSG_DATA(&r->header), body, len);
}

/* Sends one request on a new socket (in the calling thread's network namespace) and reads its ack. */
static int talk(struct request *r) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return -errno;
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  int result = 0;
  if (sendto(fd, r, r->header.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
    result = -errno;
  } else {
    char reply[4096];
    ssize_t n = recv(fd, reply, sizeof reply, 0);
    if (n < 0) {
      result = -errno;
    } else {
      struct nlmsghdr *h = (struct nlmsghdr *)reply;
      if (NLMSG_OK(h, (unsigned)n) && h->nlmsg_type == NLMSG_ERROR) result = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
    }
  }
  close(fd);
  return result;
}

static int set_link(int index, unsigned up, int master) {
  struct ifinfomsg info = {.ifi_family = AF_UNSPEC, .ifi_index = index, .ifi_flags = up ? IFF_UP : 0, .ifi_change = IFF_UP};
  struct request r;
  begin(&r, RTM_NEWLINK, 0, &info, sizeof info);
  if (master > 0) put(&r, IFLA_MASTER, &master, sizeof master);
  return talk(&r);
}

static int add_address(int index, const char *address, int prefix) {
  struct in_addr a;
  if (inet_pton(AF_INET, address, &a) != 1) return -EINVAL;
  struct ifaddrmsg body = {.ifa_family = AF_INET, .ifa_prefixlen = (unsigned char)prefix, .ifa_scope = RT_SCOPE_UNIVERSE, .ifa_index = (unsigned)index};
  struct request r;
  begin(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &body, sizeof body);
  put(&r, IFA_LOCAL, &a, sizeof a);
  put(&r, IFA_ADDRESS, &a, sizeof a);
  return talk(&r);
}

static int add_default_route(int index, const char *gateway) {
  struct in_addr g;
  if (inet_pton(AF_INET, gateway, &g) != 1) return -EINVAL;
  struct rtmsg body = {.rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_BOOT, .rtm_scope = RT_SCOPE_UNIVERSE, .rtm_type = RTN_UNICAST};
  struct request r;
  begin(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &body, sizeof body);
  put(&r, RTA_GATEWAY, &g, sizeof g);
  put(&r, RTA_OIF, &index, sizeof index);
  return talk(&r);
}

static int index_of(const char *name) {
  unsigned index = if_nametoindex(name);
  return index ? (int)index : -errno;
}

int nl_bridge_create(const char *name, const char *address, int prefix, const char **step) {
  struct ifinfomsg info = {.ifi_family = AF_UNSPEC};
  struct request r;
  begin(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &info, sizeof info);
  put(&r, IFLA_IFNAME, name, strlen(name) + 1);
  struct rtattr *linkinfo = nest(&r, IFLA_LINKINFO);
  put(&r, IFLA_INFO_KIND, "bridge", strlen("bridge"));
  unnest(&r, linkinfo);
  int err;
  *step = "create bridge";
  if ((err = talk(&r)) < 0) return err;
  int index = index_of(name);
  *step = "find bridge";
  if (index < 0) return index;
  *step = "add bridge address";
  if ((err = add_address(index, address, prefix)) < 0) return err;
  *step = "bring up bridge";
  return set_link(index, 1, 0);
}

int nl_link_delete(const char *name, const char **step) {
  *step = "delete link";
  int index = index_of(name);
  if (index < 0) return index;
  struct ifinfomsg info = {.ifi_family = AF_UNSPEC, .ifi_index = index};
  struct request r;
  begin(&r, RTM_DELLINK, 0, &info, sizeof info);
  return talk(&r);
}

/* Runs fn inside the namespace open at ns_fd, on this thread only, and comes back. */
static int inside(int ns_fd, int (*fn)(void *), void *arg, const char **step) {
  int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  *step = "open own network namespace";
  if (home < 0) return -errno;
  int err;
  *step = "enter network namespace";
  if (setns(ns_fd, CLONE_NEWNET) < 0) {
    err = -errno;
  } else {
    err = fn(arg);
    if (setns(home, CLONE_NEWNET) < 0) abort(); /* this thread would stay in the container's network */
  }
  close(home);
  return err;
}

static int loopback_up(void *unused) {
  (void)unused;
  int index = index_of("lo");
  return index < 0 ? index : set_link(index, 1, 0);
}

int nl_netns_create(const char *path, const char **step) {
  int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  *step = "create namespace file";
  if (fd < 0) return -errno;
  close(fd);
  int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  *step = "open own network namespace";
  if (home < 0) {
    int err = -errno;
    unlink(path);
    return err;
  }
  int err = 0;
  *step = "unshare network namespace";
  if (unshare(CLONE_NEWNET) < 0) {
    err = -errno;
  } else {
    *step = "bind network namespace";
    if (mount("/proc/thread-self/ns/net", path, NULL, MS_BIND, NULL) < 0) err = -errno;
    else if ((err = loopback_up(NULL)) < 0) *step = "bring up lo";
    if (setns(home, CLONE_NEWNET) < 0) abort();
  }
  close(home);
  if (err < 0) {
    umount2(path, MNT_DETACH);
    unlink(path);
  }
  return err;
}

struct configure {
  const char *interface;
  const char *address;
  int prefix;
  const char *gateway;
  const char **step;
};

static int configure_inside(void *arg) {
  struct configure *c = arg;
  int index = index_of(c->interface);
  *c->step = "find container interface";
  if (index < 0) return index;
  int err;
  *c->step = "add container address";
  if ((err = add_address(index, c->address, c->prefix)) < 0) return err;
  *c->step = "bring up container interface";
  if ((err = set_link(index, 1, 0)) < 0) return err;
  if (!c->gateway || !*c->gateway) return 0;
  *c->step = "add default route";
  return add_default_route(index, c->gateway);
}

int nl_endpoint(const char *netns_path, const char *host_interface, const char *interface, const char *bridge, const char *address, int prefix,
                const char *gateway, const char **step) {
  int ns = open(netns_path, O_RDONLY | O_CLOEXEC);
  *step = "open network namespace";
  if (ns < 0) return -errno;
  int err;
  int master = index_of(bridge);
  *step = "find bridge";
  if (master < 0) {
    err = master;
    goto out;
  }
  struct ifinfomsg info = {.ifi_family = AF_UNSPEC};
  struct request r;
  begin(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &info, sizeof info);
  put(&r, IFLA_IFNAME, host_interface, strlen(host_interface) + 1);
  struct rtattr *linkinfo = nest(&r, IFLA_LINKINFO);
  put(&r, IFLA_INFO_KIND, "veth", strlen("veth"));
  struct rtattr *data = nest(&r, IFLA_INFO_DATA);
  struct rtattr *peer = nest(&r, VETH_INFO_PEER);
  struct ifinfomsg peer_info = {.ifi_family = AF_UNSPEC};
  memcpy(tail(&r), &peer_info, sizeof peer_info);
  r.header.nlmsg_len += NLMSG_ALIGN(sizeof peer_info);
  put(&r, IFLA_IFNAME, interface, strlen(interface) + 1);
  put(&r, IFLA_NET_NS_FD, &ns, sizeof ns);
  unnest(&r, peer);
  unnest(&r, data);
  unnest(&r, linkinfo);
  *step = "create veth pair";
  if ((err = talk(&r)) < 0) goto out;
  int index = index_of(host_interface);
  *step = "find host end of veth";
  if (index < 0) {
    err = index;
    goto out;
  }
  *step = "attach veth to bridge";
  if ((err = set_link(index, 1, master)) < 0) goto out;
  struct configure c = {interface, address, prefix, gateway, step};
  err = inside(ns, configure_inside, &c, step);
out:
  close(ns);
  return err;
}
