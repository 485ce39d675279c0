/**
 * `docker cp` in both directions, inside a root the caller picks: a running
 * container's own (/proc/PID/root, its mounts included), or for a stopped one
 * its rootfs (mounted for the copy) or the volume or bind directory that
 * holds the path.
 *
 * The container side is never named by a host path string: the container
 * path is resolved by the kernel inside the root (in-root.ts), and every
 * entry below it is reached from the fd of its directory without following
 * a symlink. A container that swaps a directory for a symlink to a host
 * directory while the copy runs (renameat2 RENAME_EXCHANGE) gets the copy
 * refused, never redirected (issue 11). Existing entries in the container
 * are replaced, never opened: a device node planted there is unlinked, not
 * written to. Device nodes and FIFOs travel as what they are (mknod), as
 * docker's tar stream carries them.
 *
 * Ownership as docker cp's: files copied out belong to the caller, files
 * copied in to root (0:0); -a keeps the source's. Modes and times are kept.
 */
import fs from 'node:fs';
import path from 'node:path';
import { OutOfSpaceError, errnoCode, invalidArgument, isOutOfSpace, notFound } from '../errors.js';
import type { Native } from '../native.js';
import { describeErrno, fdPath, withRoot, type InRoot } from '../runtime/in-root.js';

export interface CopyOptions {
  /** -a: the source's owners instead of the copier's (out) or root's (in) */
  archive?: boolean;
  /** -L: follow a symlink named as the source */
  followLink?: boolean;
}

interface Walk {
  native: Native;
  containerName: string;
  /** owner of what is made, or undefined to keep each source's */
  owner?: { uid: number; gid: number };
}

const { O_NOFOLLOW, O_DIRECTORY, O_WRONLY, O_CREAT, O_EXCL, O_NONBLOCK, S_IFMT } = fs.constants;

function lstatOrUndefined(p: string | Buffer): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch {
    return undefined;
  }
}

/** glibc's gnu_dev_major/minor. */
const major = (rdev: number) => ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
const minor = (rdev: number) => (rdev & 0xff) | ((rdev >>> 12) & ~0xff);

/** A copy error from the container side, as one line that names the container path. */
function containerError(walk: Walk, containerPath: string | Buffer, err: unknown): Error {
  if (errnoCode(err) === 'ENOENT') return notFound(`Could not find the file ${String(containerPath)} in container ${walk.containerName}`);
  if (isOutOfSpace(err)) return new OutOfSpaceError('cp', err);
  // a symlink or a file where a directory was, or renames that kept the kernel's lookup from settling
  const raced = ['ELOOP', 'ENOTDIR', 'EAGAIN'].includes(errnoCode(err) ?? '');
  const why = raced ? 'it was changed during the copy' : describeErrno(err);
  return invalidArgument(`copying ${String(containerPath)} in container ${walk.containerName}: ${why}`);
}

// ---------------------------------------------------------------- out of the container

/** Copies `containerPath` out of `root` to `hostDest` (into it, if it is an existing directory). */
export function copyOut(native: Native, root: string, containerName: string, containerPath: string, hostDest: string, options: CopyOptions = {}): void {
  const contentsOnly = /\/\.$/.test(containerPath);
  const source = containerPath.replace(/\/\.$/, '') || '/';
  const follow = containerPath.endsWith('/') || contentsOnly || options.followLink === true;
  const walk: Walk = { native, containerName, owner: options.archive ? undefined : { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 } };
  withRoot(native, root, (inRoot) => {
    let fd: number;
    try {
      fd = inRoot.open(source, native.O_PATH | (follow ? 0 : O_NOFOLLOW));
    } catch (err) {
      throw containerError(walk, containerPath, err);
    }
    try {
      const st = fs.fstatSync(fd);
      const destStat = lstatOrUndefined(hostDest);
      let target = hostDest;
      if (destStat?.isDirectory() && !contentsOnly) target = path.join(hostDest, path.posix.basename(source) || '.');
      else if (!destStat && !fs.existsSync(path.dirname(path.resolve(hostDest)))) {
        throw invalidArgument(`invalid output path: directory "${path.dirname(path.resolve(hostDest))}" does not exist`);
      }
      const readLink = () => readLinkIn(native, inRoot, source);
      entryOut(walk, fd, st, readLink, target, source, new Map());
    } finally {
      fs.closeSync(fd);
    }
  });
}

/** The target of the symlink `containerPath` (its parent resolved inside the root). */
function readLinkIn(native: Native, inRoot: InRoot, containerPath: string): Buffer {
  const parent = inRoot.open(path.posix.dirname(containerPath), native.O_PATH | O_DIRECTORY);
  try {
    return fs.readlinkSync(fdPath(parent, path.posix.basename(containerPath)), { encoding: 'buffer' });
  } finally {
    fs.closeSync(parent);
  }
}

