/**
 * Images: what the store holds, by reference or ID, and the operations on
 * them that do not move archives (those are in ../archive).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Digest } from '../digest.js';
import { hexOf, sha256 } from '../digest.js';
import { failedPrecondition, invalidArgument, notFound } from '../errors.js';
import type { ProgressListener } from '../events.js';
import type { Store } from '../store/store.js';
import { applyChanges, hostArchitecture, parseImageConfig, type ContainerConfig, type ImageConfig } from './config.js';
import type { RegisteredLayer } from './layer-store.js';
import { MEDIA_TYPES } from './media-types.js';
import {
  familiarName,
  familiarRepository,
  parseReference,
  parseTaggedReference,
  qualifiedName,
  repositoryName,
  type Reference,
} from './reference.js';

export interface ImageSummary {
  id: Digest;
  /** familiar names: busybox:latest */
  repoTags: string[];
  repoDigests: string[];
  created: string | undefined;
  size: number;
  parent: string | undefined;
  /** ChainIDs bottom to top */
  layers: Digest[];
  loadedAt: number;
}

export interface NewImage {
  configBytes: Buffer;
  layers: RegisteredLayer[];
  parent?: Digest;
  /** fully qualified names to point at this image */
  tags?: string[];
}

export interface RemoveResult {
  untagged: string[];
  deleted: Digest[];
}

const ID_PREFIX = /^(sha256:)?[0-9a-f]{1,64}$/;

export class ImageService {
  constructor(private readonly store: Store) {}

  private get db() {
    return this.store.db;
  }

  /**
   * Records a new image, its layers and blobs in one transaction. Blobs and
   * layer directories must already be in place (ingestLayers). Tags move to
   * the new image. Returns the image ID.
   */
  record(image: NewImage): Digest {
    const config = parseImageConfig(image.configBytes);
    const id = sha256(image.configBytes);
    if (config.rootfs.diff_ids.length !== image.layers.length ||
        config.rootfs.diff_ids.some((d, i) => d !== image.layers[i].diffId)) {
      throw invalidArgument(`image ${id}: config diff IDs do not match its layers`);
    }
    const configPath = this.store.blobPath(id);
    if (!fs.existsSync(configPath)) {
      const staged = path.join(this.store.root, 'tmp', `${process.pid}-config-${hexOf(id)}`);
      fs.writeFileSync(staged, image.configBytes);
      this.store.placeBlob(staged, id);
    }
    const now = Date.now();
    this.store.write(() => {
      const insertBlob = this.db.prepare('INSERT OR IGNORE INTO blobs (digest, size, media_type) VALUES (?, ?, ?)');
      insertBlob.run(id, image.configBytes.length, MEDIA_TYPES.ociConfig);
      const insertLayer = this.db.prepare(
        'INSERT OR IGNORE INTO layers (chain_id, diff_id, parent, size, link) VALUES (?, ?, ?, ?, ?)',
      );
      image.layers.forEach((layer, i) => {
        insertBlob.run(layer.blob, layer.blobSize, layer.mediaType);
        const link = fs.readFileSync(path.join(this.store.layerRoot(layer.chainId), 'link'), 'utf8');
        insertLayer.run(layer.chainId, layer.diffId, i > 0 ? image.layers[i - 1].chainId : null, layer.size, link);
      });
      const inserted = this.db
        .prepare('INSERT OR IGNORE INTO images (id, created, size, parent, loaded_at) VALUES (?, ?, ?, ?, ?)')
        .run(id, config.created ?? null, image.layers.reduce((sum, l) => sum + l.size, 0), image.parent ?? null, now);
      if (inserted.changes > 0) {
        const insertImageLayer = this.db.prepare(
          'INSERT INTO image_layers (image_id, position, chain_id, blob) VALUES (?, ?, ?, ?)',
        );
        image.layers.forEach((layer, i) => insertImageLayer.run(id, i, layer.chainId, layer.blob));
      }
      const tag = this.db.prepare('INSERT OR REPLACE INTO tags (name, image_id, tagged_at) VALUES (?, ?, ?)');
      for (const name of image.tags ?? []) tag.run(name, id, now);
    });
    return id;
  }

