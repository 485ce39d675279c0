/**
 * Turns layer blobs into unpacked, shared layer directories and records them.
 * Used by every way an image arrives: import, load, and later pull, commit
 * and build.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Digest } from '../digest.js';
import { nodeCrypto } from '../builtins.js';
import { chainIds, digestOf } from '../digest.js';
import { invalidArgument, withContext } from '../errors.js';
import type { ProgressListener } from '../events.js';
import { applyLayer } from '../layers/apply.js';
import type { Store } from '../store/store.js';

import { MEDIA_TYPES } from './media-types.js';
export { MEDIA_TYPES };

/** A layer blob already staged on disk with its verified digest. */
export interface StagedBlob {
  file: string;
  digest: Digest;
  size: number;
}

/** One layer of an image being registered. */
export interface RegisteredLayer {
  chainId: Digest;
  diffId: Digest;
  blob: Digest;
  blobSize: number;
  mediaType: string;
  /** bytes of file content */
  size: number;
}

/** The media type of a layer blob, from its first bytes. */
export function layerMediaType(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(4);
    fs.readSync(fd, head, 0, 4, 0);
    if (head[0] === 0x1f && head[1] === 0x8b) return MEDIA_TYPES.layerGzip;
    if (head.readUInt32LE(0) === 0xfd2fb528) return MEDIA_TYPES.layerZstd;
    return MEDIA_TYPES.layerTar;
  } finally {
    fs.closeSync(fd);
  }
}

/** Copies a stream into `file` under a staging dir, returning its digest and size. */
export async function stageStream(input: NodeJS.ReadableStream, file: string): Promise<StagedBlob> {
  const hash = nodeCrypto().createHash('sha256');
  let size = 0;
  await pipeline(
    input,
    async function* (source: AsyncIterable<Buffer | string>) {
      for await (const chunk of source) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        hash.update(bytes);
        size += bytes.length;
        yield bytes;
      }
    },
    fs.createWriteStream(file),
  );
  return { file, digest: digestOf(hash), size };
}

/**
 * Unpacks each blob (unless its ChainID is already in the store), checks the
 * resulting DiffIDs against `expectedDiffIds` when given, and moves blobs and
 * layer directories into place. Call under `store.lock.shared`; rows are
 * written later by `recordImage`, in the same transaction as the image.
 */
export async function ingestLayers(
  store: Store,
  staging: string,
  blobs: readonly StagedBlob[],
  options: {
    expectedDiffIds?: readonly Digest[];
    onProgress?: ProgressListener;
    operation?: string;
    /** layers these blobs go on top of (commit, build); none for a whole image */
    base?: { diffIds: readonly Digest[]; chainId: Digest };
  } = {},
): Promise<RegisteredLayer[]> {
  const { expectedDiffIds, onProgress, operation = 'load', base } = options;
  if (expectedDiffIds && expectedDiffIds.length !== blobs.length) {
    throw invalidArgument(`image has ${blobs.length} layers but its config lists ${expectedDiffIds.length} diff IDs`);
  }
  const knownLayer = store.db.prepare('SELECT size FROM layers WHERE chain_id = ?');
  const layers: RegisteredLayer[] = [];
  let parentChain: Digest | undefined = base?.chainId;
  const diffIds: Digest[] = [...(base?.diffIds ?? [])];
  for (let [index, blob] of blobs.entries()) {
    // A blob placed earlier in this same ingest (an archive listing one layer twice) has left staging.
    if (!fs.existsSync(blob.file)) blob = { ...blob, file: store.blobPath(blob.digest) };
    const mediaType = layerMediaType(blob.file);
    const shortId = blob.digest.slice(7, 19);
    // With the config's DiffIDs known, an already-unpacked chain need not be read at all.
    const expected = expectedDiffIds?.[index];
    const candidateChain = expected ? chainIds([...diffIds, expected]).at(-1)! : undefined;
    const known = candidateChain ? (knownLayer.get(candidateChain) as { size: number } | undefined) : undefined;
    let diffId: Digest;
    let size: number;
    let chainId: Digest;
    if (known && candidateChain && fs.existsSync(path.join(store.layerRoot(candidateChain), 'link'))) {
      diffId = expected!;
      size = known.size;
      chainId = candidateChain;
      onProgress?.({ type: 'done', operation, id: shortId, message: 'Already exists' });
    } else {
      const layerRoot = fs.mkdtempSync(path.join(staging, 'layer-'));
      const diffDir = path.join(layerRoot, 'diff');
      fs.mkdirSync(diffDir, { mode: 0o755 });
      let applied: Awaited<ReturnType<typeof applyLayer>>;
      try {
        applied = await applyLayer(fs.createReadStream(blob.file), diffDir, {
          onProgress: (current: number) => onProgress?.({ type: 'progress', operation, id: shortId, current, total: blob.size }),
        });
      } catch (err) {
        // applyLayer says what is wrong; which layer, and in which operation, is known here.
        throw withContext(`${operation}: layer ${blob.digest}`, err);
      }
      diffId = applied.diffId;
      size = applied.size;
      if (expected && expected !== diffId) {
        throw invalidArgument(`layer ${index + 1} (${blob.digest}) has diff ID ${diffId}, but the image config says ${expected}`);
      }
      chainId = chainIds([...diffIds, diffId]).at(-1)!;
      store.placeLayer(layerRoot, chainId, parentChain);
      onProgress?.({ type: 'done', operation, id: shortId, message: 'Loaded' });
    }
    store.placeBlob(blob.file, blob.digest);
    diffIds.push(diffId);
    layers.push({ chainId, diffId, blob: blob.digest, blobSize: blob.size, mediaType, size });
    parentChain = chainId;
  }
  return layers;
}
