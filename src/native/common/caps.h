/*
 * Capabilities, as Docker sets them: the spec's set becomes the bounding,
 * permitted and effective sets; the inheritable and ambient sets are empty
 * (Docker stopped filling the inheritable set in 20.10.14, CVE-2022-24769:
 * with it, a non-root user could gain capabilities by executing a file with
 * inheritable file capabilities).
 */
#ifndef BERTH_CAPS_H
#define BERTH_CAPS_H

#include <stdint.h>

#include "error.h"

#define CAP_BIT(n) (UINT64_C(1) << (n))

/*
 * Drops every capability outside `keep` from the bounding set, then sets
 * permitted and effective to keep | extra (capabilities the kernel does not
 * know are ignored), inheritable and ambient to nothing. Works after a switch
 * to a non-root uid made with PR_SET_KEEPCAPS (permitted kept, effective
 * cleared): it first raises effective back to permitted.
 */
int caps_apply(uint64_t keep, uint64_t extra, struct berth_error *err);

/* Narrows permitted and effective to `keep` (drops the `extra` of caps_apply). */
int caps_limit(uint64_t keep, struct berth_error *err);

#endif
