/**
 * The cgroup v2 driver: one directory `<root>/<parent>/<id>` on the unified
 * hierarchy. Controllers are enabled in cgroup.subtree_control of every level
 * above the container (a controller's files appear in a cgroup only when its
 * parent enables it), and the device allowlist is an eBPF program attached
 * to the container's directory (./devices.ts).
 */
import os from 'node:os';
import path from 'node:path';
import { unavailable } from '../errors.js';
import { CgroupBase } from './base.js';
import { DEFAULT_DEVICE_RULES, compileDeviceFilter } from './devices.js';
import { checkName, mkdirLevels, pollUntil, readNumber, readOptional, realCgroupFs, removeEmptyLevels, writeFile } from './fs.js';
import {
  CPU_PERIOD_US,
  ERR_NO_CFS,
  WARN_NO_MEMORY,
  WARN_NO_PIDS,
  WARN_NO_SHARES,
  WARN_NO_SWAP,
  addLimits,
  checkLimits,
  cpuQuota,
  limitValue,
  keyedValue,
  parseKeyed,
  parseLimit,
  planMemory,
  sharesToWeight,
  wantsSwapLimit,
  type Limit,
} from './limits.js';
import type {
  CgroupDriver,
  CgroupFs,
  CgroupLimits,
  CgroupStats,
  CgroupUsage,
  ContainerCgroup,
  CreatedCgroup,
  DriverSettings,
} from './types.js';

/** The controllers enabled on the way down unless the options say otherwise (runc enables all it knows). */
export const DEFAULT_V2_CONTROLLERS = ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids', 'rdma', 'misc'] as const;

const words = (text: string | undefined) => (text ?? '').split(/\s+/).filter(Boolean);

export class V2Driver implements CgroupDriver {
  readonly version = '2' as const;
  readonly parent: string;
  private readonly parentParts: string[];
  private readonly cfs: CgroupFs;
  private readonly controllers: readonly string[];

  constructor(
    private readonly root: string,
    private readonly options: DriverSettings,
  ) {
    this.parent = options.parent ?? 'berth';
    this.parentParts = checkName('parent', this.parent);
    this.cfs = options.fs ?? realCgroupFs;
    this.controllers = options.controllers ?? DEFAULT_V2_CONTROLLERS;
  }

  create(id: string, limits: CgroupLimits): CreatedCgroup {
    checkName('id', id);
    const warnings = checkLimits(limits);
    planMemory(limits); // refuses impossible memory/swap combinations before anything is created
    const fresh = mkdirLevels(this.cfs, this.root, [...this.parentParts, id], { before: (dir) => this.enableControllers(dir) });
    const cgroup = this.open(id) as V2Cgroup;
    cgroup.applyOrUndo(fresh, () => {
      this.options.native().attachDeviceFilter(cgroup.dir, compileDeviceFilter(DEFAULT_DEVICE_RULES));
      warnings.push(...cgroup.apply(limits, false));
    });
    return Object.assign(cgroup, { warnings });
  }

  open(id: string): ContainerCgroup {
    checkName('id', id);
    return new V2Cgroup(id, this.cfs, path.join(this.root, ...this.parentParts, id));
  }

  list(): string[] {
    const dir = path.join(this.root, ...this.parentParts);
    return this.cfs.exists(dir) ? this.cfs.subdirs(dir).sort() : [];
  }

  removeParent(): void {
    removeEmptyLevels(this.cfs, this.root, this.parentParts);
  }

  /**
   * Enables, in `dir`'s cgroup.subtree_control, the wanted controllers the
   * kernel offers there and that are not on yet, one write each. A refusal
   * (EBUSY: `dir` has processes of its own and is not the root) is left to
   * show as missing files in the container: the limits code then warns or
   * fails exactly as for a controller the kernel lacks.
   */
  private enableControllers(dir: string): void {
    const available = new Set(words(readOptional(this.cfs, path.join(dir, 'cgroup.controllers'))));
    const enabled = new Set(words(readOptional(this.cfs, path.join(dir, 'cgroup.subtree_control'))));
    for (const c of this.controllers) {
      if (!available.has(c) || enabled.has(c)) continue;
      try {
        writeFile(this.cfs, path.join(dir, 'cgroup.subtree_control'), `+${c}`);
      } catch {
        // see above
      }
    }
  }
}

class V2Cgroup extends CgroupBase {
  constructor(
    id: string,
    cfs: CgroupFs,
    readonly dir: string,
  ) {
    super(id, cfs);
  }

  paths(): string[] {
    return [this.dir];
  }

  private has(name: string): boolean {
    return this.cfs.exists(path.join(this.dir, name));
  }

  private write(name: string, value: string | number): void {
    writeFile(this.cfs, path.join(this.dir, name), value);
  }

  private read(name: string): string | undefined {
    return readOptional(this.cfs, path.join(this.dir, name));
  }

  update(limits: CgroupLimits): string[] {
    this.requireExists();
    return [...checkLimits(limits), ...this.apply(limits, true)];
  }