  /**
   * Finds an image by reference (busybox, busybox:1.36, localhost:5000/a@sha256:…),
   * then by full ID or unique ID prefix, as Docker does. Throws not-found with
   * Docker's wording.
   */
  resolve(nameOrId: string): Digest {
    return this.lookup(nameOrId).id;
  }

  /** Like resolve, also telling whether the name was a tag (and which) rather than an ID. */
  lookup(nameOrId: string): { id: Digest; tag?: string } {
    let ref: Reference | undefined;
    try {
      ref = parseTaggedReference(nameOrId);
    } catch (err) {
      if (!ID_PREFIX.test(nameOrId)) throw err;
    }
    if (ref) {
      const row = ref.digest
        ? (this.db.prepare('SELECT image_id FROM repo_digests WHERE name = ?').get(`${repositoryName(ref)}@${ref.digest}`) as
            | { image_id: Digest }
            | undefined)
        : (this.db.prepare('SELECT image_id FROM tags WHERE name = ?').get(qualifiedName(ref)) as { image_id: Digest } | undefined);
      if (row) return { id: row.image_id, tag: ref.digest ? undefined : qualifiedName(ref) };
    }
    const byId = this.resolveId(nameOrId);
    if (byId) return { id: byId };
    throw notFound(`No such image: ${ref ? familiarName(ref) : nameOrId}`);
  }

  private resolveId(value: string): Digest | undefined {
    if (!ID_PREFIX.test(value)) return undefined;
    const hex = value.replace(/^sha256:/, '');
    const rows = this.db.prepare(`SELECT id FROM images WHERE id LIKE ? LIMIT 2`).all(`sha256:${hex}%`) as { id: Digest }[];
    if (rows.length > 1) throw invalidArgument(`image ID prefix "${value}" is ambiguous`);
    return rows[0]?.id;
  }

  /** Content bytes of one layer. */
  layerSize(chainId: Digest): number {
    return (this.db.prepare('SELECT size FROM layers WHERE chain_id = ?').get(chainId) as { size: number } | undefined)?.size ?? 0;
  }

  exists(id: Digest): boolean {
    return this.db.prepare('SELECT 1 FROM images WHERE id = ?').get(id) !== undefined;
  }

  config(id: Digest): ImageConfig {
    return parseImageConfig(this.configBytes(id));
  }

  configBytes(id: Digest): Buffer {
    return fs.readFileSync(this.store.blobPath(id));
  }

  /** Layers bottom to top with the blob each was stored from. */
  layers(id: Digest): (RegisteredLayer & { link: string })[] {
    return this.db
      .prepare(
        `SELECT il.chain_id AS chainId, l.diff_id AS diffId, il.blob AS blob, b.size AS blobSize,
                b.media_type AS mediaType, l.size AS size, l.link AS link
           FROM image_layers il JOIN layers l ON l.chain_id = il.chain_id JOIN blobs b ON b.digest = il.blob
          WHERE il.image_id = ? ORDER BY il.position`,
      )
      .all(id) as (RegisteredLayer & { link: string })[];
  }

  /**
   * The image as Docker's API shows it (GET /images/{name}/json), so tools
   * that read `docker image inspect` output read berth's.
   */
  inspect(id: Digest): Record<string, unknown> {
    const config = this.config(id);
    const summary = this.list().find((i) => i.id === id)!;
    const layers = this.layers(id);
    const lastTag = (this.db.prepare('SELECT max(tagged_at) AS t FROM tags WHERE image_id = ?').get(id) as { t: number | null }).t;
    const lowers = layers.map((l) => this.store.layerDiff(l.chainId)).reverse();
    return {
      Id: id,
      RepoTags: summary.repoTags,
      RepoDigests: summary.repoDigests,
      Parent: summary.parent ?? '',
      Comment: config.comment ?? config.history?.at(-1)?.comment ?? '',
      Created: config.created ?? '',
      DockerVersion: config.docker_version ?? '',
      Author: config.author ?? '',
      Config: {
        Hostname: '',
        Domainname: '',
        User: '',
        AttachStdin: false,
        AttachStdout: false,
        AttachStderr: false,
        Tty: false,
        OpenStdin: false,
        StdinOnce: false,
        Env: null,
        Cmd: null,
        Image: '',
        Volumes: null,
        WorkingDir: '',
        Entrypoint: null,
        OnBuild: null,
        Labels: null,
        ...config.config,
      },
      Architecture: config.architecture,
      ...(config.variant ? { Variant: config.variant } : {}),
      Os: config.os,
      Size: summary.size,
      GraphDriver: {
        Data: { LowerDir: lowers.slice(1).join(':') || undefined, UpperDir: lowers[0] },
        Name: 'overlay',
      },
      RootFS: { Type: 'layers', Layers: config.rootfs.diff_ids },
      Metadata: { LastTagTime: lastTag ? new Date(lastTag).toISOString() : '0001-01-01T00:00:00Z' },
    };
  }

