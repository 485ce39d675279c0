/** The runtime's one cgroup driver for this host, detected on first use. */
import type { CgroupDriver, ContainerCgroup } from '../cgroups/types.js';
import { createCgroupDriver } from '../cgroups/index.js';

export type LaunchCgroup = ContainerCgroup;

let driver: CgroupDriver | undefined;

export function containerCgroups(): CgroupDriver {
  driver ??= createCgroupDriver({ parent: process.env.BERTH_CGROUP_PARENT || 'berth' });
  return driver;
}
