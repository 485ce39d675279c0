/**
 * Helpers for the tests that drive berth as a user does: the real CLI in a
 * child process against a throw-away store root, and file trees compared
 * field by field. Nothing here imports ava at run time, so bench/ uses it too.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createCipheriv, createHash } from 'node:crypto';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SkipFn, TestFn } from 'ava';
import { Engine } from '../../src/engine/engine.js';
import { loadNative } from '../../src/engine/native.js';

/** The repository root: dist/test/helpers → ../../.. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** What tempDir needs of an ava ExecutionContext; bench passes its own. */
export interface Teardowns {
  teardown(fn: () => void | Promise<void>): void;
}

/** A fresh directory under os.tmpdir(); on teardown anything mounted beneath it is unmounted, then it is removed. */
export function tempDir(t: Teardowns, prefix = 'berth-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => {
    unmountBeneath(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** A fresh, empty berth store root (berth creates its layout on first use). */
export function makeRoot(t: Teardowns): string {
  return tempDir(t, 'berth-root-');
}

/**
 * Lazily detaches every mount at or below `dir`, deepest first. Removing a
 * tree with a live overlay in it would walk into the image's layers.
 */
export function unmountBeneath(dir: string): void {
  const mountPoints = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8))))
    .filter((p) => p === dir || p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  if (mountPoints.length === 0) return;
  const native = loadNative();
  for (const p of mountPoints) native.umount2(p, native.MNT_DETACH);
}

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `bin/berth --root <root> args…` with stdin closed; for tests that need the process itself. */
export function berthProcess(root: string, ...args: string[]): ChildProcess {
  return spawnBerth([], root, args);
}

/**
 * berthProcess at the lowest CPU priority (nice 19; the pid is still berth's, nice execs it):
 * for a test that must act at a moment in its work, so that a busy machine slows berth
 * rather than the test watching it.
 */
export function berthProcessNiced(root: string, ...args: string[]): ChildProcess {
  return spawnBerth(['nice', '-n', '19'], root, args);
}

function spawnBerth(prefix: string[], root: string, args: string[]): ChildProcess {
  const [file, ...rest] = [...prefix, path.join(repoRoot, 'bin/berth')];
  return spawn(file, [...rest, '--root', root, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BERTH_ROOT: '', BERTH_DEBUG: '' },
  });
}

/** Resolves when `child` exits, with what it wrote. */
export function finished(child: ChildProcess): Promise<Result> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs the berth CLI against `root` and collects its exit code and output. */
export function berth(root: string, ...args: string[]): Promise<Result> {
  return finished(berthProcess(root, ...args));
}

/** Like berth(), but throws with berth's stderr unless it exits 0; returns stdout. */
export async function berthOk(root: string, ...args: string[]): Promise<string> {
  const r = await berth(root, ...args);
  if (r.code !== 0) throw new Error(`berth ${args.join(' ')} exited ${r.code ?? r.signal}: ${r.stderr}`);
  return r.stdout;
}

/** build/busybox-rootfs.tar, built by scripts/busybox-rootfs.sh if missing (into a private name, then renamed, so parallel test files don't collide). */
export function busyboxTar(): string {
  const file = path.join(repoRoot, 'build/busybox-rootfs.tar');
  if (!fs.existsSync(file)) {
    const mine = `${file}.${process.pid}`;
    execFileSync('bash', [path.join(repoRoot, 'scripts/busybox-rootfs.sh'), mine], { stdio: 'inherit' });
    fs.renameSync(mine, file);
  }
  return file;
}

/** Imports the busybox rootfs as `tag` the way setup.sh does; returns the image ID. */
export async function importBusybox(root: string, tag = 'busybox:latest'): Promise<string> {
  return (await berthOk(root, 'import', '--change', 'CMD ["sh"]', busyboxTar(), tag)).trim();
}

/**
 * Every entry below `dir` (not `dir` itself) as one line: path, type, mode
 * with setuid/setgid/sticky, owner, and per type the size and sha256 of a
 * file, the target of a symlink, rdev of a device, and for hard-linked files
 * the first path of their link group. Sorted, so two trees compare with
 * deepEqual. Times and directory sizes are left out: they differ by design.
 */
export function treeOf(dir: string): string[] {
  const lines: string[] = [];
  const firstPathOfInode = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
      const relPath = rel ? `${rel}/${name}` : name;
      const full = path.join(dir, relPath);
      const st = fs.lstatSync(full);
      const common = `${(st.mode & 0o7777).toString(8).padStart(4, '0')} ${st.uid}:${st.gid}`;
      if (st.isDirectory()) {
        lines.push(`${relPath} dir ${common}`);
        walk(relPath);
      } else if (st.isSymbolicLink()) {
        lines.push(`${relPath} symlink ${common} -> ${fs.readlinkSync(full)}`);
      } else if (st.isFile()) {
        const sum = createHash('sha256').update(fs.readFileSync(full)).digest('hex');
        let link = '';
        if (st.nlink > 1) {
          const key = `${st.dev}:${st.ino}`;
          if (!firstPathOfInode.has(key)) firstPathOfInode.set(key, relPath);
          link = ` hardlink-group=${firstPathOfInode.get(key)}`;
        }
        lines.push(`${relPath} file ${common} size=${st.size} sha256=${sum}${link}`);
      } else if (st.isCharacterDevice() || st.isBlockDevice()) {
        lines.push(`${relPath} ${st.isCharacterDevice() ? 'chardev' : 'blockdev'} ${common} rdev=${st.rdev}`);
      } else if (st.isFIFO()) {
        lines.push(`${relPath} fifo ${common}`);
      } else {
        lines.push(`${relPath} other ${common}`);
      }
    }
  };
  walk('');
  return lines.sort();
}