  /** All images (or those of one repository), newest first, as `docker images` lists them. */
  list(options: { repository?: string } = {}): ImageSummary[] {
    const rows = this.db.prepare('SELECT id, created, size, parent, loaded_at FROM images').all() as {
      id: Digest;
      created: string | null;
      size: number;
      parent: string | null;
      loaded_at: number;
    }[];
    const tags = this.db.prepare('SELECT name, image_id FROM tags ORDER BY tagged_at, name').all() as { name: string; image_id: Digest }[];
    const digests = this.db.prepare('SELECT name, image_id FROM repo_digests').all() as { name: string; image_id: Digest }[];
    const layers = this.db.prepare('SELECT image_id, chain_id FROM image_layers ORDER BY position').all() as {
      image_id: Digest;
      chain_id: Digest;
    }[];
    const group = <T extends { image_id: Digest }>(items: T[], pick: (t: T) => string) => {
      const map = new Map<Digest, string[]>();
      for (const item of items) map.set(item.image_id, [...(map.get(item.image_id) ?? []), pick(item)]);
      return map;
    };
    const tagsById = group(tags, (t) => familiarName(parseReference(t.name)));
    const digestsById = group(digests, (d) => familiarName(parseReference(d.name)));
    const layersById = group(layers, (l) => l.chain_id);
    let images: ImageSummary[] = rows.map((row) => ({
      id: row.id,
      repoTags: tagsById.get(row.id) ?? [],
      repoDigests: digestsById.get(row.id) ?? [],
      created: row.created ?? undefined,
      size: row.size,
      parent: row.parent ?? undefined,
      layers: (layersById.get(row.id) ?? []) as Digest[],
      loadedAt: row.loaded_at,
    }));
    if (options.repository !== undefined) {
      const wanted = parseReference(options.repository);
      const repo = familiarRepository(wanted);
      images = images
        .map((image) => ({
          ...image,
          repoTags: image.repoTags.filter((t) => {
            const ref = parseReference(t);
            return familiarRepository(ref) === repo && (!wanted.tag || ref.tag === wanted.tag);
          }),
        }))
        .filter((image) => image.repoTags.length > 0);
    }
    return images.sort((a, b) => createdMs(b) - createdMs(a) || a.id.localeCompare(b.id));
  }

  /** Points `target` (default tag latest) at the image `source` names. */
  tag(source: string, target: string): void {
    const id = this.resolve(source);
    const ref = parseTaggedReference(target);
    if (ref.digest) throw invalidArgument(`refusing to create a tag with a digest reference: ${target}`);
    this.store.write(() => {
      this.db.prepare('INSERT OR REPLACE INTO tags (name, image_id, tagged_at) VALUES (?, ?, ?)').run(qualifiedName(ref), id, Date.now());
    });
  }

  /**
   * `docker rmi`: a name untags; the image goes when its last tag does (or when
   * named by ID). An image named by ID with several tags needs force, as does
   * one a container uses (`inUse` tells which are).
   */
  remove(nameOrId: string, options: { force?: boolean; inUse?: (id: Digest) => string | undefined } = {}): RemoveResult {
    return this.store.freeing(() => this.removeNow(nameOrId, options));
  }

