/**
 * A container's root filesystem: the image's layers as read-only overlay
 * lowers and the container's own thin writable upper (containers/<id>/upper),
 * merged at containers/<id>/rootfs. The image's layers never change.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ImageService } from '../images/service.js';
import type { Store } from '../store/store.js';
import type { Digest } from '../digest.js';

export interface RootfsPaths {
  upper: string;
  work: string;
  merged: string;
}

export function rootfsPaths(store: Store, id: string): RootfsPaths {
  const dir = path.join(store.root, 'containers', id);
  return { upper: path.join(dir, 'upper'), work: path.join(dir, 'work'), merged: path.join(dir, 'rootfs') };
}

/** Creates the (empty) writable layer; done at create so diff and cp work before the first start. */
export function createRootfsDirs(store: Store, id: string): RootfsPaths {
  const paths = rootfsPaths(store, id);
  for (const dir of [paths.upper, paths.work, paths.merged]) fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  return paths;
}

export function isMounted(target: string): boolean {
  const mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  const escaped = target.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
  return mountinfo.split('\n').some((line) => line.split(' ')[4] === escaped);
}

/**
 * Mounts the merged view (idempotent). Layer paths are short links relative to overlay/, to fit one page.
 * Under the container directory's lock, shared: never while `unmountRootfsUnlessHeld` is taking it down.
 */
export function mountRootfs(store: Store, images: ImageService, id: string, imageId: Digest): string {
  const paths = rootfsPaths(store, id);
  const fd = lockContainerDir(store, id, store.native.LOCK_SH);
  try {
    if (isMounted(paths.merged)) return paths.merged;
    const lowers = images.layers(imageId).map((l) => `l/${l.link}`).reverse();
    if (lowers.length === 0) {
      fs.mkdirSync(path.join(store.overlayDir, 'empty'), { recursive: true });
      lowers.push('empty');
    }
    const rel = (p: string) => path.relative(store.overlayDir, p);
    store.native.mount(
      'overlay',
      paths.merged,
      'overlay',
      0,
      `lowerdir=${lowers.join(':')},upperdir=${rel(paths.upper)},workdir=${rel(paths.work)}`,
      store.overlayDir,
    );
    return paths.merged;
  } finally {
    fs.closeSync(fd);
  }
}

/** Unmounts if mounted; lazily, so a process still inside cannot keep the container from stopping cleanly. */
export function unmountRootfs(store: Store, id: string): void {
  const { merged } = rootfsPaths(store, id);
  if (isMounted(merged)) store.native.umount2(merged, store.native.MNT_DETACH);
}

// ------------------------------------------------------------ a rootfs mounted outside the shim
//
// cp into a stopped container and copy-up at create mount the rootfs for a
// moment, without a shim. They hold the container directory's flock shared
// while they use the mount; whoever else would unmount it (they themselves
// when done, an engine start after a kill) takes the lock exclusive without
// waiting, so a mount another process still uses is never taken away, and
// one whose user was killed is.

export interface HeldRootfs {
  merged: string;
  /** Unmounts unless another holder still uses it or `unkept()` says a shim has the container now. */
  release(unkept: () => boolean): void;
}

/** Mounts the rootfs (if it is not) and holds it until `release`. */
export async function holdRootfs(store: Store, images: ImageService, id: string, imageId: Digest): Promise<HeldRootfs> {
  const fd = fs.openSync(path.join(store.root, 'containers', id), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    while (!store.native.flock(fd, store.native.LOCK_SH | store.native.LOCK_NB)) await sleep(5);
    const merged = mountRootfs(store, images, id, imageId);
    return {
      merged,
      release: (unkept) => {
        fs.closeSync(fd);
        unmountRootfsUnlessHeld(store, id, unkept);
      },
    };
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}

/** Unmounts the rootfs if nobody holds it and `unkept()`; false if someone held it. */
export function unmountRootfsUnlessHeld(store: Store, id: string, unkept: () => boolean): boolean {
  let fd: number;
  try {
    fd = fs.openSync(path.join(store.root, 'containers', id), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  } catch {
    return true; // the directory is gone, and its mount with it
  }
  try {
    if (!store.native.flock(fd, store.native.LOCK_EX | store.native.LOCK_NB)) return false;
    if (unkept()) unmountRootfs(store, id);
    return true;
  } finally {
    fs.closeSync(fd);
  }
}

/** IDs of this store's containers whose rootfs is mounted, from one read of the mount table. */
export function mountedRootfs(store: Store): string[] {
  const prefix = path.join(store.root, 'containers');
  const ids: string[] = [];
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const point = line.split(' ')[4]?.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
    if (point && path.dirname(path.dirname(point)) === prefix && path.basename(point) === 'rootfs') ids.push(path.basename(path.dirname(point)));
  }
  return ids;
}

/** Blocking: the exclusive side holds it only across one unmount. */
function lockContainerDir(store: Store, id: string, operation: number): number {
  const fd = fs.openSync(path.join(store.root, 'containers', id), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    store.native.flock(fd, operation);
    return fd;
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}
