/**
 * The cgroup v1 driver, also used on hybrid hosts. A container has one
 * directory `<mount>/<parent>/<id>` in every mounted controller hierarchy
 * (co-mounted controllers share one), plus `<unified>/<parent>/<id>` on the
 * cgroup2 mount of a hybrid host (as runc does: the container gets its own
 * v2 cgroup, so cgroup.kill and the v2-only controllers work there).
 */
import os from 'node:os';
import path from 'node:path';
import { unavailable } from '../errors.js';
import { CgroupBase } from './base.js';
import { DEFAULT_DEVICE_RULES, compileDeviceFilter, v1RuleLine } from './devices.js';
import { checkName, mkdirLevels, pollUntil, readNumber, readOptional, realCgroupFs, removeEmptyLevels, writeFile } from './fs.js';
import {
  CPU_PERIOD_US,
  ERR_NO_CFS,
  WARN_NO_MEMORY,
  WARN_NO_PIDS,
  WARN_NO_SHARES,
  WARN_NO_SWAP,
  checkLimits,
  cpuQuota,
  effectiveShares,
  limitValue,
  keyedValue,
  parseKeyed,
  parseLimit,
  planMemory,
  wantsSwapLimit,
  type Limit,
} from './limits.js';
import type {
  CgroupDriver,
  CgroupLayout,
  CgroupFs,
  CgroupLimits,
  CgroupStats,
  CgroupUsage,
  ContainerCgroup,
  CreatedCgroup,
  DeviceFilterNative,
  DriverSettings,
} from './types.js';

type V1Layout = Extract<CgroupLayout, { controllers: unknown }>;

const v1Value = (l: Limit) => (l === 'max' ? -1 : l);

export class V1Driver implements CgroupDriver {
  readonly version: '1' | 'hybrid';
  readonly parent: string;
  private readonly parentParts: string[];
  private readonly cfs: CgroupFs;
  /** unique mount points of the controller hierarchies, then the cgroup2 mount on hybrid */
  private readonly mounts: string[];

  constructor(
    private readonly layout: V1Layout,
    private readonly options: DriverSettings,
  ) {
    this.version = layout.version;
    this.parent = options.parent ?? 'berth';
    this.parentParts = checkName('parent', this.parent);
    this.cfs = options.fs ?? realCgroupFs;
    this.mounts = [...new Set(Object.values(layout.controllers))];
    if (layout.unified) this.mounts.push(layout.unified);
  }

  create(id: string, limits: CgroupLimits): CreatedCgroup {
    checkName('id', id);
    const warnings = checkLimits(limits);
    planMemory(limits); // refuses impossible memory/swap combinations before anything is created
    const { controllers, unified } = this.layout;
    if (!controllers.devices && !unified) throw unavailable('the devices cgroup controller is not mounted');
    let fresh = false;
    for (const mount of this.mounts) {
      const created = mkdirLevels(this.cfs, mount, [...this.parentParts, id], {
        // a new cpuset cgroup starts with no CPUs and no memory nodes: nothing could join it
        after: mount === controllers.cpuset ? (dir) => this.inheritCpuset(dir) : undefined,
      });
      fresh ||= created;
    }
    const cgroup = this.open(id) as V1Cgroup;
    cgroup.applyOrUndo(fresh, () => {
      cgroup.applyDeviceRules(this.options.native);
      cgroup.enableOomKiller();
      warnings.push(...cgroup.apply(limits, false));
    });
    return Object.assign(cgroup, { warnings });
  }

  open(id: string): ContainerCgroup {
    checkName('id', id);
    const dirs: Record<string, string> = {};
    for (const [controller, mount] of Object.entries(this.layout.controllers)) {
      dirs[controller] = path.join(mount, ...this.parentParts, id);
    }
    const unified = this.layout.unified ? path.join(this.layout.unified, ...this.parentParts, id) : undefined;
    return new V1Cgroup(id, this.cfs, dirs, unified);
  }

  list(): string[] {
    const ids = new Set<string>();
    for (const mount of this.mounts) {
      const dir = path.join(mount, ...this.parentParts);
      if (this.cfs.exists(dir)) for (const name of this.cfs.subdirs(dir)) ids.add(name);
    }
    return [...ids].sort();
  }

  removeParent(): void {
    for (const mount of this.mounts) removeEmptyLevels(this.cfs, mount, this.parentParts);
  }

