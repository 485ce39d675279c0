#define _GNU_SOURCE
#include "caps.h"

#include <errno.h>
#include <sys/prctl.h>

#include "syscalls.h"

/* The highest capability this kernel knows: PR_CAPBSET_READ fails with EINVAL past it. No /proc needed. */
static int last_cap(void) {
  int n = 0;
  while (n < 63 && prctl(PR_CAPBSET_READ, n + 1, 0, 0, 0) >= 0) n++;
  return n;
}

static int get_sets(struct __user_cap_data_struct data[2], struct berth_error *err) {
  struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  if (sys_capget(&header, data) < 0) return berth_fail(err, errno, "capget");
  return 0;
}

static int set_sets(uint64_t permitted, uint64_t effective, uint64_t inheritable, struct berth_error *err) {
  struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[2];
  for (int i = 0; i < 2; i++) {
    data[i].permitted = (uint32_t)(permitted >> (32 * i));
    data[i].effective = (uint32_t)(effective >> (32 * i));
    data[i].inheritable = (uint32_t)(inheritable >> (32 * i));
  }
  if (sys_capset(&header, data) < 0)
    return berth_fail(err, errno, "capset permitted=%#llx effective=%#llx", (unsigned long long)permitted,
                      (unsigned long long)effective);
  return 0;
}

static uint64_t known_caps(void) {
  int last = last_cap();
  return last >= 63 ? UINT64_MAX : CAP_BIT(last + 1) - 1;
}

int caps_apply(uint64_t keep, uint64_t extra, struct berth_error *err) {
  struct __user_cap_data_struct data[2];
  int last = last_cap();
  uint64_t known = known_caps();

  /* 1. Effective := permitted, so that the prctl and capset below are allowed (they need CAP_SETPCAP). */
  if (get_sets(data, err) < 0) return -1;
  uint64_t permitted = data[0].permitted | (uint64_t)data[1].permitted << 32;
  if (set_sets(permitted, permitted, 0, err) < 0) return -1;

  /* 2. The bounding set limits what any later execve can gain. */
  for (int n = 0; n <= last; n++)
    if (!(keep & CAP_BIT(n)) && prctl(PR_CAPBSET_DROP, n, 0, 0, 0) < 0)
      return berth_fail(err, errno, "prctl PR_CAPBSET_DROP %d", n);

  /* 3. What the process holds now; execve recomputes it from the bounding set for root. */
  if (set_sets((keep | extra) & known, (keep | extra) & known, 0, err) < 0) return -1;

  /* 4. Ambient capabilities would survive execve for a non-root uid; there are none. EINVAL: kernel < 4.3. */
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return berth_fail(err, errno, "prctl PR_CAP_AMBIENT_CLEAR_ALL");
  return 0;
}

int caps_limit(uint64_t keep, struct berth_error *err) {
  uint64_t known = known_caps();
  return set_sets(keep & known, keep & known, 0, err);
}
