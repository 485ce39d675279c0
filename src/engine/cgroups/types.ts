/**
 * Cgroups: the resource limits, accounting, freezing and device allowlist of
 * a container. One driver interface, two implementations chosen by the host's
 * layout (./layout.ts):
 *
 * - v1 (also used on hybrid hosts): one directory per controller hierarchy,
 *   `<mount>/<parent>/<id>` under each mounted controller (memory, cpu, …);
 *   on a hybrid host also `<unified>/<parent>/<id>` on the cgroup2 mount, so
 *   the container has its own v2 cgroup (cgroup.kill, hugetlb) as runc does.
 * - v2: one directory `<root>/<parent>/<id>` on the unified hierarchy, with
 *   the controllers enabled in cgroup.subtree_control on the way down and the
 *   device allowlist as an eBPF program (./devices.ts).
 *
 * Terms: `parent` is the directory (relative to each mount) that holds every
 * container cgroup of one berth (default `berth`, as Docker's `docker`); `id`
 * is the container's full id, one path component.
 */

/**
 * Limits as the CLI parsed them, in Docker's units and zero values: 0 (or
 * undefined) means "not limited" for memory, cpus and cpuShares. `create`
 * treats undefined as "no limit"; `update` treats undefined as "leave as is".
 */
export interface CgroupLimits {
  /** bytes (--memory); at least 6 MiB. */
  memory?: number;
  /**
   * bytes of memory+swap (--memory-swap); -1 = unlimited swap; undefined or 0
   * = Docker's default on create (twice `memory`), unchanged on update.
   * Needs `memory` (or an existing memory limit on update) and is at least it.
   */
  memorySwap?: number;
  /** CPUs (--cpus 1.5), as a CFS quota over a 100 ms period. */
  cpus?: number;
  /** relative weight (--cpu-shares, 2..262144; Docker's default 1024). v2: cpu.weight by Docker's conversion. */
  cpuShares?: number;
  /** --pids-limit; <= 0 = unlimited. */
  pidsLimit?: number;
}

/** CPU and memory alone: what a list of containers shows, in two or three reads of the cgroup. */
export interface CgroupUsage {
  /** total CPU time of every task, ns (v1 cpuacct.usage, v2 cpu.stat usage_usec). */
  cpuUsageNs: number;
  /** bytes, as `docker stats` shows it: usage minus inactive file cache. */
  memoryUsage: number;
}

export interface CgroupStats extends CgroupUsage {
  /** bytes; the host's memory when the cgroup has no (lower) limit, as `docker stats`. */
  memoryLimit: number;
  pids: number;
  /** 0 = unlimited */
  pidsLimit: number;
  /** bytes read from / written to block devices. */
  blkioRead: number;
  blkioWrite: number;
}

/** The cgroup of one container. Every method is safe to call when the directories are gone, unless it says otherwise. */
export interface ContainerCgroup {
  readonly id: string;
  /** The cgroup directories, one per hierarchy (v1: one per mounted controller hierarchy, + the cgroup2 one on hybrid). */
  paths(): string[];
  /**
   * The cgroup.procs files a process writes its pid to, to join (one per
   * hierarchy). berth-init does the join itself, before unsharing anything.
   */
  procsFiles(): string[];
  /** Every process in the cgroup and the cgroups below it, ascending. */
  pids(): number[];
  stats(): CgroupStats;
  usage(): CgroupUsage;
  /** The kernel OOM-killed a task in this cgroup (v1 memory.oom_control oom_kill, v2 memory.events oom_kill). */
  oomKilled(): boolean;
  /** Resolves once every task is frozen (v1 freezer.state FROZEN, v2 cgroup.events frozen 1). Throws unavailable after 10 s. */
  freeze(): Promise<void>;
  /** Resolves once the cgroup is thawed. */
  thaw(): Promise<void>;
  isFrozen(): boolean;
  /**
   * Sends `signal` (default SIGKILL) to every task. SIGKILL uses cgroup.kill
   * where the kernel has it (v2, and the cgroup2 side of a hybrid host) and
   * otherwise signals pid by pid until no new pid turns up; a v1 cgroup that
   * was frozen is thawed after SIGKILL so its tasks can die.
   */
  killAll(signal?: NodeJS.Signals): void;
  /**
   * Changes the limits given (undefined fields stay). Returns warnings
   * (controller or swap accounting missing) for the face to print.
   * Throws invalid-argument for impossible limits, failed-precondition when
   * the kernel refuses (e.g. memory below current usage that cannot be
   * reclaimed), not-found when the cgroup does not exist.
   */
  update(limits: CgroupLimits): string[];
  /**
   * Kills what is left, then removes the directories (children first) in
   * every hierarchy, retrying for up to 10 s while the kernel reaps.
   * Idempotent; throws unavailable if a directory stays busy.
   */
  remove(): Promise<void>;
}

