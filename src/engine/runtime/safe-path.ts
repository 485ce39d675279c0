/**
 * Resolves a path inside a container's root filesystem the way the kernel
 * would if that root were `/`: absolute symlinks and `..` stay inside. A
 * path string, so only for roots nothing runs in while it is used: copy-up
 * from a container not started yet, and cp's look-up of which volume holds a
 * stopped container's path. Files of a root that may change meanwhile are
 * reached by fds instead (in-root.ts). For mounts, berth-init resolves again
 * with openat2 at mount time (CVE-2021-30465 class).
 */
import fs from 'node:fs';
import path from 'node:path';
import { invalidArgument } from '../errors.js';

const MAX_SYMLINKS = 40;

/** The host path for `containerPath` in `root`; the final component is followed only if `followFinal`. */
export function resolveInRoot(root: string, containerPath: string, options: { followFinal?: boolean } = {}): string {
  const followFinal = options.followFinal ?? true;
  let pending = containerPath.split('/').filter((p) => p !== '' && p !== '.');
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = path.join(root, ...resolved, part);
    let stat: fs.Stats | undefined;
    try {
      stat = fs.lstatSync(candidate);
    } catch {
      stat = undefined;
    }
    const isFinal = pending.length === 0;
    if (stat?.isSymbolicLink() && (!isFinal || followFinal)) {
      if (++links > MAX_SYMLINKS) throw invalidArgument(`too many levels of symbolic links in ${containerPath}`);
      const target = fs.readlinkSync(candidate);
      pending = [...target.split('/').filter((p) => p !== '' && p !== '.'), ...pending];
      if (target.startsWith('/')) resolved.length = 0;
      continue;
    }
    resolved.push(part);
  }
  return path.join(root, ...resolved);
}