  private removeNow(nameOrId: string, options: { force?: boolean; inUse?: (id: Digest) => string | undefined }): RemoveResult {
    const { id, tag: byTag } = this.lookup(nameOrId);
    const result: RemoveResult = { untagged: [], deleted: [] };
    const user = options.inUse?.(id);
    this.store.write(() => {
      const tags = (this.db.prepare('SELECT name FROM tags WHERE image_id = ?').all(id) as { name: string }[]).map((r) => r.name);
      const untag = (names: string[]) => {
        const del = this.db.prepare('DELETE FROM tags WHERE name = ?');
        for (const name of names) {
          del.run(name);
          result.untagged.push(familiarName(parseReference(name)));
        }
      };
      if (byTag) {
        const name = byTag;
        if (user && !options.force && tags.length === 1) {
          throw failedPrecondition(`unable to remove repository reference "${nameOrId}" (must force) - container ${user} is using its referenced image ${hexOf(id).slice(0, 12)}`);
        }
        untag([name]);
        if (tags.length > 1) return;
      } else {
        if (tags.length > 1 && !options.force) {
          throw failedPrecondition(`unable to delete ${hexOf(id).slice(0, 12)} (must be forced) - image is referenced in multiple repositories`);
        }
        if (user && !options.force) {
          throw failedPrecondition(`unable to delete ${hexOf(id).slice(0, 12)} (must be forced) - image is being used by stopped container ${user}`);
        }
        untag(tags);
      }
      if (user) return; // forced: Docker keeps an image a container needs, untagged
      const digests = (this.db.prepare('SELECT name FROM repo_digests WHERE image_id = ?').all(id) as { name: string }[]).map((r) => r.name);
      for (const d of digests) result.untagged.push(familiarName(parseReference(d)));
      this.db.prepare('DELETE FROM images WHERE id = ?').run(id);
      result.deleted.push(id);
    });
    if (result.deleted.length > 0) this.store.collectGarbage();
    return result;
  }

  /** `docker image prune`: untagged images, or with `all` every image no container uses. */
  prune(options: { all?: boolean; inUse?: (id: Digest) => string | undefined } = {}): { deleted: Digest[]; untagged: string[]; reclaimed: number } {
    return this.store.freeing(() => this.pruneNow(options));
  }

  private pruneNow(options: { all?: boolean; inUse?: (id: Digest) => string | undefined }): { deleted: Digest[]; untagged: string[]; reclaimed: number } {
    const deleted: Digest[] = [];
    const untagged: string[] = [];
    this.store.write(() => {
      for (const image of this.list()) {
        if (options.inUse?.(image.id)) continue;
        if (image.repoTags.length > 0 && !options.all) continue;
        untagged.push(...image.repoTags, ...image.repoDigests);
        this.db.prepare('DELETE FROM images WHERE id = ?').run(image.id);
        deleted.push(image.id);
      }
    });
    const report = this.store.collectGarbage();
    return { deleted, untagged, reclaimed: report?.reclaimed ?? 0 };
  }

  /**
   * `docker import`: a root filesystem tarball (plain or compressed) becomes a
   * one-layer image, with `changes` applied to its config.
   */
  async importRootfs(
    input: NodeJS.ReadableStream,
    options: { source: string; reference?: string; changes?: string[]; message?: string; onProgress?: ProgressListener },
  ): Promise<Digest> {
    const ref = options.reference ? parseTaggedReference(options.reference) : undefined;
    if (ref?.digest) throw invalidArgument(`invalid reference format: cannot import to a digest reference`);
    const containerConfig = applyChanges({}, options.changes ?? []);
    try {
      return await this.importUnderLock(input, options, ref, containerConfig);
    } catch (err) {
      this.store.collectGarbage(); // whatever was placed before the failure has no row
      throw err;
    }
  }

  private async importUnderLock(
    input: NodeJS.ReadableStream,
    options: { source: string; message?: string; onProgress?: ProgressListener },
    ref: Reference | undefined,
    containerConfig: ContainerConfig,
  ): Promise<Digest> {
    // Loaded here, not at start-up: only commands that unpack layers pay for the tar machinery.
    const { ingestLayers, stageStream } = await import('./layer-store.js');
    return this.store.lock.shared(async () => {
      const staging = this.store.makeStagingDir('import');
      try {
        const blob = await stageStream(input, path.join(staging, 'layer.blob'));
        const layers = await ingestLayers(this.store, staging, [blob], { onProgress: options.onProgress, operation: 'import' });
        const created = new Date().toISOString();
        const config: ImageConfig = {
          architecture: hostArchitecture(),
          os: 'linux',
          created,
          config: containerConfig,
          rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
          history: [{ created, created_by: '', comment: options.message ?? `Imported from ${options.source}` }],
        };
        if (options.message) config.comment = options.message;
        return this.record({
          configBytes: Buffer.from(JSON.stringify(config)),
          layers,
          tags: ref ? [qualifiedName(ref)] : [],
        });
      } finally {
        fs.rmSync(staging, { recursive: true, force: true });
      }
    });
  }

