#pragma once
/* rtnetlink for container networks; see netlink.c. Each returns 0 or -errno, with *step naming what failed. */

int nl_bridge_create(const char *name, const char *address, int prefix, const char **step);
int nl_link_delete(const char *name, const char **step);
/* A new network namespace bound at path (created; must not exist), its lo up. */
int nl_netns_create(const char *path, const char **step);
/* A veth pair: host_interface on bridge (up), interface inside netns_path with address/prefix, up, and the default route via gateway unless it is empty. */
int nl_endpoint(const char *netns_path, const char *host_interface, const char *interface, const char *bridge, const char *address, int prefix,
                const char *gateway, const char **step);
