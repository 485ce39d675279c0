/**
 * The thin writable layer of a container: what it added (A), changed (C) and
 * deleted (D) relative to its image (`docker diff`), and the same layer as a
 * tar with `.wh.` whiteouts, ready to become an image layer (`docker commit`).
 *
 * Names are bytes (layers/names.ts): the walks read directories as Buffers
 * and hold paths as byte strings, so a name that is not UTF-8 is committed
 * byte for byte and listed by diff in its display form.
 *
 * The upper dir belongs to a container that may be running (`diff`, `commit
 * --pause=false`): each directory is held open while its entries are read,
 * entries are looked up in it without following a symlink, and files are
 * read through their own fds. A container swapping a directory for a symlink
 * to the host meanwhile can fail the walk, never lead it to host files.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { errnoCode, invalidArgument } from '../errors.js';
import type { Native } from '../native.js';
import { fdPath } from '../runtime/in-root.js';
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
function onlyPlaceholders(dir: UpperDir, rel: BytePath): boolean {
  let placeholders = 0;
  for (const name of dir.names()) {
    const childRel = rel ? `${rel}/${name}` : name;
    if (MOUNT_PLACEHOLDERS.has(childRel)) {
      placeholders++;
      continue;
    }
    const stat = fs.lstatSync(dir.at(name));
    if (!stat.isDirectory() || !dir.inChild(name, (child) => onlyPlaceholders(child, childRel))) return false;
    placeholders++;
  }
  return placeholders > 0;
}

/** A directory of the upper dir, held open by an O_PATH fd; see the module comment. */
class UpperDir {
  constructor(
    private readonly native: Native,
    private readonly fd: number,
  ) {}

  /** Runs fn on the upper dir itself, and closes it after (fn may be async). */
  static async open<T>(native: Native, upper: string, fn: (dir: UpperDir) => T | Promise<T>): Promise<T> {
    const fd = fs.openSync(upper, native.O_PATH | fs.constants.O_DIRECTORY);
    try {
      return await fn(new UpperDir(native, fd));
    } finally {
      fs.closeSync(fd);
    }
  }

  static openSync<T>(native: Native, upper: string, fn: (dir: UpperDir) => T): T {
    const fd = fs.openSync(upper, native.O_PATH | fs.constants.O_DIRECTORY);
    try {
      return fn(new UpperDir(native, fd));
    } finally {
      fs.closeSync(fd);
    }
  }

  /** The names in it, as byte strings, in byte order. */
  names(): BytePath[] {
    return fs
      .readdirSync(fdPath(this.fd), { encoding: 'buffer' })
      .map(bytePath)
      .sort();
  }

  /** `name` in this very directory, for calls that do not follow a final symlink (lstat, readlink, l*xattr). */
  at(name: BytePath): Buffer {
    return fdPath(this.fd, pathBytes(name)) as Buffer;
  }

  /** Runs fn on the subdirectory `name`, and closes it after (fn may be async). */
  inChild<T>(name: BytePath, fn: (dir: UpperDir) => T): T {
    const fd = this.openEntry(name, this.native.O_PATH | fs.constants.O_DIRECTORY);
    let async = false;
    try {
      const result = fn(new UpperDir(this.native, fd));
      if (result instanceof Promise) {
        async = true;
        return result.finally(() => fs.closeSync(fd)) as T;
      }
      return result;
    } finally {
      if (!async) fs.closeSync(fd);
    }
  }

  /** An fd of the entry `name` itself (O_NOFOLLOW): a symlink or a file put where a directory was listed fails, in one line. */
  openEntry(name: BytePath, flags: number): number {
    try {
      return this.native.openat2(this.fd, pathBytes(name), flags | fs.constants.O_NOFOLLOW, this.native.RESOLVE_IN_ROOT | this.native.RESOLVE_NO_MAGICLINKS);
    } catch {
      throw changedMeanwhile(name);
    }
  }
}

const changedMeanwhile = (name: BytePath) => invalidArgument(`${displayName(name)} in the container's layer changed while it was read`);

/** What a running container's changes to an entry between two calls look like to the walk. */
const RACED = new Set(['ENOENT', 'EINVAL', 'ELOOP', 'ENOTDIR', 'EISDIR', 'ENODATA']);

/** Runs one entry's step; an errno that means the entry changed under the walk becomes changedMeanwhile. */
async function step<T>(rel: BytePath, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw RACED.has(errnoCode(err) ?? '') ? changedMeanwhile(rel) : err;
  }
}

