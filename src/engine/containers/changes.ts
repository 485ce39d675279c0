/**
 * The thin writable layer of a container: what it added (A), changed (C) and
 * deleted (D) relative to its image (`docker diff`), and the same layer as a
 * tar with `.wh.` whiteouts, ready to become an image layer (`docker commit`).
 *
 * Names are bytes (layers/names.ts): the walks read directories as Buffers
 * and hold paths as byte strings, so a name that is not UTF-8 is committed
 * byte for byte and listed by diff in its display form.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { Native } from '../native.js';
import { below, bytePath, displayName, pathBytes, type BytePath } from '../layers/names.js';
import { TarWriter } from '../layers/tar.js';

export type ChangeKind = 'A' | 'C' | 'D';

export interface Change {
  kind: ChangeKind;
  /** absolute container path, for display: bytes that are not UTF-8 appear as \xNN */
  path: string;
}

const OPAQUE_XATTR = 'trusted.overlay.opaque';

/**
 * Files berth-init creates in the upper dir only as targets for its bind
 * mounts; the container's writes to them land in containers/<id>/, never
 * here. Like Docker's init layer, they are not the container's changes.
 */
const MOUNT_PLACEHOLDERS = new Set(['etc/hostname', 'etc/hosts', 'etc/resolv.conf']);

/**
 * A directory of the upper dir that was copied up only for mount
 * placeholders: it holds at least one and nothing else. An empty directory
 * (or one of empty directories) is the container's own doing and a change.
 */
function onlyPlaceholders(upper: string, rel: BytePath): boolean {
  let placeholders = 0;
  for (const name of names(upper, rel)) {
    const childRel = rel ? `${rel}/${name}` : name;
    if (MOUNT_PLACEHOLDERS.has(childRel)) {
      placeholders++;
      continue;
    }
    const stat = fs.lstatSync(below(upper, childRel));
    if (!stat.isDirectory() || !onlyPlaceholders(upper, childRel)) return false;
    placeholders++;
  }
  return placeholders > 0;
}

/** The names in directory `rel` of `root`, as byte strings, in byte order. */
function names(root: string, rel: BytePath): BytePath[] {
  return fs
    .readdirSync(below(root, rel), { encoding: 'buffer' })
    .map(bytePath)
    .sort();
}

function isWhiteout(stat: fs.Stats): boolean {
  return stat.isCharacterDevice() && stat.rdev === 0;
}

function isOpaque(native: Native, file: Buffer): boolean {
  return native.lgetxattr(file, OPAQUE_XATTR)?.toString() === 'y';
}

/**
 * Whether `rel` exists in the image below the upper layer: looked up in the
 * layer dirs top to bottom, stopping at a whiteout or an opaque parent.
 */
function inImage(native: Native, lowers: readonly string[], rel: BytePath): boolean {
  const parts = rel.split('/');
  for (const lower of lowers) {
    for (let i = 1; i < parts.length; i++) {
      const parent = below(lower, parts.slice(0, i).join('/'));
      try {
        const stat = fs.lstatSync(parent);
        if (isWhiteout(stat)) return false;
        if (stat.isDirectory() && isOpaque(native, parent)) {
          // an opaque parent hides everything below it in lower layers
          const own = fs.lstatSync(below(lower, rel), { throwIfNoEntry: false });
          return own !== undefined && !isWhiteout(own);
        }
      } catch {
        break;
      }
    }
    try {
      const stat = fs.lstatSync(below(lower, rel));
      return !isWhiteout(stat);
    } catch {
      // not in this layer; look further down
    }
  }
  return false;
}

