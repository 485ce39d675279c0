/** The cgroups service's public surface (see ./types.ts for the contracts). */
export type {
  CgroupDriver,
  CgroupDriverOptions,
  CgroupFs,
  CgroupLayout,
  CgroupLimits,
  CgroupStats,
  ContainerCgroup,
  CreatedCgroup,
  DeviceFilterNative,
} from './types.js';
export { createCgroupDriver } from './driver.js';
export { cgroupVersion, detectLayout, layoutFromMountinfo } from './layout.js';
export { DEFAULT_DEVICE_RULES, compileDeviceFilter, type DeviceRule } from './devices.js';
export { MIN_MEMORY, WARN_NO_SWAP, checkLimits, sharesToWeight } from './limits.js';