  /** Copies cpuset.cpus and cpuset.mems from the parent when empty. */
  private inheritCpuset(dir: string): void {
    for (const file of ['cpuset.cpus', 'cpuset.mems']) {
      const own = readOptional(this.cfs, path.join(dir, file));
      if (own === undefined || own.trim() !== '') continue;
      const inherited = readOptional(this.cfs, path.join(path.dirname(dir), file))?.trim();
      if (inherited) writeFile(this.cfs, path.join(dir, file), inherited);
    }
  }
}

class V1Cgroup extends CgroupBase {
  constructor(
    id: string,
    cfs: CgroupFs,
    /** controller → this cgroup's directory in its hierarchy */
    private readonly dirs: Readonly<Record<string, string>>,
    private readonly unified: string | undefined,
  ) {
    super(id, cfs);
  }

  paths(): string[] {
    const all = [...new Set(Object.values(this.dirs))];
    if (this.unified) all.push(this.unified);
    return all;
  }

  /** A file of a controller, or undefined when that controller is not mounted. */
  private file(controller: string, name: string): string | undefined {
    const dir = this.dirs[controller];
    return dir === undefined ? undefined : path.join(dir, name);
  }

  private has(controller: string, name: string): boolean {
    const file = this.file(controller, name);
    return file !== undefined && this.cfs.exists(file);
  }

  private write(controller: string, name: string, value: string | number): void {
    writeFile(this.cfs, this.file(controller, name)!, value);
  }

  private read(controller: string, name: string): string | undefined {
    const file = this.file(controller, name);
    return file === undefined ? undefined : readOptional(this.cfs, file);
  }

  /**
   * Docker's allowlist: deny everything, then allow the default rules. The
   * kernel refuses to change the default behaviour of a cgroup with children
   * (a running container may have made some), so nothing is written when the
   * list is already exactly the allowlist. Without a devices hierarchy
   * (hybrid hosts only) the v2 eBPF filter on the cgroup2 side does the job.
   */
  applyDeviceRules(native: () => DeviceFilterNative): void {
    if (this.dirs.devices === undefined) {
      native().attachDeviceFilter(this.unified!, compileDeviceFilter(DEFAULT_DEVICE_RULES));
      return;
    }
    const list = (this.read('devices', 'devices.list') ?? '').trim();
    if (list === DEFAULT_DEVICE_RULES.map(v1RuleLine).join('\n')) return;
    this.write('devices', 'devices.deny', 'a');
    for (const rule of DEFAULT_DEVICE_RULES) this.write('devices', 'devices.allow', v1RuleLine(rule));
  }

  /** A new memory cgroup inherits oom_kill_disable from its parent; berth wants the OOM killer on. */
  enableOomKiller(): void {
    const control = this.read('memory', 'memory.oom_control');
    if (control !== undefined && parseKeyed(control).get('oom_kill_disable') === 1) {
      this.write('memory', 'memory.oom_control', 0);
    }
  }

  update(limits: CgroupLimits): string[] {
    this.requireExists();
    return [...checkLimits(limits), ...this.apply(limits, true)];
  }

  /** Writes the limits given; `existing` = update semantics (undefined memory-swap keeps the total). */
  apply(limits: CgroupLimits, existing: boolean): string[] {
    const warnings: string[] = [];
    if (limits.memory !== undefined || limits.memorySwap !== undefined) {
      if (!this.has('memory', 'memory.limit_in_bytes')) {
        if ((limits.memory ?? 0) > 0) warnings.push(WARN_NO_MEMORY);
      } else {
        this.applyMemory(limits, existing, warnings);
      }
    }
    if (limits.cpus !== undefined) {
      if (!this.has('cpu', 'cpu.cfs_quota_us')) {
        if (limits.cpus > 0) throw unavailable(ERR_NO_CFS);
      } else if (limits.cpus > 0) {
        this.write('cpu', 'cpu.cfs_period_us', CPU_PERIOD_US);
        this.write('cpu', 'cpu.cfs_quota_us', cpuQuota(limits.cpus));
      } else {
        this.write('cpu', 'cpu.cfs_quota_us', -1);
      }
    }
    if (limits.cpuShares !== undefined) {
      if (!this.has('cpu', 'cpu.shares')) warnings.push(WARN_NO_SHARES);
      else this.write('cpu', 'cpu.shares', effectiveShares(limits.cpuShares));
    }
    if (limits.pidsLimit !== undefined) {
      if (!this.has('pids', 'pids.max')) {
        if (limits.pidsLimit > 0) warnings.push(WARN_NO_PIDS);
      } else {
        this.write('pids', 'pids.max', limits.pidsLimit > 0 ? limits.pidsLimit : 'max');
      }
    }
    return warnings;
  }