function stepSync<T>(rel: BytePath, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw RACED.has(errnoCode(err) ?? '') ? changedMeanwhile(rel) : err;
  }
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
  const walk = (dir: UpperDir, rel: BytePath, underNew: boolean) => {
    for (const name of dir.names()) {
      const childRel = rel ? `${rel}/${name}` : name;
      stepSync(childRel, () => change(dir, name, childRel, underNew));
    }
  };
  const change = (dir: UpperDir, name: BytePath, childRel: BytePath, underNew: boolean) => {
    const entry = dir.at(name);
    const stat = fs.lstatSync(entry);
    if (MOUNT_PLACEHOLDERS.has(childRel)) return;
    if (isWhiteout(stat)) {
      changes.push({ kind: 'D', path: `/${displayName(childRel)}` });
      return;
    }
    const opaque = stat.isDirectory() && isOpaque(native, entry);
    if (stat.isDirectory() && !opaque && dir.inChild(name, (child) => onlyPlaceholders(child, childRel)) && inImage(native, lowers, childRel)) return;
    const existed = !underNew && inImage(native, lowers, childRel);
    changes.push({ kind: existed ? 'C' : 'A', path: `/${displayName(childRel)}` });
    if (stat.isDirectory()) dir.inChild(name, (child) => walk(child, childRel, !existed || opaque));
  };
  UpperDir.openSync(native, upper, (dir) => walk(dir, '', false));
  return changes;
}

/**
 * Writes the upper layer as an image layer tar: whiteout devices become
 * `.wh.<name>`, opaque directories get `.wh..wh..opq`, hardlinks within the
 * layer stay hardlinks, overlay's own xattrs are left out.
 */
export async function writeLayerTar(native: Native, upper: string, out: TarWriter): Promise<void> {
  const linkTargets = new Map<string, Buffer>();
  const header = (rel: BytePath, stat: fs.Stats, entry: Buffer) => ({
    name: pathBytes(rel),
    mode: stat.mode & 0o7777,
    uid: stat.uid,
    gid: stat.gid,
    mtime: Math.floor(stat.mtimeMs / 1000),
    xattrs: xattrsOf(native, entry),
  });
  const walk = async (dir: UpperDir, rel: BytePath): Promise<void> => {
    for (const name of dir.names()) {
      const childRel = rel ? `${rel}/${name}` : name;
      await step(childRel, () => entryToTar(dir, name, rel, childRel));
    }
  };
  const entryToTar = async (dir: UpperDir, name: BytePath, rel: BytePath, childRel: BytePath): Promise<void> => {
    const entry = dir.at(name);
    const stat = fs.lstatSync(entry);
    if (MOUNT_PLACEHOLDERS.has(childRel)) return;
    const opaque = stat.isDirectory() && isOpaque(native, entry);
    if (stat.isDirectory() && !opaque && dir.inChild(name, (child) => onlyPlaceholders(child, childRel))) return;
    if (isWhiteout(stat)) {
      await out.addFile({ name: pathBytes(rel ? `${rel}/.wh.${name}` : `.wh.${name}`), mode: 0o644 }, Buffer.alloc(0));
    } else if (stat.isDirectory()) {
      await out.addDir(header(childRel, stat, entry));
      if (opaque) await out.addFile({ name: pathBytes(`${childRel}/.wh..wh..opq`), mode: 0o644 }, Buffer.alloc(0));
      await dir.inChild(name, (child) => walk(child, childRel));
    } else if (stat.isSymbolicLink()) {
      await out.addSymlink(header(childRel, stat, entry), fs.readlinkSync(entry, { encoding: 'buffer' }));
    } else if (stat.nlink > 1 && linkTargets.has(`${stat.dev}:${stat.ino}`)) {
      await out.addHardlink(header(childRel, stat, entry), linkTargets.get(`${stat.dev}:${stat.ino}`)!);
    } else if (stat.isFile()) {
      // the file itself, opened without following a symlink or blocking, read through its fd
      const fd = dir.openEntry(name, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const st = fs.fstatSync(fd);
      if (!st.isFile()) {
        fs.closeSync(fd);
        throw changedMeanwhile(childRel);
      }
      if (st.nlink > 1) linkTargets.set(`${st.dev}:${st.ino}`, pathBytes(childRel));
      if (st.size === 0) fs.closeSync(fd);
      // bounded, so a file that grows still fits its header
      const content = st.size === 0 ? Readable.from([]) : fs.createReadStream('', { fd, start: 0, end: st.size - 1 });
      await out.addFile({ ...header(childRel, st, entry), size: st.size }, content);
    } else if (stat.isCharacterDevice() || stat.isBlockDevice() || stat.isFIFO()) {
      await out.addDevice({
        ...header(childRel, stat, entry),
        type: stat.isFIFO() ? 'fifo' : stat.isCharacterDevice() ? 'chardev' : 'blockdev',
        devmajor: Math.floor(stat.rdev / 256) & 0xfff,
        devminor: (stat.rdev & 0xff) | ((stat.rdev >> 12) & 0xfff00),
      });
    }
    // sockets cannot be archived; Docker skips them too
  };
  await UpperDir.open(native, upper, (dir) => walk(dir, ''));
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