  /**
   * Mounts the image's layers read-only at `target` (an overlay of the layer
   * dirs through their short links, so 200 layers fit overlay's one-page
   * option limit). Unmount with `unmount`.
   */
  mount(id: Digest, target: string): void {
    const links = this.layers(id).map((l) => `l/${l.link}`).reverse();
    if (links.length === 0) throw failedPrecondition(`image ${id} has no layers to mount`);
    const empty = path.join(this.store.overlayDir, 'empty');
    if (links.length === 1) {
      fs.mkdirSync(empty, { recursive: true });
      links.push('empty');
    }
    const native = this.store.native;
    native.mount('overlay', target, 'overlay', native.MS_RDONLY, `lowerdir=${links.join(':')}`, this.store.overlayDir);
  }

  unmount(target: string): void {
    this.store.native.umount2(target, this.store.native.MNT_DETACH);
  }
}

function createdMs(image: ImageSummary): number {
  const t = image.created ? Date.parse(image.created) : NaN;
  return Number.isNaN(t) ? image.loadedAt : t;
}

/** A node of the seed's `images --tree`: a layer, the images whose top it is, and the layers built on it. */
export interface LayerTreeNode {
  chainId: Digest;
  /** this layer's own content bytes */
  size: number;
  /** bytes of this layer and all below it */
  virtualSize: number;
  /** images whose top layer this is */
  images: { id: Digest; repoTags: string[] }[];
  children: LayerTreeNode[];
}

/** Builds the layer tree of all images: shared base layers appear once, with every image built on them below. */
export function layerTree(images: readonly ImageSummary[], layerSize: (chainId: Digest) => number): LayerTreeNode[] {
  const roots: LayerTreeNode[] = [];
  const nodes = new Map<Digest, LayerTreeNode>();
  for (const image of [...images].sort((a, b) => a.loadedAt - b.loadedAt)) {
    let siblings = roots;
    let below = 0;
    let node: LayerTreeNode | undefined;
    for (const chainId of image.layers) {
      node = nodes.get(chainId);
      if (!node) {
        const size = layerSize(chainId);
        node = { chainId, size, virtualSize: below + size, images: [], children: [] };
        nodes.set(chainId, node);
        siblings.push(node);
      }
      below = node.virtualSize;
      siblings = node.children;
    }
    node?.images.push({ id: image.id, repoTags: image.repoTags });
  }
  return roots;
}

/** One row of `docker history`, newest first. */
export interface HistoryRow {
  /** the image ID for the top row, undefined for the rest (Docker's <missing>) */
  id?: Digest;
  created?: string;
  createdBy: string;
  /** bytes added by this step; 0 for steps that made no layer */
  size: number;
  comment: string;
  emptyLayer: boolean;
}

/**
 * Pairs the config's history with the image's layers: every entry without
 * empty_layer owns the next layer. Images whose history does not match their
 * layers (or has none) get one row per layer, as Docker shows them.
 */
export function imageHistory(id: Digest, config: ImageConfig, layerSizes: readonly number[]): HistoryRow[] {
  const entries = config.history ?? [];
  const nonEmpty = entries.filter((h) => !h.empty_layer).length;
  const rows: HistoryRow[] = [];
  if (nonEmpty === layerSizes.length) {
    let layer = 0;
    for (const entry of entries) {
      rows.push({
        created: entry.created,
        createdBy: entry.created_by ?? '',
        size: entry.empty_layer ? 0 : layerSizes[layer++],
        comment: entry.comment ?? '',
        emptyLayer: entry.empty_layer === true,
      });
    }
  } else {
    for (const size of layerSizes) rows.push({ created: config.created, createdBy: '', size, comment: '', emptyLayer: false });
  }
  rows.reverse();
  if (rows.length > 0) rows[0].id = id;
  return rows;
}