  private applyMemory(limits: CgroupLimits, existing: boolean, warnings: string[]): void {
    const swapSupported = this.has('memory', 'memory.memsw.limit_in_bytes');
    if (!swapSupported && wantsSwapLimit(limits)) warnings.push(WARN_NO_SWAP);
    const memory = parseLimit(this.read('memory', 'memory.limit_in_bytes') ?? 'max');
    const total: Limit = swapSupported ? parseLimit(this.read('memory', 'memory.memsw.limit_in_bytes') ?? 'max') : 'max';
    const target = planMemory(limits, existing ? { memory, total } : undefined);
    if (!target) return;
    const writeMemory = () => this.write('memory', 'memory.limit_in_bytes', v1Value(target.memory));
    const writeTotal = () => this.write('memory', 'memory.memsw.limit_in_bytes', v1Value(target.total));
    if (!swapSupported) return writeMemory();
    // the kernel keeps memory ≤ memory+swap after every write: raise the total first when the new memory exceeds it
    if (limitValue(target.memory) <= limitValue(total)) {
      writeMemory();
      writeTotal();
    } else {
      writeTotal();
      writeMemory();
    }
  }

  private number(controller: string, name: string): number | undefined {
    const file = this.file(controller, name);
    return file === undefined ? undefined : readNumber(this.cfs, file);
  }

  usage(): CgroupUsage {
    // read every refresh for every container on screen: the one key, not all 40 lines
    const inactiveFile = keyedValue(this.read('memory', 'memory.stat') ?? '', 'total_inactive_file') ?? 0;
    const usage = this.number('memory', 'memory.usage_in_bytes') ?? 0;
    return {
      cpuUsageNs: this.number('cpuacct', 'cpuacct.usage') ?? 0,
      memoryUsage: Math.max(0, usage - inactiveFile),
    };
  }

  stats(): CgroupStats {
    const limit = limitValue(parseLimit(this.read('memory', 'memory.limit_in_bytes') ?? 'max'));
    const pidsMax = parseLimit(this.read('pids', 'pids.max') ?? 'max');
    let blkioRead = 0;
    let blkioWrite = 0;
    const io =
      this.read('blkio', 'blkio.throttle.io_service_bytes_recursive') ?? this.read('blkio', 'blkio.throttle.io_service_bytes') ?? '';
    for (const line of io.split('\n')) {
      const [device, op, value] = line.trim().split(/\s+/);
      if (!device || !value) continue; // the "Total n" line has two fields
      if (op === 'Read') blkioRead += Number(value);
      else if (op === 'Write') blkioWrite += Number(value);
    }
    return {
      ...this.usage(),
      memoryLimit: Math.min(limit, os.totalmem()),
      pids: this.number('pids', 'pids.current') ?? this.pids().length,
      pidsLimit: pidsMax === 'max' ? 0 : pidsMax,
      blkioRead,
      blkioWrite,
    };
  }

  oomKilled(): boolean {
    const control = this.read('memory', 'memory.oom_control');
    return control !== undefined && (parseKeyed(control).get('oom_kill') ?? 0) > 0;
  }

  private freezerState(): string | undefined {
    return this.read('freezer', 'freezer.state')?.trim();
  }

  isFrozen(): boolean {
    return this.freezerState() === 'FROZEN';
  }

  private requireFreezer(): void {
    if (!this.has('freezer', 'freezer.state')) {
      throw unavailable(`cannot freeze cgroup ${this.id}: the freezer cgroup controller is not mounted or the cgroup is gone`);
    }
  }

  async freeze(): Promise<void> {
    this.requireFreezer();
    // Writing FROZEN again while the state is FREEZING is what gets a freeze
    // unstuck when a task was busy in the kernel (runc does the same).
    await pollUntil(
      `freezing cgroup ${this.id}`,
      () => this.freezerState() === 'FROZEN',
      () => this.write('freezer', 'freezer.state', 'FROZEN'),
    );
  }

  async thaw(): Promise<void> {
    this.requireFreezer();
    this.write('freezer', 'freezer.state', 'THAWED');
    await pollUntil(`thawing cgroup ${this.id}`, () => this.freezerState() === 'THAWED');
  }

  protected killFile(): string | undefined {
    const file = this.unified && path.join(this.unified, 'cgroup.kill');
    return file && this.cfs.exists(file) ? file : undefined;
  }

  /** Tasks of a frozen v1 cgroup cannot act on SIGKILL until thawed. */
  protected afterKill(): void {
    const state = this.freezerState();
    if (state === 'FROZEN' || state === 'FREEZING') this.write('freezer', 'freezer.state', 'THAWED');
  }
}