/** What `create` returns: the cgroup, and Docker's warnings about limits the host cannot apply. */
export interface CreatedCgroup extends ContainerCgroup {
  readonly warnings: readonly string[];
}

export interface CgroupDriver {
  readonly version: '1' | '2' | 'hybrid';
  /** The parent directory name, relative to each mount. */
  readonly parent: string;
  /**
   * Creates `<parent>/<id>` (v1: under each controller; v2: under the root,
   * enabling controllers in subtree_control on the way), applies the limits
   * and the device allowlist. Idempotent: creating again re-applies.
   * Throws invalid-argument for a bad id or impossible limits (before
   * creating anything), unavailable when the host cannot apply a limit
   * (--cpus without CFS) or the addon cannot load the device filter; a
   * create that fails removes the directories it made.
   */
  create(id: string, limits: CgroupLimits): CreatedCgroup;
  /** An existing cgroup (nothing is checked or created). */
  open(id: string): ContainerCgroup;
  /** Ids of the cgroups present under the parent in any hierarchy (for reconciling leftovers). */
  list(): string[];
  /** Removes the parent directories where they are empty (tests, uninstall). Idempotent. */
  removeParent(): void;
}

/**
 * Where the hierarchies are mounted. Detected from /proc/self/mountinfo
 * (./layout.ts) or handed in by tests.
 */
export type CgroupLayout =
  | {
      readonly version: '2';
      /** the cgroup2 mount point, normally /sys/fs/cgroup */
      readonly root: string;
    }
  | {
      readonly version: '1' | 'hybrid';
      /** controller name → its hierarchy's mount point (co-mounted controllers share one) */
      readonly controllers: Readonly<Record<string, string>>;
      /** hybrid only: the cgroup2 mount point, normally /sys/fs/cgroup/unified */
      readonly unified?: string;
    };

/**
 * The file operations a driver performs, so tests can run a driver against a
 * fake hierarchy and check the writes. Errors are Node's (with `code`).
 */
export interface CgroupFs {
  exists(path: string): boolean;
  /** true when created, false when it already existed. */
  mkdir(path: string): boolean;
  rmdir(path: string): void;
  /** names of the subdirectories */
  subdirs(path: string): string[];
  read(path: string): string;
  /** one write(2) of `data`, without O_CREAT or O_TRUNC (cgroup files are not regular files) */
  write(path: string, data: string): void;
}

/** The native calls the v2 driver needs (see src/engine/native.ts). */
export interface DeviceFilterNative {
  attachDeviceFilter(cgroupDir: string, insns: Buffer): void;
}

export interface CgroupDriverOptions {
  /** directory under each mount holding the container cgroups; default `berth`. May have several components (`a/b`). */
  parent?: string;
  /** default: detected */
  layout?: CgroupLayout;
  /** default: the real file system */
  fs?: CgroupFs;
  /** v2 device filter; default: the addon, loaded when first needed */
  native?: DeviceFilterNative;
  /**
   * v2: the controllers to enable in cgroup.subtree_control on the way down,
   * those the kernel offers among them. Default: cpuset, cpu, io, memory,
   * hugetlb, pids, rdma, misc (as runc).
   */
  controllers?: readonly string[];
}

/** CgroupDriverOptions as the drivers receive them: the addon behind a lazy getter. */
export type DriverSettings = Omit<CgroupDriverOptions, 'native'> & { native: () => DeviceFilterNative };
