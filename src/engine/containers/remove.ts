import fs from 'node:fs';
import path from 'node:path';
import { isOutOfSpace } from '../errors.js';
import type { Native } from '../native.js';
import type { Store } from '../store/store.js';
import { ContainerRepository } from './repository.js';
import type { Container } from './types.js';
import { unmountRootfs } from '../runtime/rootfs.js';
import { VolumeService } from '../volumes/service.js';

/**
 * Deletes a stopped container: the row first (so it is gone at once for
 * everyone), then its mount and files. A crash in between leaves only an
 * unreferenced directory, which reconciliation removes. With `volumes`
 * (`rm -v`, `--rm`), its anonymous volumes go too, unless another container
 * uses them.
 *
 * On a disk so full that even the store's reserve is gone (another process
 * took it), the files go first, as Docker removes them, and then the row:
 * the container's own files are what makes room for its removal.
 */
export function removeContainerFiles(store: Store, container: Container, native: Native, options: { volumes?: boolean } = {}): void {
  void native;
  store.freeing(() => {
    const volumes = options.volumes ? new VolumeService(store) : undefined;
    const mounts = volumes?.mountsOf(container.id) ?? [];
    const repo = new ContainerRepository(store);
    try {
      repo.delete(container.id);
    } catch (err) {
      if (!isOutOfSpace(err)) throw err;
      removeContainerDirectory(store, container.id);
      repo.delete(container.id);
    }
    removeContainerDirectory(store, container.id);
    volumes?.releaseAnonymous(mounts, { except: container.id });
  });
}

/** The container's directory, once nothing is mounted in it (never delete through a mounted rootfs). */
export function removeContainerDirectory(store: Store, id: string): void {
  unmountRootfs(store, id);
  fs.rmSync(path.join(store.root, 'containers', id), { recursive: true, force: true });
}
