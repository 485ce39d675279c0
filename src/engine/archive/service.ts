import type { Readable, Writable } from 'node:stream';
import type { ProgressListener } from '../events.js';
import type { ImageService } from '../images/service.js';
import type { Store } from '../store/store.js';
import type { LoadResult } from './load.js';

/** Moving images in and out as tar archives (docker save/load). */
export class ArchiveService {
  constructor(
    private readonly store: Store,
    private readonly images: ImageService,
  ) {}

  /** Reads a Docker or OCI archive (plain or gzip); all images in it or none are added. */
  // The archive modules load on first use, so commands that move no archives never pay for them.
  async load(input: Readable, options: { totalBytes?: number; onProgress?: ProgressListener } = {}): Promise<LoadResult> {
    const { loadArchive } = await import('./load.js');
    return loadArchive(this.store, this.images, input, options);
  }

  async save(names: readonly string[], output: Writable, options: { onProgress?: ProgressListener } = {}): Promise<void> {
    const { saveArchive } = await import('./save.js');
    return saveArchive(this.store, this.images, names, output, options);
  }

  async saveToFile(names: readonly string[], file: string, options: { onProgress?: ProgressListener } = {}): Promise<void> {
    const { saveArchiveToFile } = await import('./save.js');
    return saveArchiveToFile(this.store, this.images, names, file, options);
  }
}