  /** Writes the limits given; `existing` = update semantics (undefined memory-swap keeps the total). */
  apply(limits: CgroupLimits, existing: boolean): string[] {
    const warnings: string[] = [];
    if (limits.memory !== undefined || limits.memorySwap !== undefined) {
      if (!this.has('memory.max')) {
        if ((limits.memory ?? 0) > 0) warnings.push(WARN_NO_MEMORY);
      } else {
        this.applyMemory(limits, existing, warnings);
      }
    }
    if (limits.cpus !== undefined) {
      if (!this.has('cpu.max')) {
        if (limits.cpus > 0) throw unavailable(ERR_NO_CFS);
      } else {
        this.write('cpu.max', `${limits.cpus > 0 ? cpuQuota(limits.cpus) : 'max'} ${CPU_PERIOD_US}`);
      }
    }
    if (limits.cpuShares !== undefined) {
      if (!this.has('cpu.weight')) warnings.push(WARN_NO_SHARES);
      else this.write('cpu.weight', limits.cpuShares === 0 ? 100 : sharesToWeight(limits.cpuShares));
    }
    if (limits.pidsLimit !== undefined) {
      if (!this.has('pids.max')) {
        if (limits.pidsLimit > 0) warnings.push(WARN_NO_PIDS);
      } else {
        this.write('pids.max', limits.pidsLimit > 0 ? limits.pidsLimit : 'max');
      }
    }
    return warnings;
  }

  /** memory.max, and memory.swap.max = (memory+swap) − memory. */
  private applyMemory(limits: CgroupLimits, existing: boolean, warnings: string[]): void {
    const swapSupported = this.has('memory.swap.max');
    if (!swapSupported && wantsSwapLimit(limits)) warnings.push(WARN_NO_SWAP);
    const memory = parseLimit(this.read('memory.max') ?? 'max');
    const swap: Limit = swapSupported ? parseLimit(this.read('memory.swap.max') ?? 'max') : 'max';
    const target = planMemory(limits, existing ? { memory, total: addLimits(memory, swap) } : undefined);
    if (!target) return;
    this.write('memory.max', target.memory);
    if (!swapSupported) return;
    const newSwap = target.total === 'max' || target.memory === 'max' ? 'max' : target.total - target.memory;
    this.write('memory.swap.max', newSwap);
  }

  usage(): CgroupUsage {
    // read every refresh for every container on screen: the one key of each file, not all of them
    const usageUsec = keyedValue(this.read('cpu.stat') ?? '', 'usage_usec') ?? 0;
    const inactiveFile = keyedValue(this.read('memory.stat') ?? '', 'inactive_file') ?? 0;
    const usage = readNumber(this.cfs, path.join(this.dir, 'memory.current')) ?? 0;
    return {
      cpuUsageNs: usageUsec * 1000,
      memoryUsage: Math.max(0, usage - inactiveFile),
    };
  }

  stats(): CgroupStats {
    const num = (name: string) => readNumber(this.cfs, path.join(this.dir, name));
    const limit = limitValue(parseLimit(this.read('memory.max') ?? 'max'));
    const pidsMax = parseLimit(this.read('pids.max') ?? 'max');
    let blkioRead = 0;
    let blkioWrite = 0;
    for (const line of (this.read('io.stat') ?? '').split('\n')) {
      for (const field of words(line).slice(1)) {
        const [key, value] = field.split('=');
        if (key === 'rbytes') blkioRead += Number(value);
        else if (key === 'wbytes') blkioWrite += Number(value);
      }
    }
    return {
      ...this.usage(),
      memoryLimit: Math.min(limit, os.totalmem()),
      pids: num('pids.current') ?? this.pids().length,
      pidsLimit: pidsMax === 'max' ? 0 : pidsMax,
      blkioRead,
      blkioWrite,
    };
  }

  oomKilled(): boolean {
    return (parseKeyed(this.read('memory.events') ?? '').get('oom_kill') ?? 0) > 0;
  }

  private frozenEvent(): number | undefined {
    return parseKeyed(this.read('cgroup.events') ?? '').get('frozen');
  }

  isFrozen(): boolean {
    return this.frozenEvent() === 1;
  }

  private requireFreezer(): void {
    if (!this.has('cgroup.freeze')) {
      throw unavailable(`cannot freeze cgroup ${this.id}: no cgroup.freeze (kernel older than 5.2, or the cgroup is gone)`);
    }
  }

  async freeze(): Promise<void> {
    this.requireFreezer();
    this.write('cgroup.freeze', 1);
    await pollUntil(`freezing cgroup ${this.id}`, () => this.frozenEvent() === 1);
  }

  async thaw(): Promise<void> {
    this.requireFreezer();
    this.write('cgroup.freeze', 0);
    await pollUntil(`thawing cgroup ${this.id}`, () => this.frozenEvent() === 0);
  }

  protected killFile(): string | undefined {
    return this.has('cgroup.kill') ? path.join(this.dir, 'cgroup.kill') : undefined;
  }

  protected afterKill(): void {
    // v2 freezer lets SIGKILL through: nothing to do
  }
}
