/**
 * Resolves a path inside a container's root filesystem the way the kernel
 * would if that root were `/`: absolute symlinks and `..` stay inside. The
 * engine uses it to read and write container files from the host side (user
 * lookup, cp) without following an image's symlink out to the host
 * (CVE-2021-30465 class). For mounts, berth-init resolves again with openat2
 * at mount time, so this is never the only guard.
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
