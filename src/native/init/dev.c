#define _GNU_SOURCE
#include "dev.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "inroot.h"
#include "rootfs.h"

#define NO_SYMLINKS RESOLVE_NO_SYMLINKS

static const struct {
  const char *name, *target;
} symlinks[] = {
    {"fd", "/proc/self/fd"},         {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"},   {"ptmx", "pts/ptmx"},
};

/* mknod, then chown: the node gets exactly the spec's mode (the umask is 0 here) and owner. */
static int make_device(int root_fd, const struct spec_device *d, struct berth_error *err) {
  char dir[PATH_MAX], base[PATH_MAX];
  snprintf(dir, sizeof dir, "%s", d->path);
  snprintf(base, sizeof base, "%s", d->path);
  cleanup_close int parent = inroot_create(root_fd, dirname(dir), INROOT_DIR, NO_SYMLINKS, err);
  if (parent < 0) return -1;
  const char *name = basename(base);
  if (mknodat(parent, name, d->type | d->mode, makedev(d->major, d->minor)) < 0)
    return berth_fail(err, errno, "mknod %s", d->path);
  if (fchownat(parent, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
    return berth_fail(err, errno, "chown %s", d->path);
  return 0;
}

int dev_mount(int root_fd, const struct spec *spec, struct berth_error *err) {
  if (mount_in_root(root_fd, "/dev", INROOT_DIR, NO_SYMLINKS, "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME, 0,
                    "mode=755,size=65536k", err) < 0)
    return -1;

  for (size_t i = 0; i < spec->n_devices; i++)
    if (make_device(root_fd, &spec->devices[i], err) < 0) return -1;

  cleanup_close int dev = inroot_open(root_fd, "/dev", NO_SYMLINKS); /* the new tmpfs */
  if (dev < 0) return berth_fail(err, errno, "open /dev");
  for (size_t i = 0; i < sizeof symlinks / sizeof *symlinks; i++)
    if (symlinkat(symlinks[i].target, dev, symlinks[i].name) < 0)
      return berth_fail(err, errno, "symlink /dev/%s -> %s", symlinks[i].name, symlinks[i].target);

  if (mount_in_root(root_fd, "/dev/pts", INROOT_DIR, NO_SYMLINKS, "devpts", "devpts", MS_NOSUID | MS_NOEXEC, 0,
                    "newinstance,ptmxmode=0666,mode=0620,gid=5", err) < 0)
    return -1;
  if (mount_in_root(root_fd, "/dev/shm", INROOT_DIR, NO_SYMLINKS, "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                    0, "mode=1777,size=65536k", err) < 0)
    return -1;
  return mount_in_root(root_fd, "/dev/mqueue", INROOT_DIR, NO_SYMLINKS, "mqueue", "mqueue",
                       MS_NOSUID | MS_NODEV | MS_NOEXEC, 0, NULL, err);
}
