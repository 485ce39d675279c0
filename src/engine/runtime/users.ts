/**
 * `--user` as Docker reads it: uid[:gid] or name[:group], looked up in the
 * container's own /etc/passwd and /etc/group (never the host's). Those files
 * are the container's to make: they are read inside its root, only if they
 * are regular files, and only up to a size (in-root.ts): a FIFO, /dev/zero
 * or a huge file there is a one-line error, not a hung or exhausted berth.
 */
import { invalidArgument } from '../errors.js';
import type { Native } from '../native.js';
import { withRoot, type InRoot } from './in-root.js';

/** Far above any real passwd or group file; what Docker's line reader takes is 64 KiB a line. */
const MAX_ACCOUNT_FILE = 4 * 1024 * 1024;

export interface ResolvedUser {
  uid: number;
  gid: number;
  groups: number[];
  home: string;
}

function readLines(root: InRoot, file: string): string[][] {
  const bytes = root.readSmallFile(file, MAX_ACCOUNT_FILE);
  if (!bytes) return [];
  return bytes
    .toString('utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(':'));
}

export function resolveUser(native: Native, rootfs: string, spec: string): ResolvedUser {
  const [userPart, groupPart] = spec === '' ? ['0', undefined] : spec.split(':', 2);
  const [passwd, groupFile] = withRoot(native, rootfs, (root) => [readLines(root, '/etc/passwd'), readLines(root, '/etc/group')]);
  let uid: number;
  let gid: number;
  let home = '/';
  let name: string | undefined;
  const entry = /^\d+$/.test(userPart) ? passwd.find((p) => p[2] === userPart) : passwd.find((p) => p[0] === userPart);
  if (/^\d+$/.test(userPart)) {
    uid = Number(userPart);
    gid = entry ? Number(entry[3]) : 0;
  } else {
    if (!entry) throw invalidArgument(`unable to find user ${userPart}: no matching entries in passwd file`);
    uid = Number(entry[2]);
    gid = Number(entry[3]);
  }
  if (entry) {
    home = entry[5] || '/';
    name = entry[0];
  } else if (uid === 0) home = '/root';
  if (groupPart !== undefined) {
    if (/^\d+$/.test(groupPart)) gid = Number(groupPart);
    else {
      const g = groupFile.find((l) => l[0] === groupPart);
      if (!g) throw invalidArgument(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = Number(g[2]);
    }
  }
  const groups = name ? groupFile.filter((g) => (g[3] ?? '').split(',').includes(name!)).map((g) => Number(g[2])) : [];
  // As runc: with no supplementary groups listed, the primary group is the one supplementary group.
  return { uid, gid, groups: groups.length > 0 ? [...new Set(groups)] : [gid], home };
}
