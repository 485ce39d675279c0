/**
 * Volumes (Docker's `local` driver): create, list, inspect, remove, prune,
 * and the container side: resolving a container's mounts at create, and
 * giving back its anonymous volumes at `rm -v` / `--rm`.
 *
 * On disk, like Docker and with no table: volumes/<name>/_data holds the
 * data, volumes/<name>/volume.json the metadata. A volume is staged under
 * tmp/ (both files) and renamed into place, so it exists whole or not at
 * all; removal renames it into tmp/ first, so it disappears at once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { errnoCode, failedPrecondition, invalidArgument, notFound } from '../errors.js';
import type { Store } from '../store/store.js';
import { treeSize } from '../store/store.js';
import { ContainerRepository, writeAtomic } from '../containers/repository.js';
import type { HostConfig } from '../containers/types.js';
import { nodeCrypto } from '../builtins.js';
import type { Digest } from '../digest.js';
import type { ImageService } from '../images/service.js';
import { holdRootfs } from '../runtime/rootfs.js';
import { copyUp } from './copy-up.js';
import {
  checkVolumeName,
  mountSpecMount,
  parseTmpfsFlag,
  parseVolumeFlag,
  parseVolumesFrom,
  volumeDestination,
  volumeFlagMount,
} from './parse.js';
import { ANONYMOUS_LABEL, type MountInspect, type MountPoint, type MountSpec, type Volume, type VolumeInspect } from './types.js';

export interface CreateVolumeOptions {
  /** a new 64-hex name when absent */
  name?: string;
  labels?: Record<string, string> | null;
  options?: Record<string, string> | null;
  driver?: string;
}

/** A label filter: the volume has label `key` (with `value`, when given), or with `negate` has not. */
export interface LabelFilter {
  key: string;
  value?: string;
  negate?: boolean;
}

/** Docker's label filter value, KEY or KEY=VALUE (`label!=…` negates it). */
export function labelFilter(value: string, negate = false): LabelFilter {
  const at = value.indexOf('=');
  return at < 0 ? { key: value, negate } : { key: value.slice(0, at), value: value.slice(at + 1), negate };
}

export function labelMatches(labels: Record<string, string> | null, filter: LabelFilter): boolean {
  const has = labels !== null && filter.key in labels && (filter.value === undefined || labels[filter.key] === filter.value);
  return filter.negate ? !has : has;
}

/** What create() asks of the mounts: the flags as given, and the image's VOLUMEs. */
export interface MountRequest {
  /** -v values */
  volumes?: string[];
  /** --mount values, parsed (HostConfig.Mounts) */
  mounts?: MountSpec[];
  /** --volumes-from values */
  volumesFrom?: string[];
  /** --tmpfs values: PATH[:OPTIONS] (HostConfig.Tmpfs) */
  tmpfs?: string[];
  /** the image's config.Volumes */
  imageVolumes?: Record<string, object> | null;
}

/** A container's mounts, checked but not yet made (volumes not created). */
export interface MountPlan {
  /** Config.Volumes: the image's plus every `-v /path` (Docker's CLI moves those there) */
  configVolumes: Record<string, object> | null;
  /** HostConfig's mount fields, as Docker records them */
  hostConfig: Pick<HostConfig, 'Binds' | 'Mounts' | 'Tmpfs' | 'VolumesFrom'>;
  points: MountPoint[];
}

/** Containers younger than this without a row are being created: their mounts count as in use. */
const CREATING_MS = 60_000;

export class VolumeService {
  constructor(private readonly store: Store) {}

  private get dir(): string {
    return path.join(this.store.root, 'volumes');
  }

  private volumeDir(name: string): string {
    return path.join(this.dir, name);
  }

  // ------------------------------------------------------------ volumes

