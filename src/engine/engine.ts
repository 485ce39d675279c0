/**
 * The engine: one object the faces (CLI, TUI, API) hold. It owns the store
 * and the services over it and knows nothing of terminals (DESIGN §1).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Native } from './native.js';
import { loadNative, packageRoot } from './native.js';
import { Store, DEFAULT_ROOT } from './store/store.js';
import { ImageService } from './images/service.js';
import { ArchiveService } from './archive/service.js';
import { ContainerService } from './containers/service.js';
import { NetworkService } from './networks/service.js';
import { VolumeService } from './volumes/service.js';
import { cgroupVersion } from './cgroups/index.js';

export interface EngineOptions {
  /** store root; defaults to $BERTH_ROOT or /var/lib/berth */
  root?: string;
  native?: Native;
}

export interface EngineInfo {
  root: string;
  storageDriver: 'overlay';
  images: number;
  layers: number;
  containers: { total: number; running: number; paused: number; stopped: number };
  cgroupVersion: '1' | '2' | 'hybrid';
  kernelVersion: string;
  operatingSystem: string;
  osType: string;
  architecture: string;
  cpus: number;
  memoryBytes: number;
  hostname: string;
}

export function defaultRoot(): string {
  return process.env.BERTH_ROOT || DEFAULT_ROOT;
}

export class Engine {
  readonly images: ImageService;
  readonly archives: ArchiveService;
  readonly containers: ContainerService;
  readonly networks: NetworkService;
  readonly volumes: VolumeService;

  private constructor(readonly store: Store) {
    this.images = new ImageService(store);
    this.archives = new ArchiveService(store, this.images);
    this.containers = new ContainerService(store, this.images);
    this.networks = new NetworkService(store);
    this.volumes = new VolumeService(store);
  }

  /** Opens the store and reconciles what killed processes left: containers whose keeper died (crash, reboot), bridges half made or removed. */
  static async start(options: EngineOptions = {}): Promise<Engine> {
    const engine = Engine.open(options);
    await engine.containers.reconcile();
    await engine.networks.reconcile();
    return engine;
  }

  /** Who uses an image (a short container ID), for rmi and prune. */
  readonly imageUser = (imageId: import('./digest.js').Digest): string | undefined => this.containers.repo.userOf(imageId);

  static open(options: EngineOptions = {}): Engine {
    const root = path.resolve(options.root ?? defaultRoot());
    return new Engine(Store.open(root, options.native ?? loadNative()));
  }

  close(): void {
    this.store.close();
  }

  private containerCounts(): EngineInfo['containers'] {
    const all = this.containers.list();
    const running = all.filter((c) => c.state.Status === 'running' || c.state.Status === 'restarting').length;
    const paused = all.filter((c) => c.state.Status === 'paused').length;
    return { total: all.length, running, paused, stopped: all.length - running - paused };
  }

  info(): EngineInfo {
    const count = (sql: string) => (this.store.db.prepare(sql).get() as { n: number }).n;
    return {
      root: this.store.root,
      storageDriver: 'overlay',
      images: count('SELECT count(*) AS n FROM images'),
      layers: count('SELECT count(*) AS n FROM layers'),
      containers: this.containerCounts(),
      cgroupVersion: cgroupVersion(),
      kernelVersion: os.release(),
      operatingSystem: osPrettyName(),
      osType: 'linux',
      architecture: os.machine(),
      cpus: os.cpus().length,
      memoryBytes: os.totalmem(),
      hostname: os.hostname(),
    };
  }
}

/** berth's own version, from package.json. */
export function engineVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

function osPrettyName(): string {
  try {
    const match = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(fs.readFileSync('/etc/os-release', 'utf8'));
    return match?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}
