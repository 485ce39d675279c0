/**
 * Docker's copy-up: when a container is created with an empty volume, the
 * volume gets what the image has at the mount's path (owners, modes, xattrs,
 * times, symlinks, hard links, devices), and the volume's root takes that
 * directory's owner and mode. A volume with anything in it is left alone.
 *
 * Safety: the source is resolved inside the container's rootfs (an image's
 * symlink cannot lead out to the host) and walked without following
 * symlinks. The copy is staged under tmp/, where no container can see it,
 * and its top-level entries are renamed into the volume: a container that
 * shares the (empty) volume and plants symlinks in it meanwhile can only have
 * them replaced, never followed. A lock on the volume directory keeps two
 * starts from copying at once; a crash leaves whole top-level entries.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { errnoCode } from '../errors.js';
import type { Native } from '../native.js';
import type { Store } from '../store/store.js';
import { resolveInRoot } from '../runtime/safe-path.js';

/** Seeds `volumeDir`/_data from `destination` in `rootfs` if the volume is empty and the image has a directory there. */
export async function copyUp(store: Store, volumeDir: string, rootfs: string, destination: string): Promise<void> {
  const source = resolveInRoot(rootfs, destination);
  let top: fs.Stats;
  try {
    top = fs.lstatSync(source);
  } catch {
    return; // nothing in the image there
  }
  if (!top.isDirectory()) return;
  const data = path.join(volumeDir, '_data');
  await withDirectoryLock(store.native, volumeDir, async () => {
    if (fs.readdirSync(data).length > 0) return;
    await store.lock.shared(async () => {
      const staging = store.makeStagingDir('copy-up');
      try {
        const links = new Map<string, string>();
        for (const name of fs.readdirSync(source)) copyEntry(store.native, path.join(source, name), path.join(staging, name), links);
        for (const name of fs.readdirSync(staging)) {
          try {
            fs.renameSync(path.join(staging, name), path.join(data, name));
          } catch (err) {
            // Something put there meanwhile (a container sharing the volume): theirs stays.
            if (!['EEXIST', 'ENOTEMPTY', 'EISDIR', 'ENOTDIR'].includes(errnoCode(err) ?? '')) throw err;
          }
        }
      } finally {
        fs.rmSync(staging, { recursive: true, force: true });
      }
    });
    copyXattrs(store.native, source, data);
    fs.chownSync(data, top.uid, top.gid);
    fs.chmodSync(data, top.mode & 0o7777);
  });
}

/** Copies one entry (recursively for a directory) without following symlinks; `links` maps inodes already copied, for hard links. */
function copyEntry(native: Native, from: string, to: string, links: Map<string, string>): void {
  const st = fs.lstatSync(from);
  if (st.isDirectory()) {
    fs.mkdirSync(to, { mode: 0o700 });
    for (const name of fs.readdirSync(from)) copyEntry(native, path.join(from, name), path.join(to, name), links);
  } else if (st.isFile()) {
    const key = `${st.dev}:${st.ino}`;
    const first = st.nlink > 1 ? links.get(key) : undefined;
    if (first) {
      fs.linkSync(first, to);
      return; // the first path already has the inode's metadata
    }
    fs.copyFileSync(from, to, fs.constants.COPYFILE_FICLONE);
    if (st.nlink > 1) links.set(key, to);
  } else if (st.isSymbolicLink()) {
    fs.symlinkSync(fs.readlinkSync(from), to);
  } else if (st.isCharacterDevice() || st.isBlockDevice() || st.isFIFO()) {
    native.mknod(to, (st.mode & fs.constants.S_IFMT) | 0o600, major(st.rdev), minor(st.rdev));
  } else {
    return; // sockets belong to a process, not to an image
  }
  copyXattrs(native, from, to);
  fs.lchownSync(to, st.uid, st.gid);
  if (!st.isSymbolicLink()) fs.chmodSync(to, st.mode & 0o7777); // after chown, which clears setuid
  fs.lutimesSync(to, st.atime, st.mtime);
}

/** Every extended attribute the target's filesystem takes (overlay's own are not visible through the merged view). */
function copyXattrs(native: Native, from: string, to: string): void {
  let names: string[];
  try {
    names = native.llistxattr(from);
  } catch {
    return;
  }
  for (const name of names) {
    try {
      const value = native.lgetxattr(from, name);
      if (value) native.lsetxattr(to, name, value);
    } catch {
      // an attribute this filesystem does not take
    }
  }
}

/** glibc's gnu_dev_major/minor. */
const major = (rdev: number) => ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
const minor = (rdev: number) => (rdev & 0xff) | ((rdev >>> 12) & ~0xff);

/** Runs fn holding an exclusive flock on a directory (released if the holder dies). */
async function withDirectoryLock<T>(native: Native, dir: string, fn: () => Promise<T>): Promise<T> {
  const fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    while (!native.flock(fd, native.LOCK_EX | native.LOCK_NB)) await sleep(10);
    return await fn();
  } finally {
    fs.closeSync(fd);
  }
}