/** One entry, held as an O_PATH fd `fd` with its stat, copied to the host path `to`. */
function entryOut(walk: Walk, fd: number, st: fs.Stats, readLink: () => Buffer, to: string | Buffer, shown: string | Buffer, links: Map<string, string | Buffer>): void {
  if (st.isDirectory()) {
    const existing = lstatOrUndefined(to);
    if (!existing) fs.mkdirSync(to, { mode: 0o700 });
    else if (!existing.isDirectory()) throw invalidArgument(`cannot overwrite non-directory "${String(to)}" with directory "${String(shown)}"`);
    for (const name of fs.readdirSync(fdPath(fd), { encoding: 'buffer' })) {
      const childShown = joinBytes(shown, name);
      let child: number;
      try {
        child = walk.native.openat2(fd, name, walk.native.O_PATH | O_NOFOLLOW, walk.native.RESOLVE_IN_ROOT | walk.native.RESOLVE_NO_MAGICLINKS);
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') continue; // removed meanwhile
        throw containerError(walk, childShown, err);
      }
      try {
        entryOut(walk, child, fs.fstatSync(child), () => fs.readlinkSync(fdPath(fd, name), { encoding: 'buffer' }), joinBytes(to, name), childShown, links);
      } finally {
        fs.closeSync(child);
      }
    }
  } else if (st.isFile()) {
    const key = `${st.dev}:${st.ino}`;
    const first = st.nlink > 1 ? links.get(key) : undefined;
    if (first !== undefined) {
      fs.rmSync(to, { force: true });
      fs.linkSync(first, to);
      return; // the first path has the inode's metadata
    }
    fs.copyFileSync(fdPath(fd), to); // the magic link reopens this very inode: no path is walked again
    if (st.nlink > 1) links.set(key, to);
  } else if (st.isSymbolicLink()) {
    fs.rmSync(to, { force: true });
    fs.symlinkSync(readLink(), to);
  } else if (st.isCharacterDevice() || st.isBlockDevice() || st.isFIFO()) {
    fs.rmSync(to, { force: true });
    walk.native.mknod(to, (st.mode & S_IFMT) | 0o600, major(st.rdev), minor(st.rdev));
  } else {
    return; // a socket belongs to a process, not to a file tree
  }
  setMetadata(walk, to, st);
}

/** Owner, mode and times of a host path just made (never following a final symlink). */
function setMetadata(walk: Walk, to: string | Buffer, st: fs.Stats): void {
  const owner = walk.owner ?? { uid: st.uid, gid: st.gid };
  fs.lchownSync(to, owner.uid, owner.gid);
  if (!st.isSymbolicLink()) fs.chmodSync(to, st.mode & 0o7777); // after chown, which clears setuid
  fs.lutimesSync(to, st.atime, st.mtime);
}

function joinBytes(dir: string | Buffer, name: Buffer): Buffer {
  const base = typeof dir === 'string' ? Buffer.from(dir) : dir;
  return base.length > 0 && base[base.length - 1] === 0x2f ? Buffer.concat([base, name]) : Buffer.concat([base, Buffer.from('/'), name]);
}

// ---------------------------------------------------------------- into the container

/** Copies `hostSource` into `root` at `containerPath` (into it, if it is an existing directory there). */
export function copyIn(native: Native, root: string, containerName: string, hostSource: string, containerPath: string, options: CopyOptions = {}): void {
  const contentsOnly = /\/\.$/.test(hostSource);
  const source = hostSource.replace(/\/\.$/, '') || '/';
  let sourceStat: fs.Stats;
  try {
    sourceStat = options.followLink ? fs.statSync(source) : fs.lstatSync(source);
  } catch {
    throw notFound(`could not find the file ${hostSource} on the host`);
  }
  const walk: Walk = { native, containerName, owner: options.archive ? undefined : { uid: 0, gid: 0 } };
  withRoot(native, root, (inRoot) => {
    let dest: number | undefined;
    try {
      dest = inRoot.open(containerPath, native.O_PATH);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw containerError(walk, containerPath, err);
    }
    if (dest !== undefined) {
      try {
        if (fs.fstatSync(dest).isDirectory()) {
          if (contentsOnly && sourceStat.isDirectory()) {
            for (const name of fs.readdirSync(source, { encoding: 'buffer' })) {
              const from = joinBytes(source, name);
              entryIn(walk, dest, name, from, fs.lstatSync(from), joinBytes(containerPath, name));
            }
          } else {
            const name = Buffer.from(path.basename(path.resolve(source)));
            entryIn(walk, dest, name, source, sourceStat, joinBytes(containerPath, name));
          }
          return;
        }
      } finally {
        fs.closeSync(dest);
      }
      if (sourceStat.isDirectory()) throw invalidArgument(`cannot overwrite non-directory "${containerPath}" with directory "${hostSource}"`);
    } else if (containerPath.endsWith('/')) {
      throw notFound(`Could not find the file ${containerPath} in container ${containerName}`);
    }
    // a new name (or one to replace) in an existing directory
    let parent: number;
    try {
      parent = inRoot.open(path.posix.dirname(containerPath), native.O_PATH | O_DIRECTORY);
    } catch (err) {
      throw containerError(walk, path.posix.dirname(containerPath), err);
    }
    try {
      entryIn(walk, parent, Buffer.from(path.posix.basename(containerPath)), source, sourceStat, containerPath);
    } finally {
      fs.closeSync(parent);
    }
  });
}

