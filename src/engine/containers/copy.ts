/**
 * `docker cp` in both directions, inside a root the caller picks: a running
 * container's own (/proc/PID/root, its mounts included), or for a stopped one
 * its rootfs (mounted for the copy) or the volume or bind directory that
 * holds the path. Container paths are resolved inside the root, so an
 * image's symlink cannot point a copy at a host path.
 *
 * Known limit: for a running container, a process inside could swap a
 * directory for a symlink between resolution and copy; Docker closed that
 * race by copying from inside the container's mount namespace, which is a
 * later improvement here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { invalidArgument, notFound } from '../errors.js';
import { resolveInRoot } from '../runtime/safe-path.js';

function exists(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch {
    return undefined;
  }
}

/** Copies `containerPath` out of `rootfs` to `hostDest` (into it, if it is an existing directory). */
export function copyOut(rootfs: string, containerName: string, containerPath: string, hostDest: string): void {
  const contentsOnly = /\/\.$/.test(containerPath);
  const source = resolveInRoot(rootfs, containerPath.replace(/\/\.$/, ''), { followFinal: containerPath.endsWith('/') || contentsOnly });
  const stat = exists(source);
  if (!stat) throw notFound(`Could not find the file ${containerPath} in container ${containerName}`);
  const destStat = exists(hostDest);
  let target = hostDest;
  if (destStat?.isDirectory() && !contentsOnly) target = path.join(hostDest, path.basename(source));
  else if (!destStat && !fs.existsSync(path.dirname(path.resolve(hostDest)))) {
    throw invalidArgument(`invalid output path: directory "${path.dirname(path.resolve(hostDest))}" does not exist`);
  }
  fs.cpSync(source, target, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true, force: true });
}

/** Copies `hostSource` into `rootfs` at `containerPath` (into it, if it is an existing directory there). */
export function copyIn(rootfs: string, containerName: string, hostSource: string, containerPath: string): void {
  const sourceStat = exists(hostSource);
  if (!sourceStat) throw notFound(`could not find the file ${hostSource} on the host`);
  const contentsOnly = /\/\.$/.test(hostSource);
  const resolved = resolveInRoot(rootfs, containerPath);
  const destStat = exists(resolved);
  let target = resolved;
  if (destStat?.isDirectory() && !contentsOnly) target = path.join(resolved, path.basename(path.resolve(hostSource)));
  else if (!destStat) {
    const parent = exists(path.dirname(resolved));
    if (!parent?.isDirectory()) throw notFound(`Could not find the file ${path.posix.dirname(containerPath)} in container ${containerName}`);
  }
  fs.cpSync(hostSource.replace(/\/\.$/, ''), target, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true, force: true });
}
