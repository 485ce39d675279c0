/**
 * The one way to get a cgroup driver: the host's layout picks v1 (also for
 * hybrid hosts) or v2. Options override the layout and the file system for
 * tests, and the parent directory for isolation.
 */
import { loadNative } from '../native.js';
import { detectLayout } from './layout.js';
import type { CgroupDriver, CgroupDriverOptions, DeviceFilterNative } from './types.js';
import { V1Driver } from './v1.js';
import { V2Driver } from './v2.js';

export function createCgroupDriver(options: CgroupDriverOptions = {}): CgroupDriver {
  const layout = options.layout ?? detectLayout();
  let native = options.native;
  // the addon is loaded only when a device filter is first needed
  const lazyNative = (): DeviceFilterNative => (native ??= loadNative());
  const withNative = { ...options, native: lazyNative };
  return layout.version === '2' ? new V2Driver(layout.root, withNative) : new V1Driver(layout, withNative);
}