/** True if `name` is on PATH. */
export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { stdio: 'ignore' }).status === 0;
}

/** True if a docker (or podman) daemon answers. */
export function daemonAnswers(cli: 'docker' | 'podman'): boolean {
  // podman with runc where there is one: crun, its default elsewhere, refuses hybrid cgroup hosts
  const flags = cli === 'podman' && hasCommand('runc') ? ['--runtime', 'runc'] : [];
  return hasCommand(cli) && spawnSync(cli, [...flags, 'info'], { stdio: 'ignore', timeout: 20_000 }).status === 0;
}

/**
 * `test`, or `test.skip` with the reason printed (and put in the title) when
 * `missing` says what is missing.
 */
export function testIf(test: TestFn, missing: string | undefined): SkipFn {
  if (!missing) return test;
  console.log(`skipping: ${missing}`);
  const skip = (title: string, ...rest: unknown[]) =>
    (test.skip as (title: string, ...rest: unknown[]) => void)(`${title} [skipped: ${missing}]`, ...rest);
  return skip as SkipFn;
}

/** `test` when running as root with every command in `commands` installed; otherwise a visibly skipped test. */
export function requireRoot(test: TestFn, ...commands: string[]): SkipFn {
  const missing = [
    ...(process.getuid?.() === 0 ? [] : ['root (berth mounts overlays and chowns files)']),
    ...commands.filter((c) => !hasCommand(c)).map((c) => `${c} (not installed)`),
  ];
  return testIf(test, missing.length > 0 ? `needs ${missing.join(', ')}` : undefined);
}

/**
 * Mounts image `nameOrId` of the store at `root` read-only in a fresh temp
 * dir (unmounted on teardown) with the engine's own mount, and returns that dir.
 */
export function mountImage(t: Teardowns, root: string, nameOrId: string): string {
  const target = tempDir(t, 'berth-mnt-');
  const engine = Engine.open({ root });
  try {
    engine.images.mount(engine.images.resolve(nameOrId), target);
  } finally {
    engine.close();
  }
  return target;
}

/**
 * Writes `files` files of pseudo-random but deterministic content (seeded by
 * `seed`), `totalBytes` in all, below dir/<top>/ in 30 subdirectories, plus
 * a symlink and an executable per subdirectory. Returns dir.
 */
export function syntheticTree(dir: string, options: { top: string; files: number; totalBytes: number; seed: string }): string {
  const key = createHash('sha256').update(options.seed).digest();
  const stream = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const average = options.totalBytes / options.files;
  for (let i = 0; i < options.files; i++) {
    const sub = path.join(dir, options.top, `d${String(i % 30).padStart(2, '0')}`);
    if (i < 30) {
      fs.mkdirSync(sub, { recursive: true });
      fs.symlinkSync(`f${i}`, path.join(sub, 'first'));
    }
    // sizes spread between half and one and a half times the average
    const size = Math.floor(average * (0.5 + ((i * 7919) % 1000) / 1000));
    fs.writeFileSync(path.join(sub, `f${i}`), stream.update(Buffer.alloc(size)), { mode: i < 30 ? 0o755 : 0o644 });
  }
  return dir;
}

/** A reproducible uncompressed tar (a layer, or an archive) of `entries` (relative to `dir`). */
export function tarOf(out: string, dir: string, entries: string[]): string {
  execFileSync('tar', ['--sort=name', '--numeric-owner', '--owner=0', '--group=0', '--mtime=2024-01-01 00:00:00Z', '-C', dir, '-cf', out, ...entries]);
  return out;
}

export function sha256File(file: string): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return `sha256:${hash.digest('hex')}`;
}

/**
 * Writes a Docker archive (the blobs/sha256 layout of Docker 25+) of one
 * image made of the given uncompressed layer tars, tagged `tag`. Built with
 * tar(1) from hand-written JSON, so berth's own writer is not involved.
 * Returns the image ID (the config's digest).
 */
export function dockerArchive(out: string, options: { tag: string; layers: string[]; comment?: string }): string {
  const work = fs.mkdtempSync(path.join(path.dirname(out), '.archive-'));
  try {
    fs.mkdirSync(path.join(work, 'blobs/sha256'), { recursive: true });
    const diffIds = options.layers.map((layer) => {
      const digest = sha256File(layer);
      const blob = path.join(work, 'blobs/sha256', digest.slice(7));
      if (!fs.existsSync(blob)) fs.copyFileSync(layer, blob);
      return digest;
    });
    const created = '2024-01-01T00:00:00Z';
    const config = Buffer.from(
      JSON.stringify({
        architecture: process.arch === 'x64' ? 'amd64' : process.arch,
        os: 'linux',
        created,
        config: { Cmd: ['sh'] },
        rootfs: { type: 'layers', diff_ids: diffIds },
        history: diffIds.map(() => ({ created, created_by: 'test/helpers/berth.ts', comment: options.comment ?? '' })),
      }),
    );
    const id = `sha256:${createHash('sha256').update(config).digest('hex')}`;
    fs.writeFileSync(path.join(work, 'blobs/sha256', id.slice(7)), config);
    fs.writeFileSync(
      path.join(work, 'manifest.json'),
      JSON.stringify([{ Config: `blobs/sha256/${id.slice(7)}`, RepoTags: [options.tag], Layers: diffIds.map((d) => `blobs/sha256/${d.slice(7)}`) }]),
    );
    tarOf(out, work, ['manifest.json', 'blobs']);
    return id;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** A TCP port free on 127.0.0.1 just now (bound to 0, read, released). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
