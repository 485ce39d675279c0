/*
 * /dev as Docker makes it: a fresh tmpfs (nothing of the image's /dev, nothing
 * of the host's), the spec's device nodes, the usual symlinks, a devpts of
 * its own (newinstance), /dev/shm and /dev/mqueue.
 */
#ifndef BERTH_DEV_H
#define BERTH_DEV_H

#include "../common/error.h"
#include "../common/spec.h"

int dev_mount(int root_fd, const struct spec *spec, struct berth_error *err);

#endif
