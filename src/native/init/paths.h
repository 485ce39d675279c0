/*
 * After pivot_root: the masked and read-only paths of DESIGN §4 (or the
 * spec's), and the read-only rootfs. They come after all mounts, so no later
 * mount can uncover them.
 */
#ifndef BERTH_PATHS_H
#define BERTH_PATHS_H

#include "../common/error.h"
#include "../common/spec.h"

/*
 * Binds the container's /dev/null over each masked file and mounts an empty
 * read-only tmpfs over each masked directory; missing paths are skipped.
 */
int paths_mask(int root_fd, const struct spec *spec, struct berth_error *err);

/* Binds each read-only path onto itself and remounts it read-only; missing paths are skipped. */
int paths_make_readonly(int root_fd, const struct spec *spec, struct berth_error *err);

/* Remounts "/" read-only when the spec says readonly_rootfs. */
int paths_readonly_rootfs(int root_fd, const struct spec *spec, struct berth_error *err);

#endif
