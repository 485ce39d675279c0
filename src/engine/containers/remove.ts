import fs from 'node:fs';
import path from 'node:path';
import type { Native } from '../native.js';
import type { Store } from '../store/store.js';
import { ContainerRepository } from './repository.js';
import type { Container } from './types.js';
import { unmountRootfs } from '../runtime/rootfs.js';

/**
 * Deletes a stopped container: the row first (so it is gone at once for
 * everyone), then its mount and files. A crash in between leaves only an
 * unreferenced directory, which reconciliation removes.
 */
export function removeContainerFiles(store: Store, container: Container, native: Native): void {
  void native;
  new ContainerRepository(store).delete(container.id);
  removeContainerDirectory(store, container.id);
}

/** The container's directory, once nothing is mounted in it (never delete through a mounted rootfs). */
export function removeContainerDirectory(store: Store, id: string): void {
  unmountRootfs(store, id);
  fs.rmSync(path.join(store.root, 'containers', id), { recursive: true, force: true });
}
