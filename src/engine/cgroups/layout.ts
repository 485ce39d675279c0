/**
 * Which cgroup hierarchies the host mounts, and where: read from
 * /proc/self/mountinfo rather than guessed from paths, so co-mounted
 * controllers (`cpu,cpuacct`) and unusual mount points work.
 */
import fs from 'node:fs';
import { unavailable } from '../errors.js';
import type { CgroupLayout } from './types.js';

interface CgroupMount {
  mountPoint: string;
  /** the cgroup this mount shows as its root ('/' normally; a subtree in a container) */
  root: string;
  fstype: 'cgroup' | 'cgroup2';
  /** v1: the controllers of the hierarchy (named hierarchies such as name=systemd have none) */
  controllers: string[];
}

const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));

/** The cgroup and cgroup2 mounts in a mountinfo text, in order. */
export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    // id parent major:minor root mount-point options [optional…] - fstype source super-options
    const dash = line.indexOf(' - ');
    if (dash < 0) continue;
    const left = line.slice(0, dash).split(' ');
    const [fstype, , superOptions = ''] = line.slice(dash + 3).split(' ');
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') continue;
    const root = left[3];
    const mountPoint = left[4];
    if (root === undefined || mountPoint === undefined) continue;
    const known = new Set(['rw', 'ro', 'xattr', 'noprefix', 'clone_children', 'cpuset_v2_mode']);
    const controllers =
      fstype === 'cgroup'
        ? superOptions.split(',').filter((o) => o && !known.has(o) && !o.includes('='))
        : [];
    mounts.push({ mountPoint: unescape(mountPoint), root: unescape(root), fstype, controllers });
  }
  return mounts;
}

/**
 * The layout a mountinfo text describes. v2 when a cgroup2 mount is at
 * `base` (/sys/fs/cgroup) or no v1 controller is mounted; hybrid when v1
 * controllers sit beside a cgroup2 mount; else v1. Per controller, a mount
 * showing the hierarchy's root (`/`) under `base` wins over others (bind
 * mounts of subtrees, a container's views). Undefined when nothing is mounted.
 */
export function layoutFromMountinfo(mountinfo: string, base = '/sys/fs/cgroup'): CgroupLayout | undefined {
  const mounts = parseCgroupMounts(mountinfo);
  const score = (m: CgroupMount) => (m.root === '/' ? 2 : 0) + (m.mountPoint === base || m.mountPoint.startsWith(`${base}/`) ? 1 : 0);
  const best = (candidates: CgroupMount[]) =>
    candidates.reduce<CgroupMount | undefined>((a, m) => (a === undefined || score(m) > score(a) ? m : a), undefined);

  const v2 = best(mounts.filter((m) => m.fstype === 'cgroup2'));
  if (v2 && v2.mountPoint === base) return { version: '2', root: v2.mountPoint };

  const controllers: Record<string, string> = {};
  const byController = new Map<string, CgroupMount[]>();
  for (const m of mounts) {
    for (const c of m.controllers) byController.set(c, [...(byController.get(c) ?? []), m]);
  }
  for (const [c, candidates] of byController) controllers[c] = best(candidates)!.mountPoint;

  if (Object.keys(controllers).length === 0) return v2 ? { version: '2', root: v2.mountPoint } : undefined;
  return v2 ? { version: 'hybrid', controllers, unified: v2.mountPoint } : { version: '1', controllers };
}

/** This host's layout. Throws unavailable when no cgroup file system is mounted. */
export function detectLayout(): CgroupLayout {
  const layout = layoutFromMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8'));
  if (!layout) throw unavailable('no cgroup file system is mounted (none in /proc/self/mountinfo)');
  return layout;
}

/**
 * v2 when /sys/fs/cgroup is the unified hierarchy; hybrid when v1
 * controllers sit beside a cgroup2 mount (at /sys/fs/cgroup/unified on
 * systemd hosts); else v1. For `docker info`'s Cgroup Version.
 */
export function cgroupVersion(): '1' | '2' | 'hybrid' {
  try {
    return detectLayout().version;
  } catch {
    // no readable mountinfo: the path test engine.ts used first
    if (fs.existsSync('/sys/fs/cgroup/cgroup.controllers')) return '2';
    if (fs.existsSync('/sys/fs/cgroup/unified/cgroup.controllers')) return 'hybrid';
    return '1';
  }
}
