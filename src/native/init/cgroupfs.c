#define _GNU_SOURCE
#include "cgroupfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "inroot.h"
#include "rootfs.h"

#define BASE "/sys/fs/cgroup"
#define FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)

/* One v1 hierarchy: its controllers as /proc/self/cgroup lists them ("cpu,cpuacct"), its directory name. */
static int mount_v1_hierarchy(int root_fd, int base_fd, const char *controllers, unsigned long ro,
                              struct berth_error *err) {
  char target[PATH_MAX];
  if (snprintf(target, sizeof target, BASE "/%s", controllers) >= (int)sizeof target)
    return berth_fail(err, ENAMETOOLONG, "cgroup hierarchy %s", controllers);
  if (mount_in_root(root_fd, target, INROOT_DIR, RESOLVE_NO_SYMLINKS, "cgroup", "cgroup", FLAGS | ro, 0, controllers,
                    err) < 0)
    return -1;
  if (!strchr(controllers, ',')) return 0;
  /* co-mounted controllers: each name leads to the hierarchy, as on the host */
  char names[PATH_MAX];
  snprintf(names, sizeof names, "%s", controllers);
  for (char *rest = names, *name; (name = strsep(&rest, ","));)
    if (symlinkat(controllers, base_fd, name) < 0 && errno != EEXIST)
      return berth_fail(err, errno, "link " BASE "/%s", name);
  return 0;
}

int cgroupfs_mount(int root_fd, const struct spec *spec, struct berth_error *err) {
  if (spec->cgroupfs == SPEC_CGROUPFS_NONE) return 0;
  unsigned long ro = spec->cgroupfs == SPEC_CGROUPFS_RO ? MS_RDONLY : 0;
  if (spec->cgroupfs_layout == SPEC_CGROUPFS_V2)
    return mount_in_root(root_fd, BASE, INROOT_DIR, RESOLVE_NO_SYMLINKS, "cgroup2", "cgroup2", FLAGS | ro, 0, NULL, err);

  if (mount_in_root(root_fd, BASE, INROOT_DIR, RESOLVE_NO_SYMLINKS, "tmpfs", "tmpfs", FLAGS, 0, "mode=755,size=64k",
                    err) < 0)
    return -1;
  cleanup_close int base_fd = inroot_open(root_fd, BASE, RESOLVE_NO_SYMLINKS);
  if (base_fd < 0) return berth_fail(err, errno, "open " BASE);

  /* Read before pivot_root: the host's /proc, which still shows this process. */
  cleanup_fclose FILE *cgroups = fopen("/proc/self/cgroup", "re");
  if (!cgroups) return berth_fail(err, errno, "open /proc/self/cgroup");
  cleanup_free char *line = NULL;
  size_t size = 0;
  ssize_t len;
  while ((len = getline(&line, &size, cgroups)) >= 0) {
    /* hierarchy-id:controllers:path */
    if (len > 0 && line[len - 1] == '\n') line[len - 1] = '\0';
    char *first = strchr(line, ':');
    char *second = first ? strchr(first + 1, ':') : NULL;
    if (!second) return berth_fail(err, 0, "/proc/self/cgroup: unexpected line %s", line);
    *second = '\0';
    const char *controllers = first + 1;
    if (*controllers == '\0') {
      if (spec->cgroupfs_layout == SPEC_CGROUPFS_HYBRID &&
          mount_in_root(root_fd, BASE "/unified", INROOT_DIR, RESOLVE_NO_SYMLINKS, "cgroup2", "cgroup2", FLAGS | ro, 0,
                        NULL, err) < 0)
        return -1;
      continue;
    }
    if (!strncmp(controllers, "name=", 5)) continue;
    if (mount_v1_hierarchy(root_fd, base_fd, controllers, ro, err) < 0) return -1;
  }
  if (ro && mount(NULL, fd_path(base_fd).path, NULL, MS_REMOUNT | MS_RDONLY | FLAGS, "mode=755,size=64k") < 0)
    return berth_fail(err, errno, "remount " BASE " read-only");
  return 0;
}
