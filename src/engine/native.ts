/**
 * The seam between the engine and the N-API addon (src/native/addon.c).
 * Engine code receives a `Native` rather than importing the addon, so a test
 * can hand in a recording implementation and check the call order.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export interface Native {
  /** Paths of files from layers and containers come as Buffers: their names are bytes (layers/names.ts). */
  mknod(path: string | Buffer, mode: number, major: number, minor: number): void;
  lsetxattr(path: string | Buffer, name: string, value: Buffer): void;
  /** null when the attribute is absent. */
  lgetxattr(path: string | Buffer, name: string): Buffer | null;
  llistxattr(path: string | Buffer): string[];
  /** `cwd` (may be '') is where relative paths inside `data` resolve. */
  mount(source: string, target: string, fstype: string, flags: number, data: string, cwd: string): void;
  umount2(target: string, flags: number): void;
  /** false when LOCK_NB was asked and another holder has it. */
  flock(fd: number, operation: number): boolean;
  /**
   * Cgroup v2 device allowlist: loads `insns` (an array of struct bpf_insn,
   * see src/engine/cgroups/devices.ts) as a BPF_PROG_TYPE_CGROUP_DEVICE
   * program, attaches it to the cgroup directory with BPF_F_ALLOW_MULTI and
   * detaches the device programs attached there before (so it replaces).
   */
  attachDeviceFilter(cgroupDir: string, insns: Buffer): void;
  /** Ids of the device programs attached directly to a cgroup v2 directory. */
  deviceFilters(cgroupDir: string): number[];
  /** A new network namespace bound at `path` (created; must not exist), with lo up. */
  netnsCreate(path: string): void;
  /** A Linux bridge with an IPv4 address, up. */
  bridgeCreate(name: string, address: string, prefix: number): void;
  linkDelete(name: string): void;
  /**
   * A veth pair: `hostInterface` attached to `bridge` and up; `interface` moved
   * into the namespace at `netnsPath` with `address/prefix`, up, and the
   * default route via `gateway` unless it is ''.
   */
  plumbEndpoint(netnsPath: string, hostInterface: string, iface: string, bridge: string, address: string, prefix: number, gateway: string): void;
  /**
   * openat2(2): `path` opened relative to the directory fd `dirfd` with the
   * RESOLVE_* flags in `resolve`; O_CLOEXEC is always added. For paths inside
   * a root berth does not trust (src/engine/runtime/in-root.ts).
   */
  openat2(dirfd: number, path: string | Buffer, flags: number, resolve: number, mode?: number): number;
  readonly O_PATH: number;
  readonly RESOLVE_IN_ROOT: number;
  readonly RESOLVE_NO_MAGICLINKS: number;
  readonly RESOLVE_NO_SYMLINKS: number;
  readonly MS_RDONLY: number;
  readonly MS_NOSUID: number;
  readonly MS_NODEV: number;
  readonly MS_BIND: number;
  readonly MS_REC: number;
  readonly MS_SHARED: number;
  readonly MNT_DETACH: number;
  readonly LOCK_SH: number;
  readonly LOCK_EX: number;
  readonly LOCK_UN: number;
  readonly LOCK_NB: number;
  readonly S_IFCHR: number;
  readonly S_IFBLK: number;
  readonly S_IFIFO: number;
}

/** The repository root: dist/src/engine/native.js → ../../.. */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

let loaded: Native | undefined;

export function loadNative(): Native {
  if (!loaded) {
    const require = createRequire(import.meta.url);
    loaded = require(path.join(packageRoot, 'build/Release/berth.node')) as Native;
  }
  return loaded;
}
