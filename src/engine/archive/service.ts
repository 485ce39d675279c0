import type { Readable, Writable } from 'node:stream';
import type { ProgressListener } from '../events.js';
import type { ImageService } from '../images/service.js';
import type { Store } from '../store/store.js';
import { loadArchive, type LoadResult } from './load.js';
import { saveArchive, saveArchiveToFile } from './save.js';

/** Moving images in and out as tar archives (docker save/load). */
export class ArchiveService {
  constructor(
    private readonly store: Store,
    private readonly images: ImageService,
  ) {}

  /** Reads a Docker or OCI archive (plain or gzip); all images in it or none are added. */
  load(input: Readable, options: { totalBytes?: number; onProgress?: ProgressListener } = {}): Promise<LoadResult> {
    return loadArchive(this.store, this.images, input, options);
  }

  save(names: readonly string[], output: Writable, options: { onProgress?: ProgressListener } = {}): Promise<void> {
    return saveArchive(this.store, this.images, names, output, options);
  }

  saveToFile(names: readonly string[], file: string, options: { onProgress?: ProgressListener } = {}): Promise<void> {
    return saveArchiveToFile(this.store, this.images, names, file, options);
  }
}
