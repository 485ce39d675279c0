/**
 * Writes the init spec (src/native/SPEC.md) that tells berth-init or
 * berth-nsenter what to do. The format is line-based text so the C side parses
 * it without a JSON library.
 */
import { invalidArgument } from '../errors.js';
import { CAPABILITIES, DEFAULT_CAPABILITIES, normalizeCapability } from './capabilities.js';

export interface SpecMount {
  type: string;
  source: string;
  /** container path */
  target: string;
  flags: string[];
  data?: string;
}

export interface ProcessSpec {
  args: string[];
  env: string[];
  cwd: string;
  uid: number;
  gid: number;
  groups: number[];
  caps: number[];
  noNewPrivs: boolean;
  seccomp: 'default' | 'unconfined';
  rlimits?: { name: string; soft: number; hard: number }[];
}

export interface InitSpec extends ProcessSpec {
  statusFifo: string;
  rootfs: string;
  readonlyRootfs: boolean;
  hostname: string;
  cgroupProcs: string[];
  unshare: ('mnt' | 'uts' | 'ipc' | 'pid' | 'net' | 'cgroup')[];
  joins: { type: string; path: string }[];
  mounts: SpecMount[];
  devices: { path: string; type: 'c' | 'b' | 'p'; major: number; minor: number; mode: number; uid: number; gid: number }[];
  masked: string[];
  readonly: string[];
  /** /sys/fs/cgroup: the container's own cgroups, mounted inside its cgroup namespace (needs unshare 'cgroup') */
  cgroupfs?: { access: 'ro' | 'rw'; layout: '1' | 'hybrid' | '2' };
}

export interface ExecSpec extends ProcessSpec {
  statusFifo: string;
  target: number;
  cgroupProcs: string[];
}

/** Docker's default devices, all 0666 root:root. */
export const DEFAULT_DEVICES: InitSpec['devices'] = [
  { path: '/dev/null', type: 'c', major: 1, minor: 3, mode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/zero', type: 'c', major: 1, minor: 5, mode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/full', type: 'c', major: 1, minor: 7, mode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/random', type: 'c', major: 1, minor: 8, mode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/urandom', type: 'c', major: 1, minor: 9, mode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/tty', type: 'c', major: 5, minor: 0, mode: 0o666, uid: 0, gid: 0 },
];

export const MASKED_PATHS = [
  '/proc/acpi', '/proc/asound', '/proc/interrupts', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/sched_debug',
  '/proc/scsi', '/proc/timer_list', '/proc/timer_stats', '/sys/firmware', '/sys/devices/virtual/powercap',
];

export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/**
 * The capability numbers a container gets: Docker's default set, then
 * --cap-add/--cap-drop (ALL allowed in either), or everything the host has
 * for --privileged.
 */
export function capabilitySet(options: { capAdd?: string[] | null; capDrop?: string[] | null; privileged?: boolean; host: Set<number> }): number[] {
  if (options.privileged) return [...options.host].sort((a, b) => a - b);
  const names = new Set<string>(DEFAULT_CAPABILITIES);
  const known = (name: string) => {
    const n = normalizeCapability(name);
    if (n !== 'ALL' && !(n in CAPABILITIES)) throw invalidArgument(`unknown capability: "${name}"`);
    return n;
  };
  for (const raw of options.capDrop ?? []) {
    const n = known(raw);
    if (n === 'ALL') names.clear();
    else names.delete(n);
  }
  for (const raw of options.capAdd ?? []) {
    const n = known(raw);
    if (n === 'ALL') for (const k of Object.keys(CAPABILITIES)) names.add(k);
    else names.add(n);
  }
  return [...names].map((n) => CAPABILITIES[n]).filter((n) => options.host.has(n)).sort((a, b) => a - b);
}

function escapeField(value: string): string {
  if (value.includes('\0')) throw invalidArgument('spec values cannot contain NUL bytes');
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
}

function line(keyword: string, ...fields: (string | number)[]): string {
  return [keyword, ...fields.map((f) => escapeField(String(f)))].join('\t');
}

function processLines(spec: ProcessSpec): string[] {
  return [
    ...(spec.rlimits ?? []).map((r) => line('rlimit', r.name, r.soft, r.hard)),
    line('user', spec.uid, spec.gid),
    line('groups', spec.groups.join(',')),
    line('caps', spec.caps.join(',')),
    ...(spec.noNewPrivs ? ['no_new_privs'] : []),
    line('seccomp', spec.seccomp),
    line('cwd', spec.cwd),
    ...spec.env.map((e) => line('env', e)),
    ...spec.args.map((a) => line('arg', a)),
  ];
}

export function renderInitSpec(spec: InitSpec): string {
  return [
    line('version', 1),
    line('status', spec.statusFifo),
    line('rootfs', spec.rootfs),
    ...(spec.readonlyRootfs ? ['readonly_rootfs'] : []),
    line('hostname', spec.hostname),
    ...spec.cgroupProcs.map((p) => line('cgroup', p)),
    ...spec.unshare.map((n) => line('unshare', n)),
    ...spec.joins.map((j) => line('join', j.type, j.path)),
    ...spec.mounts.map((m) => line('mount', m.type, m.source, m.target, m.flags.join(','), m.data ?? '')),
    ...spec.devices.map((d) => line('device', d.path, d.type, d.major, d.minor, d.mode.toString(8), d.uid, d.gid)),
    ...spec.masked.map((p) => line('masked', p)),
    ...spec.readonly.map((p) => line('readonly', p)),
    ...(spec.cgroupfs ? [line('cgroupfs', spec.cgroupfs.access, { '1': 'v1', hybrid: 'hybrid', '2': 'v2' }[spec.cgroupfs.layout])] : []),
    ...processLines(spec),
  ].join('\n') + '\n';
}

export function renderExecSpec(spec: ExecSpec): string {
  return [
    line('version', 1),
    line('status', spec.statusFifo),
    line('target', spec.target),
    ...spec.cgroupProcs.map((p) => line('cgroup', p)),
    ...processLines(spec),
  ].join('\n') + '\n';
}
