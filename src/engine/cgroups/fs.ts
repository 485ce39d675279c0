/**
 * File access for the drivers: the real cgroup file system, and the helpers
 * both drivers use on top of a CgroupFs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { errnoCode, failedPrecondition, internal, invalidArgument, unavailable } from '../errors.js';
import type { CgroupFs } from './types.js';

/**
 * Cgroup files are kernfs attributes: written with O_WRONLY only (no O_CREAT:
 * a missing file is an error, not a new regular file; no read access: some
 * are write-only such as cgroup.kill and devices.allow).
 */
export const realCgroupFs: CgroupFs = {
  exists: (p) => fs.existsSync(p),
  mkdir(p) {
    try {
      fs.mkdirSync(p);
      return true;
    } catch (err) {
      if (errnoCode(err) === 'EEXIST') return false;
      throw err;
    }
  },
  rmdir: (p) => fs.rmdirSync(p),
  subdirs: (p) =>
    fs
      .readdirSync(p, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name),
  read: (p) => fs.readFileSync(p, 'utf8'),
  write(p, data) {
    const fd = fs.openSync(p, fs.constants.O_WRONLY);
    try {
      fs.writeSync(fd, data);
    } finally {
      fs.closeSync(fd);
    }
  },
};

/** Writes a cgroup file, turning the kernel's refusals into BerthErrors that name the file and value. */
export function writeFile(cfs: CgroupFs, file: string, value: string | number): void {
  try {
    cfs.write(file, String(value));
  } catch (err) {
    const code = errnoCode(err);
    const what = `write ${JSON.stringify(String(value))} to ${file}: ${code ?? (err as Error).message}`;
    if (code === 'EINVAL' || code === 'ERANGE') throw invalidArgument(what, err);
    if (code === 'EBUSY') throw failedPrecondition(what, err);
    if (code === 'ENOENT') throw unavailable(what, err);
    throw internal(what, err);
  }
}

/** Reads a file, or returns undefined when it (or its cgroup) does not exist. */
export function readOptional(cfs: CgroupFs, file: string): string | undefined {
  try {
    return cfs.read(file);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENODEV') return undefined;
    throw err;
  }
}

/** Reads a number from a file; undefined when missing. */
export function readNumber(cfs: CgroupFs, file: string): number | undefined {
  const text = readOptional(cfs, file);
  if (text === undefined) return undefined;
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : undefined;
}

/** The pids listed in cgroup.procs of `dir` and every cgroup below it. */
export function subtreePids(cfs: CgroupFs, dir: string, into = new Set<number>()): Set<number> {
  const procs = readOptional(cfs, path.join(dir, 'cgroup.procs'));
  if (procs === undefined) return into;
  for (const line of procs.split('\n')) if (line.trim()) into.add(Number(line));
  let children: string[] = [];
  try {
    children = cfs.subdirs(dir);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
  for (const child of children) subtreePids(cfs, path.join(dir, child), into);
  return into;
}

/** Removes `dir` and the cgroups below it, deepest first. ENOENT is success; EBUSY (tasks left) propagates. */
export function removeTree(cfs: CgroupFs, dir: string): void {
  let children: string[];
  try {
    children = cfs.subdirs(dir);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    throw err;
  }
  for (const child of children) removeTree(cfs, path.join(dir, child));
  try {
    cfs.rmdir(dir);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
}

/** rmdir each level of `parts` below `base`, deepest first, stopping at the first that is not empty. */
export function removeEmptyLevels(cfs: CgroupFs, base: string, parts: readonly string[]): void {
  for (let n = parts.length; n > 0; n--) {
    try {
      cfs.rmdir(path.join(base, ...parts.slice(0, n)));
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT') continue;
      if (code === 'EBUSY' || code === 'ENOTEMPTY' || code === 'EEXIST') return;
      throw err;
    }
  }
}

/**
 * Creates each missing directory of `parts` below `base`. `before(dir)` runs
 * on each existing level before its child is made (v2: enable controllers);
 * `after(dir)` on each level below `base` once it exists (v1: cpuset).
 * Returns whether the deepest directory was created (false: it existed).
 */
export function mkdirLevels(
  cfs: CgroupFs,
  base: string,
  parts: readonly string[],
  hooks: { before?: (dir: string) => void; after?: (dir: string) => void } = {},
): boolean {
  let dir = base;
  let created = false;
  for (const part of parts) {
    hooks.before?.(dir);
    dir = path.join(dir, part);
    try {
      created = cfs.mkdir(dir);
    } catch (err) {
      throw unavailable(`cannot create cgroup ${dir}: ${errnoCode(err) ?? (err as Error).message}`, err);
    }
    hooks.after?.(dir);
  }
  return created;
}

/**
 * Polls `done` with a growing interval (1 ms up to 50 ms) until it returns
 * true; `step` runs before each check (e.g. to re-write a state file).
 * Throws unavailable with `what` after `timeoutMs`.
 */
export async function pollUntil(what: string, done: () => boolean, step?: () => void, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let interval = 1;
  for (;;) {
    step?.();
    if (done()) return;
    if (Date.now() > deadline) throw unavailable(`timed out after ${timeoutMs / 1000} s ${what}`);
    await sleep(interval);
    interval = Math.min(50, interval * 2);
  }
}

/** Checks that a cgroup name is one safe path component (ids) or a relative path of them (parents). */
export function checkName(what: 'id' | 'parent', name: string): string[] {
  const parts = name.split('/');
  const bad = (p: string) => p === '' || p === '.' || p === '..' || p.includes('\0') || p.includes('\n');
  if (parts.some(bad) || (what === 'id' && parts.length !== 1)) {
    throw invalidArgument(`invalid cgroup ${what} ${JSON.stringify(name)}: must be ${what === 'id' ? 'one path component' : 'a relative path'}`);
  }
  return parts;
}
