/**
 * A container's root filesystem: the image's layers as read-only overlay
 * lowers and the container's own thin writable upper (containers/<id>/upper),
 * merged at containers/<id>/rootfs. The image's layers never change.
 */
import fs from 'node:fs';
import path from 'node:path';
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

/** Mounts the merged view (idempotent). Layer paths are short links relative to overlay/, to fit one page. */
export function mountRootfs(store: Store, images: ImageService, id: string, imageId: Digest): string {
  const paths = rootfsPaths(store, id);
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
}

/** Unmounts if mounted; lazily, so a process still inside cannot keep the container from stopping cleanly. */
export function unmountRootfs(store: Store, id: string): void {
  const { merged } = rootfsPaths(store, id);
  if (isMounted(merged)) store.native.umount2(merged, store.native.MNT_DETACH);
}