/** Copies the host entry `from` (stat `st`) as `name` into the container directory held by `parent`. */
function entryIn(walk: Walk, parent: number, name: Buffer, from: string | Buffer, st: fs.Stats, shown: string | Buffer): void {
  const { native } = walk;
  const target = fdPath(parent, name);
  const existing = lstatOrUndefined(target); // lstat: a final symlink is looked at, not followed
  if (st.isDirectory()) {
    if (existing && !existing.isDirectory()) fs.unlinkSync(target);
    if (!existing?.isDirectory()) fs.mkdirSync(target, { mode: 0o700 });
    let dir: number;
    try {
      dir = native.openat2(parent, name, native.O_PATH | O_DIRECTORY | O_NOFOLLOW, native.RESOLVE_IN_ROOT | native.RESOLVE_NO_MAGICLINKS);
    } catch (err) {
      throw containerError(walk, shown, err); // swapped for a symlink since mkdir: refused, not followed
    }
    try {
      for (const child of fs.readdirSync(from, { encoding: 'buffer' })) {
        const childFrom = joinBytes(from, child);
        entryIn(walk, dir, child, childFrom, fs.lstatSync(childFrom), joinBytes(shown, child));
      }
      // through the directory's own fd: the very directory made above, whatever is at its name now
      const owner = walk.owner ?? { uid: st.uid, gid: st.gid };
      fs.chownSync(fdPath(dir), owner.uid, owner.gid);
      fs.chmodSync(fdPath(dir), st.mode & 0o7777);
      fs.utimesSync(fdPath(dir), st.atime, st.mtime);
    } finally {
      fs.closeSync(dir);
    }
    return;
  }
  if (existing?.isDirectory()) throw invalidArgument(`cannot overwrite directory "${String(shown)}" with non-directory "${String(from)}"`);
  // An existing entry is replaced, never opened: it may be a device node or a FIFO the container planted.
  if (existing) fs.unlinkSync(target);
  try {
    if (st.isFile()) {
      const fd = native.openat2(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK, native.RESOLVE_IN_ROOT | native.RESOLVE_NO_MAGICLINKS, 0o600);
      try {
        fs.copyFileSync(from, fdPath(fd)); // the magic link is the file just made
        const owner = walk.owner ?? { uid: st.uid, gid: st.gid };
        fs.fchownSync(fd, owner.uid, owner.gid);
        fs.fchmodSync(fd, st.mode & 0o7777);
        fs.futimesSync(fd, st.atime, st.mtime);
      } catch (err) {
        // no half-copied file (a full disk): unlink never follows a symlink, nor removes a directory swapped in
        try {
          fs.unlinkSync(target);
        } catch {
          // already gone
        }
        throw err;
      } finally {
        fs.closeSync(fd);
      }
      return;
    }
    if (st.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(from, { encoding: 'buffer' }), target);
    else if (st.isCharacterDevice() || st.isBlockDevice() || st.isFIFO()) native.mknod(target, (st.mode & S_IFMT) | 0o600, major(st.rdev), minor(st.rdev));
    else return; // a socket
  } catch (err) {
    throw containerError(walk, shown, err);
  }
  // made by name in the held directory; lchown/lutimes never follow, and a symlink has no mode of its own
  const owner = walk.owner ?? { uid: st.uid, gid: st.gid };
  fs.lchownSync(target, owner.uid, owner.gid);
  if (!st.isSymbolicLink()) chmodNoFollow(walk, parent, name, st.mode & 0o7777);
  fs.lutimesSync(target, st.atime, st.mtime);
}

/** chmod of a device node or FIFO just made, through an O_PATH fd of it: chmod by name would follow a symlink swapped in. */
function chmodNoFollow(walk: Walk, parent: number, name: Buffer, mode: number): void {
  const fd = walk.native.openat2(parent, name, walk.native.O_PATH | O_NOFOLLOW, walk.native.RESOLVE_IN_ROOT | walk.native.RESOLVE_NO_MAGICLINKS);
  try {
    if (!fs.fstatSync(fd).isSymbolicLink()) fs.chmodSync(fdPath(fd), mode);
  } finally {
    fs.closeSync(fd);
  }
}
