/**
 * `berth save`: one tar that is both a Docker archive (manifest.json,
 * repositories) and an OCI image layout (oci-layout, index.json,
 * blobs/sha256), the layout Docker 25+ writes, so `docker load`,
 * `podman load`, skopeo's docker-archive: and oci-archive: all read it.
 * Layer blobs are written as they were received; their digests do not change.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import type { Digest } from '../digest.js';
import { hexOf, sha256 } from '../digest.js';
import { invalidArgument } from '../errors.js';
import type { ProgressListener } from '../events.js';
import { TarWriter } from '../layers/tar.js';
import { MEDIA_TYPES } from '../images/layer-store.js';
import { familiarName, parseReference } from '../images/reference.js';
import type { ImageService } from '../images/service.js';
import type { Store } from '../store/store.js';

interface SavedImage {
  id: Digest;
  /** fully qualified names asked for that point at this image */
  tags: string[];
}

/** Writes the archive of the named images to `output`. Names are references or IDs. */
export async function saveArchive(
  store: Store,
  images: ImageService,
  names: readonly string[],
  output: Writable,
  options: { onProgress?: ProgressListener } = {},
): Promise<void> {
  if (names.length === 0) throw invalidArgument('save needs at least one image');
  const selected = new Map<Digest, SavedImage>();
  for (const name of names) {
    // Saving by ID (or digest) writes no tag, as Docker does.
    const { id, tag } = images.lookup(name);
    const image = selected.get(id) ?? { id, tags: [] };
    selected.set(id, image);
    if (tag && !image.tags.includes(tag)) image.tags.push(tag);
  }
  const tar = new TarWriter();
  const written = new Set<Digest>();
  const done = pipeline(tar, output);
  done.catch(() => {}); // awaited below; an early failure must not surface as an unhandled rejection
  const addBlob = async (digest: Digest, data: Buffer | string) => {
    if (written.has(digest)) return;
    written.add(digest);
    await tar.addFile({ name: `blobs/sha256/${hexOf(digest)}`, mode: 0o444 }, data);
  };
  try {
    await tar.addDir({ name: 'blobs', mode: 0o755 });
    await tar.addDir({ name: 'blobs/sha256', mode: 0o755 });
    const dockerManifest: { Config: string; RepoTags: string[] | null; Layers: string[] }[] = [];
    const index: { mediaType: string; digest: Digest; size: number; annotations?: Record<string, string> }[] = [];
    const repositories: Record<string, Record<string, string>> = {};
    for (const image of selected.values()) {
      const layers = images.layers(image.id);
      const configBytes = images.configBytes(image.id);
      await addBlob(image.id, configBytes);
      for (const layer of layers) {
        await addBlob(layer.blob, store.blobPath(layer.blob));
        options.onProgress?.({ type: 'done', operation: 'save', id: hexOf(layer.blob).slice(0, 12), message: 'Saved' });
      }
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MEDIA_TYPES.ociManifest,
          config: { mediaType: MEDIA_TYPES.ociConfig, digest: image.id, size: configBytes.length },
          layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.blob, size: l.blobSize })),
        }),
      );
      const manifestDigest = sha256(manifest);
      await addBlob(manifestDigest, manifest);
      const familiar = image.tags.map((t) => familiarName(parseReference(t)));
      dockerManifest.push({
        Config: `blobs/sha256/${hexOf(image.id)}`,
        RepoTags: familiar.length > 0 ? familiar : null,
        Layers: layers.map((l) => `blobs/sha256/${hexOf(l.blob)}`),
      });
      const descriptor = { mediaType: MEDIA_TYPES.ociManifest, digest: manifestDigest, size: manifest.length };
      if (image.tags.length === 0) index.push(descriptor);
      for (const tag of image.tags) {
        const ref = parseReference(tag);
        index.push({
          ...descriptor,
          annotations: { 'io.containerd.image.name': tag, 'org.opencontainers.image.ref.name': ref.tag ?? 'latest' },
        });
        const top = layers.at(-1);
        if (top) {
          const repo = familiarName({ ...ref, tag: undefined });
          repositories[repo] = { ...repositories[repo], [ref.tag ?? 'latest']: hexOf(top.blob) };
        }
      }
    }
    await tar.addFile({ name: 'index.json', mode: 0o644 }, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: index })));
    await tar.addFile({ name: 'manifest.json', mode: 0o644 }, Buffer.from(JSON.stringify(dockerManifest)));
    await tar.addFile({ name: 'oci-layout', mode: 0o644 }, Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
    if (Object.keys(repositories).length > 0) {
      await tar.addFile({ name: 'repositories', mode: 0o644 }, Buffer.from(JSON.stringify(repositories)));
    }
    await tar.finish();
  } catch (err) {
    tar.destroy(err as Error);
    await done.catch(() => {});
    throw err;
  }
  await done;
}

/**
 * Saves to a file atomically: written beside the target and renamed, so an
 * interrupted save never leaves a truncated archive under the asked-for name.
 */
export async function saveArchiveToFile(
  store: Store,
  images: ImageService,
  names: readonly string[],
  file: string,
  options: { onProgress?: ProgressListener } = {},
): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw invalidArgument(`invalid output path: directory "${dir}" does not exist`);
  for (const name of names) images.resolve(name); // fail on a bad name before creating anything
  const partial = path.join(dir, `.${path.basename(file)}.${process.pid}.partial`);
  // Opened synchronously, so the finally below always finds (and removes) it.
  const fd = fs.openSync(partial, 'wx', 0o644);
  try {
    await saveArchive(store, images, names, fs.createWriteStream('', { fd }), options);
    fs.renameSync(partial, file);
  } finally {
    fs.rmSync(partial, { force: true });
  }
}
