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

  private constructor(readonly store: Store) {
    this.images = new ImageService(store);
    this.archives = new ArchiveService(store, this.images);
  }

  static open(options: EngineOptions = {}): Engine {
    const root = path.resolve(options.root ?? defaultRoot());
    return new Engine(Store.open(root, options.native ?? loadNative()));
  }

  close(): void {
    this.store.close();
  }

  info(): EngineInfo {
    const count = (sql: string) => (this.store.db.prepare(sql).get() as { n: number }).n;
    return {
      root: this.store.root,
      storageDriver: 'overlay',
      images: count('SELECT count(*) AS n FROM images'),
      layers: count('SELECT count(*) AS n FROM layers'),
      containers: { total: 0, running: 0, paused: 0, stopped: 0 },
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

/**
 * v2 when /sys/fs/cgroup is the unified hierarchy; hybrid when v1
 * controllers sit beside a cgroup2 mount at /sys/fs/cgroup/unified; else v1.
 */
export function cgroupVersion(): '1' | '2' | 'hybrid' {
  if (fs.existsSync('/sys/fs/cgroup/cgroup.controllers')) return '2';
  if (fs.existsSync('/sys/fs/cgroup/unified/cgroup.controllers')) return 'hybrid';
  return '1';
}

function osPrettyName(): string {
  try {
    const match = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(fs.readFileSync('/etc/os-release', 'utf8'));
    return match?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}
