/**
 * `berth load`: reads a Docker archive (the old <id>/layer.tar layout or the
 * newer blobs/sha256 one), an OCI image layout in a tar, or either gzipped.
 *
 * The archive is first spread into a staging dir (one file per regular
 * entry, hashed on the way), since manifest.json may come after the layers;
 * then each image's layers are unpacked and checked against its config's
 * DiffIDs, and finally the image is recorded in one transaction. A failure or
 * a crash at any point leaves no image behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { nodeCrypto } from '../builtins.js';
import { digestOf, isDigest } from '../digest.js';
import { invalidArgument, isBerthError, withContext } from '../errors.js';
import type { ProgressListener } from '../events.js';
import { byteCounter, decompressed } from '../layers/compression.js';
import { freeSpaceLimit, withinLimit } from '../layers/size-limit.js';
import { readTar } from '../layers/tar.js';
import { checkJsonSize, parseBoundedJson } from '../images/bounded-json.js';
import { hostArchitecture, parseImageConfig } from '../images/config.js';
import { ingestLayers, MEDIA_TYPES, type StagedBlob } from '../images/layer-store.js';
import { parseReference, parseTaggedReference, qualifiedName, familiarName } from '../images/reference.js';
import type { ImageService } from '../images/service.js';
import type { Store } from '../store/store.js';

/** One image found in an archive, before its layers are unpacked. */
interface ArchivedImage {
  config: StagedBlob;
  layers: StagedBlob[];
  /** fully qualified names */
  tags: string[];
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  annotations?: Record<string, string>;
  platform?: { architecture?: string; os?: string };
}

export interface LoadResult {
  /** "busybox:latest" for tagged images, the image ID for untagged ones */
  loaded: string[];
}

/** The staged regular files of an archive by name, following the archive's own symlinks. */
class StagedArchive {
  readonly files = new Map<string, StagedBlob>();
  readonly links = new Map<string, string>();

  lookup(name: string): StagedBlob | undefined {
    let current = normalizeEntryName(name);
    for (let hops = 0; hops < 16; hops++) {
      const file = this.files.get(current);
      if (file) return file;
      const target = this.links.get(current);
      if (target === undefined) return undefined;
      current = target;
    }
    return undefined;
  }

  require(name: string, what: string): StagedBlob {
    const file = this.lookup(name);
    if (!file) throw invalidArgument(`invalid image archive: ${what} "${name}" is missing`);
    return file;
  }

  json<T>(name: string): T {
    return readBoundedJson<T>(this.require(name, 'file'), `invalid image archive: ${name}`);
  }
}

export async function loadArchive(
  store: Store,
  images: ImageService,
  input: Readable,
  options: { totalBytes?: number; onProgress?: ProgressListener } = {},
): Promise<LoadResult> {
  const { onProgress } = options;
  try {
    return await loadUnderLock(store, images, input, options);
  } catch (err) {
    // Layers and blobs placed before the failure have no rows: collect them now, outside the lock.
    store.collectGarbage();
    // A raw errno or zlib error (staging on a full disk, a corrupt gzipped archive) becomes one readable line here.
    throw isBerthError(err) ? err : withContext('load', err);
  }
}