/** Changes in `upper` over the image layers `lowers` (top first), sorted by path as Docker prints them. */
export function listChanges(native: Native, upper: string, lowers: readonly string[]): Change[] {
  const changes: Change[] = [];
  const walk = (rel: BytePath, underNew: boolean) => {
    for (const name of names(upper, rel)) {
      const childRel = rel ? `${rel}/${name}` : name;
      const abs = below(upper, childRel);
      const stat = fs.lstatSync(abs);
      if (MOUNT_PLACEHOLDERS.has(childRel)) continue;
      if (isWhiteout(stat)) {
        changes.push({ kind: 'D', path: `/${displayName(childRel)}` });
        continue;
      }
      if (stat.isDirectory() && !isOpaque(native, abs) && onlyPlaceholders(upper, childRel) && inImage(native, lowers, childRel)) continue;
      const existed = !underNew && inImage(native, lowers, childRel);
      changes.push({ kind: existed ? 'C' : 'A', path: `/${displayName(childRel)}` });
      if (stat.isDirectory()) walk(childRel, !existed || isOpaque(native, abs));
    }
  };
  walk('', false);
  return changes;
}

/**
 * Writes the upper layer as an image layer tar: whiteout devices become
 * `.wh.<name>`, opaque directories get `.wh..wh..opq`, hardlinks within the
 * layer stay hardlinks, overlay's own xattrs are left out.
 */
export async function writeLayerTar(native: Native, upper: string, out: TarWriter): Promise<void> {
  const linkTargets = new Map<string, Buffer>();
  const header = (rel: BytePath, stat: fs.Stats) => ({
    name: pathBytes(rel),
    mode: stat.mode & 0o7777,
    uid: stat.uid,
    gid: stat.gid,
    mtime: Math.floor(stat.mtimeMs / 1000),
    xattrs: xattrsOf(native, below(upper, rel)),
  });
  const walk = async (rel: BytePath) => {
    for (const name of names(upper, rel)) {
      const childRel = rel ? `${rel}/${name}` : name;
      const abs = below(upper, childRel);
      const stat = fs.lstatSync(abs);
      if (MOUNT_PLACEHOLDERS.has(childRel)) continue;
      if (stat.isDirectory() && !isOpaque(native, abs) && onlyPlaceholders(upper, childRel)) continue;
      if (isWhiteout(stat)) {
        await out.addFile({ name: pathBytes(rel ? `${rel}/.wh.${name}` : `.wh.${name}`), mode: 0o644 }, Buffer.alloc(0));
      } else if (stat.isDirectory()) {
        await out.addDir(header(childRel, stat));
        if (isOpaque(native, abs)) await out.addFile({ name: pathBytes(`${childRel}/.wh..wh..opq`), mode: 0o644 }, Buffer.alloc(0));
        await walk(childRel);
      } else if (stat.isSymbolicLink()) {
        await out.addSymlink(header(childRel, stat), fs.readlinkSync(abs, { encoding: 'buffer' }));
      } else if (stat.nlink > 1 && linkTargets.has(`${stat.dev}:${stat.ino}`)) {
        await out.addHardlink(header(childRel, stat), linkTargets.get(`${stat.dev}:${stat.ino}`)!);
      } else if (stat.isFile()) {
        if (stat.nlink > 1) linkTargets.set(`${stat.dev}:${stat.ino}`, pathBytes(childRel));
        // A stream, since a path given as data must be text; bounded, so a file that grows still fits its header.
        const content = stat.size === 0 ? Readable.from([]) : fs.createReadStream(abs, { start: 0, end: stat.size - 1 });
        await out.addFile({ ...header(childRel, stat), size: stat.size }, content);
      } else if (stat.isCharacterDevice() || stat.isBlockDevice() || stat.isFIFO()) {
        await out.addDevice({
          ...header(childRel, stat),
          type: stat.isFIFO() ? 'fifo' : stat.isCharacterDevice() ? 'chardev' : 'blockdev',
          devmajor: Math.floor(stat.rdev / 256) & 0xfff,
          devminor: (stat.rdev & 0xff) | ((stat.rdev >> 12) & 0xfff00),
        });
      }
      // sockets cannot be archived; Docker skips them too
    }
  };
  await walk('');
  await out.finish();
}

function xattrsOf(native: Native, file: Buffer): Map<string, Buffer> {
  const map = new Map<string, Buffer>();
  for (const name of native.llistxattr(file)) {
    if (/^(trusted|user)\.overlay\./.test(name)) continue;
    const value = native.lgetxattr(file, name);
    if (value) map.set(name, value);
  }
  return map;
}