  /**
   * `docker volume create`. Idempotent: an existing name is returned as it
   * is. Throws invalid-argument for a bad name or a driver other than local.
   */
  async create(options: CreateVolumeOptions = {}): Promise<Volume> {
    if (options.driver !== undefined && options.driver !== 'local') {
      throw invalidArgument(`create ${options.name ?? ''}: error looking up volume plugin ${options.driver}: plugin "${options.driver}" not found`);
    }
    const name = options.name ?? nodeCrypto().randomBytes(32).toString('hex');
    checkVolumeName(name);
    const existing = this.maybeGet(name);
    if (existing) return existing;
    return this.store.lock.shared(async () => {
      const staging = this.store.makeStagingDir('volume');
      try {
        fs.mkdirSync(path.join(staging, '_data'), { mode: 0o755 });
        fs.chmodSync(staging, 0o701);
        const meta = {
          Name: name,
          CreatedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
          Labels: options.labels ?? null,
          Options: options.options ?? null,
        };
        fs.writeFileSync(path.join(staging, 'volume.json'), JSON.stringify(meta));
        fs.renameSync(staging, this.volumeDir(name));
      } catch (err) {
        fs.rmSync(staging, { recursive: true, force: true });
        // Created by someone else meanwhile: same name, same volume.
        if (errnoCode(err) !== 'EEXIST' && errnoCode(err) !== 'ENOTEMPTY') throw err;
      }
      return this.get(name);
    });
  }