function loadUnderLock(
  store: Store,
  images: ImageService,
  input: Readable,
  options: { totalBytes?: number; onProgress?: ProgressListener },
): Promise<LoadResult> {
  const { onProgress } = options;
  return store.lock.shared(async () => {
    const staging = store.makeStagingDir('load');
    try {
      const archive = await stageArchive(input, staging, options);
      const found = archive.lookup('manifest.json') ? dockerImages(archive) : ociImages(archive);
      const ready: { configBytes: Buffer; layers: Awaited<ReturnType<typeof ingestLayers>>; tags: string[] }[] = [];
      for (const image of found) {
        checkJsonSize(image.config.size, 'invalid image config');
        const configBytes = fs.readFileSync(image.config.file);
        const config = parseImageConfig(configBytes);
        const layers = await ingestLayers(store, staging, image.layers, {
          expectedDiffIds: config.rootfs.diff_ids,
          onProgress,
          operation: 'load',
        });
        ready.push({ configBytes, layers, tags: image.tags });
      }
      // Every image of the archive becomes visible at once, or none does.
      const ids = store.write(() => ready.map((image) => images.record(image)));
      const loaded: string[] = [];
      ready.forEach((image, i) => {
        const names = image.tags.length > 0 ? image.tags.map((t) => familiarName(parseReference(t))) : [ids[i]];
        for (const name of names) {
          onProgress?.({ type: 'status', message: image.tags.length > 0 ? `Loaded image: ${name}` : `Loaded image ID: ${name}` });
        }
        loaded.push(...names);
      });
      return { loaded };
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
  });
}

async function stageArchive(
  input: Readable,
  staging: string,
  options: { totalBytes?: number; onProgress?: ProgressListener },
): Promise<StagedArchive> {
  const archive = new StagedArchive();
  const filesDir = path.join(staging, 'files');
  fs.mkdirSync(filesDir);
  const counted = input.pipe(
    byteCounter((current) =>
      options.onProgress?.({ type: 'progress', operation: 'read', id: 'archive', current, total: options.totalBytes }),
    ),
  );
  input.on('error', (err) => counted.destroy(err));
  // A gzipped archive may be a bomb: what it expands to is staged, so it is held to the store's free space.
  const limit = freeSpaceLimit(staging);
  let count = 0;
  for await (const entry of readTar(withinLimit(await decompressed(counted), limit, 'load: archive: '))) {
    const name = normalizeEntryName(entry.name);
    if (entry.type === 'file') {
      const file = path.join(filesDir, String(count++));
      const hash = nodeCrypto().createHash('sha256');
      const out = fs.createWriteStream(file);
      let size = 0;
      try {
        for await (const chunk of entry.body) {
          hash.update(chunk);
          size += chunk.length;
          if (!out.write(chunk)) await once(out, 'drain');
        }
        out.end();
        await once(out, 'finish');
      } catch (err) {
        // The read failed (corrupt data, a bomb): the file still opening must not fail later, uncaught, once staging is gone.
        out.on('error', () => {});
        out.destroy();
        throw err;
      }
      archive.files.set(name, { file, digest: digestOf(hash), size });
    } else if (entry.type === 'symlink') {
      // Old Docker archives link identical layers: <id>/layer.tar -> ../<other>/layer.tar
      archive.links.set(name, normalizeEntryName(path.posix.join(path.posix.dirname(name), entry.linkname)));
    }
  }
  return archive;
}

/** A staged JSON document, refused by its size before it is read and by its depth before it is parsed. */
function readBoundedJson<T>(blob: StagedBlob, what: string): T {
  checkJsonSize(blob.size, what);
  return parseBoundedJson(fs.readFileSync(blob.file), what) as T;
}

/** Archive member names as plain relative paths; anything pointing outside the archive is refused. */
function normalizeEntryName(name: string): string {
  const normalized = path.posix.normalize(name.replace(/^\.\//, '')).replace(/\/$/, '');
  if (normalized.startsWith('/') || normalized === '..' || normalized.startsWith('../')) {
    throw invalidArgument(`invalid image archive: entry "${name}" points outside the archive`);
  }
  return normalized;
}

/** manifest.json: [{Config, RepoTags, Layers}] — both Docker layouts. */
function dockerImages(archive: StagedArchive): ArchivedImage[] {
  const manifest = archive.json<{ Config: string; RepoTags?: string[] | null; Layers: string[] }[]>('manifest.json');
  if (!Array.isArray(manifest)) throw invalidArgument('invalid image archive: manifest.json is not a list');
  return manifest.map((entry) => {
    if (typeof entry?.Config !== 'string' || !Array.isArray(entry.Layers)) {
      throw invalidArgument('invalid image archive: manifest.json entry lacks Config or Layers');
    }
    const check = (name: string, what: string) => verifyByName(archive.require(name, what), name);
    return {
      config: check(entry.Config, 'config'),
      layers: entry.Layers.map((l) => check(l, 'layer')),
      tags: (entry.RepoTags ?? []).map((t) => qualifiedName(parseTaggedReference(t))),
    };
  });
}

/** Names like blobs/sha256/<hex> or <hex>.json promise a digest; hold them to it. */
function verifyByName(blob: StagedBlob, name: string): StagedBlob {
  const match = /(?:^|\/)sha256\/([0-9a-f]{64})$/.exec(name);
  if (match && blob.digest !== `sha256:${match[1]}`) {
    throw invalidArgument(`invalid image archive: ${name} has digest ${blob.digest}`);
  }
  return blob;
}

/** An OCI image layout: index.json → (index →) manifest → config + layers. */
function ociImages(archive: StagedArchive): ArchivedImage[] {
  if (!archive.lookup('index.json')) {
    throw invalidArgument('invalid image archive: no manifest.json or index.json (not a Docker or OCI image archive)');
  }
  const blobOf = (descriptor: Descriptor, what: string): StagedBlob => {
    if (!isDigest(descriptor?.digest)) throw invalidArgument(`invalid image archive: ${what} has a bad digest "${descriptor?.digest}"`);
    const blob = archive.require(`blobs/sha256/${descriptor.digest.slice(7)}`, what);
    if (blob.digest !== descriptor.digest || (descriptor.size !== undefined && blob.size !== descriptor.size)) {
      throw invalidArgument(`invalid image archive: ${what} ${descriptor.digest} does not match its content`);
    }
    return blob;
  };
  const readJson = <T>(blob: StagedBlob, what: string): T => readBoundedJson<T>(blob, `invalid image archive: ${what}`);
  const index = archive.json<{ manifests?: Descriptor[] }>('index.json');
  const images: ArchivedImage[] = [];
  for (const top of index.manifests ?? []) {
    const name = imageName(top.annotations);
    let descriptor = top;
    if (top.mediaType === MEDIA_TYPES.ociIndex || top.mediaType === MEDIA_TYPES.dockerManifestList) {
      const nested = readJson<{ manifests?: Descriptor[] }>(blobOf(top, 'index'), 'index');
      const match = (nested.manifests ?? []).find(
        (m) => (m.platform?.architecture ?? hostArchitecture()) === hostArchitecture() && (m.platform?.os ?? 'linux') === 'linux',
      );
      if (!match) throw invalidArgument(`invalid image archive: no image for linux/${hostArchitecture()} in ${top.digest}`);
      descriptor = match;
    }
    const manifest = readJson<{ config: Descriptor; layers: Descriptor[] }>(blobOf(descriptor, 'manifest'), 'manifest');
    if (!manifest.config || !Array.isArray(manifest.layers)) throw invalidArgument('invalid image archive: manifest lacks config or layers');
    const config = blobOf(manifest.config, 'config');
    images.push({
      config,
      layers: manifest.layers.map((l) => blobOf(l, 'layer')),
      tags: name ? [name] : [],
    });
  }
  if (images.length === 0) throw invalidArgument('invalid image archive: index.json lists no images');
  return images;
}

/**
 * containerd's full name annotation first; the OCI ref.name only when it is a
 * whole reference — skopeo and umoci put a bare tag there, naming no repository.
 */
function imageName(annotations: Record<string, string> | undefined): string | undefined {
  const full = annotations?.['io.containerd.image.name'];
  const refName = annotations?.['org.opencontainers.image.ref.name'];
  const candidate = full ?? (refName && /[:/]/.test(refName) ? refName : undefined);
  if (!candidate) return undefined;
  try {
    return qualifiedName(parseTaggedReference(candidate));
  } catch {
    return undefined;
  }
}

