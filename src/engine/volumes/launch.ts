/**
 * A container's mounts at start, as `mount` lines for berth-init: binds and
 * volumes are recursive binds (read-only by a remount with `ro`), tmpfs gets
 * Docker's nosuid,nodev,noexec. Targets are container paths; berth-init
 * resolves them inside the rootfs (openat2 RESOLVE_IN_ROOT), so an image's
 * symlink cannot carry a mount out to the host.
 */
import fs from 'node:fs';
import type { Store } from '../store/store.js';
import type { SpecMount } from '../runtime/spec.js';
import { tmpfsData, tmpfsMountOptions } from './parse.js';
import { VolumeService } from './service.js';
import { ANONYMOUS_LABEL } from './types.js';

/**
 * The spec mounts of container `id`: makes a -v bind's missing host
 * directory and re-creates a volume removed behind the container's back
 * (empty: Docker seeds volumes at create only).
 */
export async function prepareMounts(store: Store, id: string): Promise<SpecMount[]> {
  const volumes = new VolumeService(store);
  const specs: SpecMount[] = [];
  for (const m of volumes.mountsOf(id)) {
    const ro = m.readOnly ? ['ro'] : [];
    if (m.type === 'tmpfs') {
      // --tmpfs's options as typed; --mount's size, mode and readonly written the same way
      const options = m.tmpfsOptions ?? [...ro, tmpfsData(m.tmpfsSize ?? 0, m.tmpfsMode ?? 0)].filter(Boolean).join(',');
      const { flags, data } = tmpfsMountOptions(options);
      specs.push({ type: 'tmpfs', source: 'tmpfs', target: m.destination, flags: [...flags, 'rprivate'], data });
      continue;
    }
    let source: string;
    if (m.type === 'bind') {
      source = m.source!;
      if (m.createSource && !fs.existsSync(source)) fs.mkdirSync(source, { recursive: true, mode: 0o755 });
    } else {
      source = (await volumes.create({ name: m.name, labels: m.anonymous ? { [ANONYMOUS_LABEL]: '' } : null })).mountpoint;
    }
    specs.push({ type: 'bind', source, target: m.destination, flags: ['rbind', ...ro, m.propagation || 'rprivate'] });
  }
  return specs;
}