  maybeGet(name: string): Volume | undefined {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) return undefined;
    const dir = this.volumeDir(name);
    let meta: { CreatedAt?: string; Labels?: Record<string, string> | null; Options?: Record<string, string> | null };
    try {
      meta = JSON.parse(fs.readFileSync(path.join(dir, 'volume.json'), 'utf8')) as typeof meta;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') {
        if (!fs.existsSync(path.join(dir, '_data'))) return undefined;
        meta = {}; // a volume directory without metadata (copied in by hand): still a volume, as for Docker
      } else throw err;
    }
    return {
      name,
      createdAt: meta.CreatedAt ?? fs.statSync(dir).mtime.toISOString().replace(/\.\d+Z$/, 'Z'),
      labels: meta.Labels ?? null,
      options: meta.Options ?? null,
      mountpoint: path.join(dir, '_data'),
    };
  }

  /** Throws not-found in Docker's words. */
  get(name: string): Volume {
    const volume = this.maybeGet(name);
    if (!volume) throw notFound(`get ${name}: no such volume`);
    return volume;
  }

  /** Every volume, by name. */
  list(): Volume[] {
    return fs
      .readdirSync(this.dir)
      .sort()
      .map((name) => this.maybeGet(name))
      .filter((v): v is Volume => v !== undefined);
  }

  inspect(name: string): VolumeInspect {
    const v = this.get(name);
    return { CreatedAt: v.createdAt, Driver: 'local', Labels: v.labels, Mountpoint: v.mountpoint, Name: v.name, Options: v.options, Scope: 'local' };
  }

  /** Bytes of regular files in the volume. */
  size(name: string): number {
    return treeSize(this.get(name).mountpoint);
  }

  isAnonymous(volume: Volume): boolean {
    return volume.labels !== null && ANONYMOUS_LABEL in volume.labels;
  }

  /**
   * Which containers use each volume (full IDs): every container with a row,
   * and one being created (its directory is made before its row).
   */
  users(options: { except?: string } = {}): Map<string, string[]> {
    const rows = new Set(new ContainerRepository(this.store).list().map((c) => c.id));
    const containers = path.join(this.store.root, 'containers');
    const users = new Map<string, string[]>();
    for (const id of fs.existsSync(containers) ? fs.readdirSync(containers) : []) {
      if (id === options.except || !/^[0-9a-f]{64}$/.test(id)) continue;
      const file = path.join(containers, id, 'mounts.json');
      let mounts: MountPoint[];
      try {
        if (!rows.has(id) && Date.now() - fs.statSync(file).mtimeMs > CREATING_MS) continue;
        mounts = JSON.parse(fs.readFileSync(file, 'utf8')) as MountPoint[];
      } catch {
        continue; // no mounts recorded
      }
      for (const m of mounts) if (m.type === 'volume' && m.name) users.set(m.name, [...(users.get(m.name) ?? []), id]);
    }
    return users;
  }

  /**
   * `docker volume rm`: refuses a volume any container uses (failed-precondition,
   * naming them); with `force`, a missing volume is not an error.
   */
  remove(name: string, options: { force?: boolean } = {}): void {
    if (!this.maybeGet(name)) {
      if (options.force) return;
      throw notFound(`get ${name}: no such volume`);
    }
    const users = this.users().get(name);
    if (users?.length) throw failedPrecondition(`remove ${name}: volume is in use - [${users.join(', ')}]`);
    this.discard(name);
  }

  /** Renames the volume away into tmp/ (gone at once), then deletes it; a crash leaves only tmp/ garbage. */
  private discard(name: string): void {
    const doomed = path.join(this.store.root, 'tmp', `${process.pid}-volume-rm-${name}-${nodeCrypto().randomBytes(4).toString('hex')}`);
    try {
      fs.renameSync(this.volumeDir(name), doomed);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return;
      throw err;
    }
    fs.rmSync(doomed, { recursive: true, force: true });
  }

  /**
   * `docker volume prune`: volumes no container uses; only anonymous ones
   * unless `all` (Docker 23+). Returns the names removed and the bytes freed.
   */
  /**
   * `volume prune`: unused anonymous volumes, or every unused one with `all`; `labels` narrows it
   * (Docker's label=KEY[=VALUE] and label!=KEY[=VALUE] filters, all of which must hold).
   */
  prune(options: { all?: boolean; labels?: LabelFilter[] } = {}): { deleted: string[]; reclaimed: number } {
    const users = this.users();
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const volume of this.list()) {
      if (users.has(volume.name) || (!options.all && !this.isAnonymous(volume))) continue;
      if (!(options.labels ?? []).every((f) => labelMatches(volume.labels, f))) continue;
      reclaimed += treeSize(volume.mountpoint);
      this.discard(volume.name);
      deleted.push(volume.name);
    }
    return { deleted, reclaimed };
  }

  // ------------------------------------------------------------ container mounts

  /**
   * Checks a container's mounts and resolves them in Docker's order: first
   * --volumes-from, then -v (a later -v for the same path replaces a
   * volumes-from one), then --mount, then the image's and `-v /path`
   * volumes where nothing is mounted yet. Nothing is created.
   */
  plan(request: MountRequest): MountPlan {
    const points = new Map<string, MountPoint>();
    const volumesFrom: string[] = [];
    for (const raw of request.volumesFrom ?? []) {
      const { container, readOnly } = parseVolumesFrom(raw);
      const source = new ContainerRepository(this.store).find(container);
      for (const m of this.mountsOf(source.id)) {
        points.set(m.destination, { ...m, readOnly: m.readOnly || readOnly, mode: '', copyData: false });
      }
      volumesFrom.push(raw);
    }
    const taken = new Set<string>();
    const claim = (destination: string) => {
      if (taken.has(destination)) throw invalidArgument(`Duplicate mount point: ${destination}`);
      taken.add(destination);
    };
    const binds: string[] = [];
    const configVolumes: Record<string, object> = {};
    for (const [key, value] of Object.entries(request.imageVolumes ?? {})) configVolumes[key] = value;
    for (const raw of request.volumes ?? []) {
      const flag = parseVolumeFlag(raw);
      if (flag.source === undefined) {
        configVolumes[flag.destination] = {};
        continue;
      }
      const point = volumeFlagMount(flag);
      claim(point.destination);
      points.set(point.destination, point);
      binds.push(raw);
    }
    for (const spec of request.mounts ?? []) {
      const point = mountSpecMount(spec);
      claim(point.destination);
      points.set(point.destination, point);
    }
    const tmpfs: Record<string, string> = {};
    for (const raw of request.tmpfs ?? []) {
      const { destination, options, readOnly } = parseTmpfsFlag(raw);
      claim(destination);
      tmpfs[destination] = options;
      points.set(destination, { type: 'tmpfs', destination, readOnly, mode: '', propagation: '', tmpfsOptions: options });
    }
    for (const raw of Object.keys(configVolumes)) {
      const destination = volumeDestination(raw);
      if (points.has(destination)) continue;
      points.set(destination, { type: 'volume', destination, readOnly: false, mode: '', propagation: '', anonymous: true, copyData: true });
    }
    const mounts = request.mounts ?? [];
    return {
      configVolumes: Object.keys(configVolumes).length > 0 ? configVolumes : null,
      hostConfig: {
        Binds: binds.length > 0 ? binds : null,
        ...(mounts.length > 0 ? { Mounts: mounts } : {}),
        ...(Object.keys(tmpfs).length > 0 ? { Tmpfs: tmpfs } : {}),
        VolumesFrom: volumesFrom.length > 0 ? volumesFrom : null,
      },
      points: [...points.values()],
    };
  }

  /**
   * Makes a planned container's volumes (named ones if missing, anonymous
   * ones new), records its mounts in containers/<id>/mounts.json (before the
   * container's row exists), and seeds the empty ones from the image (at
   * create, as Docker's populateVolumes: a --volumes-from of a container
   * never started sees the data). The container's rootfs directories must
   * exist. On failure, the anonymous volumes made here are removed again.
   */
  async realize(containerId: string, plan: MountPlan, image: { images: ImageService; id: Digest }): Promise<MountPoint[]> {
    const made: MountPoint[] = [];
    try {
      for (const point of plan.points) {
        if (point.type !== 'volume') {
          made.push(point);
          continue;
        }
        if (point.name === undefined) {
          const volume = await this.create({ labels: { [ANONYMOUS_LABEL]: '' } });
          made.push({ ...point, name: volume.name, anonymous: true });
        } else {
          await this.create({ name: point.name, labels: point.anonymous ? { [ANONYMOUS_LABEL]: '' } : null });
          made.push(point);
        }
      }
      writeAtomic(this.mountsFile(containerId), JSON.stringify(made));
      const seeds = made.filter((m) => m.type === 'volume' && m.copyData);
      if (seeds.length > 0) {
        const rootfs = await holdRootfs(this.store, image.images, containerId, image.id);
        try {
          for (const m of seeds) await copyUp(this.store, this.volumeDir(m.name!), rootfs.merged, m.destination);
        } finally {
          rootfs.release(() => true); // not started yet: no shim can have it
        }
      }
    } catch (err) {
      this.releaseAnonymous(made, { except: containerId });
      throw err;
    }
    return made;
  }

  private mountsFile(containerId: string): string {
    return path.join(this.store.root, 'containers', containerId, 'mounts.json');
  }

  /** A container's recorded mounts; [] if it has none (or was created before volumes existed). */
  mountsOf(containerId: string): MountPoint[] {
    try {
      return JSON.parse(fs.readFileSync(this.mountsFile(containerId), 'utf8')) as MountPoint[];
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return [];
      throw err;
    }
  }

  /** inspect's Mounts, by destination. */
  inspectMounts(containerId: string): MountInspect[] {
    return this.mountsOf(containerId)
      .filter((m) => m.tmpfsOptions === undefined) // --tmpfs mounts are HostConfig.Tmpfs only, as Docker shows them
      .sort((a, b) => (a.destination < b.destination ? -1 : a.destination > b.destination ? 1 : 0))
      .map((m): MountInspect => {
        const common = { Mode: m.mode, RW: !m.readOnly, Propagation: m.propagation };
        if (m.type === 'volume') {
          return { Type: 'volume', Name: m.name, Source: path.join(this.volumeDir(m.name!), '_data'), Destination: m.destination, Driver: 'local', ...common };
        }
        return { Type: m.type, Source: m.source ?? '', Destination: m.destination, ...common };
      });
  }

  /**
   * Removes the anonymous volumes among `mounts` that no other container
   * uses (`rm -v`, `run --rm`); a shared one (--volumes-from) is kept, as
   * Docker keeps it. Named volumes always stay.
   */
  releaseAnonymous(mounts: MountPoint[], options: { except: string }): void {
    const anonymous = mounts.filter((m) => m.type === 'volume' && m.anonymous && m.name);
    if (anonymous.length === 0) return;
    const users = this.users(options);
    for (const m of anonymous) if (!users.has(m.name!)) this.discard(m.name!);
  }
}
