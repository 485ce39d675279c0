import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { Digest } from '../src/engine/digest.js';
import { BerthError } from '../src/engine/errors.js';
import { loadNative, type Native } from '../src/engine/native.js';
import { applyLayer } from '../src/engine/layers/apply.js';

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.log('layer apply tests: skipped, they need root (chown, mknod, trusted.* xattrs, overlay mounts)');
const rootTest = isRoot ? test : test.skip;
const rootSerial = isRoot ? test.serial : test.serial.skip;

const hasZstd = (() => {
  try {
    execFileSync('zstd', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

// ---- helpers -------------------------------------------------------------------------------

/** A temp dir removed after the test, once the mounts made in it are gone. */
function scratch(t: ExecutionContext): { dir: string; mountOverlay(target: string, lowers: string[]): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-apply-test-'));
  const mounts: string[] = [];
  t.teardown(() => {
    const native = loadNative();
    for (const target of mounts.reverse()) native.umount2(target, native.MNT_DETACH);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    mountOverlay(target, lowers) {
      const native = loadNative();
      native.mount('overlay', target, 'overlay', native.MS_RDONLY, `lowerdir=${lowers.join(':')}`, '');
      mounts.push(target);
    },
  };
}

function run(command: string, args: string[], options: { cwd?: string } = {}): string {
  return execFileSync(command, args, { ...options, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

async function applyFile(file: string, dir: string, options: Parameters<typeof applyLayer>[2] = {}) {
  fs.mkdirSync(dir, { recursive: true });
  return applyLayer(fs.createReadStream(file), dir, options);
}

function sha256File(file: string): Digest {
  return `sha256:${createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`;
}

/** Writes a tar with python's tarfile: an independent writer, and one that will write hostile names. */
function pythonTar(file: string, spec: { format?: string; members: Member[] }): void {
  const script = `
import io, json, sys, tarfile
spec = json.load(sys.stdin)
formats = {'gnu': tarfile.GNU_FORMAT, 'pax': tarfile.PAX_FORMAT, 'ustar': tarfile.USTAR_FORMAT}
types = {'file': tarfile.REGTYPE, 'dir': tarfile.DIRTYPE, 'symlink': tarfile.SYMTYPE, 'hardlink': tarfile.LNKTYPE,
         'chardev': tarfile.CHRTYPE, 'blockdev': tarfile.BLKTYPE, 'fifo': tarfile.FIFOTYPE}
with tarfile.open(sys.argv[1], 'w', format=formats[spec.get('format', 'pax')]) as out:
    for m in spec['members']:
        info = tarfile.TarInfo(m['name'])
        info.type = types[m.get('type', 'file')]
        info.linkname = m.get('linkname', '')
        info.mode = m.get('mode', 0o755 if info.type == tarfile.DIRTYPE else 0o644)
        info.uid, info.gid = m.get('uid', 0), m.get('gid', 0)
        info.mtime = m.get('mtime', 1700000000)
        info.devmajor, info.devminor = m.get('devmajor', 0), m.get('devminor', 0)
        info.pax_headers = m.get('pax', {})
        data = b'\\0' * m['zeros'] if 'zeros' in m else m.get('data', '').encode()
        if info.type == tarfile.REGTYPE:
            info.size = len(data)
        out.addfile(info, io.BytesIO(data) if info.type == tarfile.REGTYPE else None)
`;
  execFileSync('python3', ['-c', script, file], { input: JSON.stringify(spec) });
}

interface Member {
  name: string;
  type?: 'file' | 'dir' | 'symlink' | 'hardlink' | 'chardev' | 'blockdev' | 'fifo';
  linkname?: string;
  data?: string;
  zeros?: number;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  devmajor?: number;
  devminor?: number;
  pax?: Record<string, string>;
}

/** What a tree looks like, compared name by name. */
interface NodeInfo {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  content?: string;
  target?: string;
  device?: string;
  xattrs: Record<string, string>;
  /** for non-directories: every visible name sharing this inode, this one included */
  sameInode?: string[];
}

function typeOf(stat: fs.Stats): string {
  if (stat.isFile()) return 'file';
  if (stat.isDirectory()) return 'dir';
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isCharacterDevice()) return 'chardev';
  if (stat.isBlockDevice()) return 'blockdev';
  if (stat.isFIFO()) return 'fifo';
  return 'other';
}

function deviceNumbers(rdev: number): string {
  const major = ((rdev >> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
  const minor = (rdev & 0xff) | ((rdev >> 12) & ~0xff);
  return `${major},${minor}`;
}

function snapshot(root: string, native: Native): Map<string, NodeInfo> {
  const nodes = new Map<string, NodeInfo>();
  const byInode = new Map<number, string[]>();
  const visit = (rel: string) => {
    const abs = rel === '' ? root : path.join(root, rel);
    const stat = fs.lstatSync(abs);
    const xattrs: Record<string, string> = {};
    for (const name of native.llistxattr(abs).sort()) {
      if (name.startsWith('trusted.overlay.')) continue; // overlayfs's own bookkeeping
      xattrs[name] = native.lgetxattr(abs, name)!.toString('hex');
    }
    const info: NodeInfo = {
      type: typeOf(stat),
      mode: stat.mode & 0o7777,
      uid: stat.uid,
      gid: stat.gid,
      mtime: Math.floor(stat.mtimeMs / 1000),
      xattrs,
    };
    if (stat.isFile()) info.content = createHash('sha256').update(fs.readFileSync(abs)).digest('hex');
    if (stat.isSymbolicLink()) info.target = fs.readlinkSync(abs);
    if (stat.isCharacterDevice() || stat.isBlockDevice()) info.device = deviceNumbers(stat.rdev);
    if (!stat.isDirectory()) byInode.set(stat.ino, [...(byInode.get(stat.ino) ?? []), rel]);
    nodes.set(rel, info);
    if (stat.isDirectory()) for (const name of fs.readdirSync(abs)) visit(rel === '' ? name : `${rel}/${name}`);
  };
  visit('');
  for (const names of byInode.values()) for (const name of names) nodes.get(name)!.sameInode = [...names].sort();
  return nodes;
}

function compareTrees(t: ExecutionContext, actual: Map<string, NodeInfo>, expected: Map<string, NodeInfo>): void {
  const missing = [...expected.keys()].filter((k) => !actual.has(k));
  const extra = [...actual.keys()].filter((k) => !expected.has(k));
  t.deepEqual(missing, [], 'names missing from the merged view');
  t.deepEqual(extra, [], 'names the merged view should not have');
  const differences: string[] = [];
  for (const [name, want] of expected) {
    const got = actual.get(name);
    if (got && JSON.stringify(got) !== JSON.stringify(want)) {
      differences.push(`${name || '/'}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    }
  }
  t.deepEqual(differences, []);
}

/** A file capability (VFS_CAP_REVISION_2, effective) granting CAP_NET_BIND_SERVICE. */
const NET_BIND_CAPABILITY = (() => {
  const value = Buffer.alloc(20);
  value.writeUInt32LE(0x02000001, 0);
  value.writeUInt32LE(1 << 10, 4);
  return value;
})();

// ---- the acceptance test -------------------------------------------------------------------

/** The image's first state: every kind of entry a layer can hold. */
function buildV1(root: string, native: Native): void {
  const at = (rel: string) => path.join(root, rel);
  const dir = (rel: string, mode = 0o755, uid = 0, gid = 0) => {
    fs.mkdirSync(at(rel), { recursive: true });
    fs.lchownSync(at(rel), uid, gid);
    fs.chmodSync(at(rel), mode);
  };
  const file = (rel: string, content: string, mode = 0o644, uid = 0, gid = 0) => {
    fs.writeFileSync(at(rel), content);
    fs.lchownSync(at(rel), uid, gid);
    fs.chmodSync(at(rel), mode);
  };
  const node = (rel: string, kind: number, major: number, minor: number, mode: number, gid = 0) => {
    native.mknod(at(rel), kind | mode, major, minor);
    fs.lchownSync(at(rel), 0, gid);
    fs.chmodSync(at(rel), mode);
  };
  fs.chmodSync(root, 0o755);
  dir('etc');
  file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\n');
  file('etc/shadow', 'root:*:19000:0:99999:7:::\n', 0o640, 0, 42);
  file('etc/motd', 'hello v1\n');
  dir('etc/config.d');
  file('etc/config.d/a.conf', 'a=1\n');
  file('etc/config.d/b.conf', 'b=1\n');
  dir('usr/bin');
  dir('usr/lib');
  file('usr/bin/su', 'su-binary', 0o4755);
  file('usr/bin/tool', 'tool-binary', 0o755);
  native.lsetxattr(at('usr/bin/tool'), 'user.comment', Buffer.from('a tool'));
  native.lsetxattr(at('usr/bin/tool'), 'security.capability', NET_BIND_CAPABILITY);
  file('usr/lib/libfoo.so.1', 'libfoo 1');
  fs.symlinkSync('libfoo.so.1', at('usr/lib/libfoo.so'));
  fs.symlinkSync('usr/bin', at('bin'));
  dir('data', 0o2775, 0, 50);
  file('data/hard1', 'shared content');
  fs.linkSync(at('data/hard1'), at('data/hard2'));
  dir('dev');
  node('dev/null', native.S_IFCHR, 1, 3, 0o666);
  node('dev/sda', native.S_IFBLK, 8, 0, 0o660, 6);
  node('dev/initctl', native.S_IFIFO, 0, 0, 0o600);
  dir('tmp', 0o1777);
  dir('home/user', 0o700, 1000, 1000);
  file('home/user/.profile', 'export PS1=$\n', 0o600, 1000, 1000);
  native.lsetxattr(at('home/user'), 'user.quota', Buffer.from('10G'));
  dir('cache/sub');
  file('cache/old1', 'old');
  file('cache/sub/old2', 'old');
  dir('gone/deeper');
  file('gone/deeper/file', 'bye');
  file('replaced-file', 'I become a directory');
  dir('replaced-dir');
  file('replaced-dir/child', 'I go away with my directory');
  dir('many');
  for (let i = 0; i < 3000; i++) file(`many/f${String(i).padStart(4, '0')}`, `file ${i}\n`);
}

/**
 * Records changes made to v2 as an overlay diff directory would hold them:
 * changed entries copied whole, deletions as `.wh.` files, a replaced directory
 * as `.wh..wh..opq`, and every directory on the way with v2's metadata.
 */
class DiffBuilder {
  constructor(
    private readonly v2: string,
    private readonly diff: string,
    private readonly native: Native,
  ) {
    fs.mkdirSync(diff);
  }

  /** Copies `rel` from v2 (a whole tree, for a directory), hardlinks within it kept. */
  copy(rel: string): void {
    fs.mkdirSync(path.join(this.diff, path.dirname(rel)), { recursive: true });
    run('cp', ['-a', path.join(this.v2, rel), path.join(this.diff, rel)]);
  }

  whiteout(rel: string): void {
    fs.mkdirSync(path.join(this.diff, path.dirname(rel)), { recursive: true });
    fs.writeFileSync(path.join(this.diff, path.dirname(rel), `.wh.${path.basename(rel)}`), '');
  }

  opaque(rel: string): void {
    fs.mkdirSync(path.join(this.diff, rel), { recursive: true });
    fs.writeFileSync(path.join(this.diff, rel, '.wh..wh..opq'), '');
  }

  /** Gives every directory in the diff the metadata of its v2 counterpart, deepest first (mtimes last). */
  finish(): void {
    const dirs: string[] = [];
    const walk = (rel: string) => {
      dirs.push(rel);
      for (const entry of fs.readdirSync(path.join(this.diff, rel), { withFileTypes: true })) {
        if (entry.isDirectory()) walk(path.join(rel, entry.name));
      }
    };
    walk('.');
    for (const rel of dirs.reverse()) {
      const from = path.join(this.v2, rel);
      const to = path.join(this.diff, rel);
      const stat = fs.lstatSync(from);
      fs.lchownSync(to, stat.uid, stat.gid);
      fs.chmodSync(to, stat.mode & 0o7777);
      for (const name of this.native.llistxattr(from)) this.native.lsetxattr(to, name, this.native.lgetxattr(from, name)!);
      fs.utimesSync(to, stat.atime, stat.mtime);
    }
  }
}

/** Changes v1 (copied to v2) into the final state, recording the layer diff as it goes. */
function buildV2AndDiff(v1: string, v2: string, diffDir: string, native: Native): void {
  run('cp', ['-a', v1, v2]);
  const at = (rel: string) => path.join(v2, rel);
  const diff = new DiffBuilder(v2, diffDir, native);

  fs.writeFileSync(at('etc/motd'), 'hello v2, now longer\n');
  diff.copy('etc/motd');
  native.lsetxattr(at('etc/passwd'), 'user.changed', Buffer.from('in v2'));
  diff.copy('etc/passwd');
  fs.rmSync(at('etc/config.d/b.conf'));
  diff.whiteout('etc/config.d/b.conf');

  fs.writeFileSync(at('usr/lib/libfoo.so.2'), 'libfoo 2');
  fs.rmSync(at('usr/lib/libfoo.so'));
  fs.symlinkSync('libfoo.so.2', at('usr/lib/libfoo.so'));
  diff.copy('usr/lib/libfoo.so.2');
  diff.copy('usr/lib/libfoo.so');
  fs.chmodSync(at('usr/bin/tool'), 0o700);
  diff.copy('usr/bin/tool');
  fs.writeFileSync(at('usr/bin/newsu'), 'new setuid');
  fs.chmodSync(at('usr/bin/newsu'), 0o4711);
  fs.writeFileSync(at('usr/bin/wall'), 'setgid tty');
  fs.lchownSync(at('usr/bin/wall'), 0, 5);
  fs.chmodSync(at('usr/bin/wall'), 0o2755);
  diff.copy('usr/bin/newsu');
  diff.copy('usr/bin/wall');

  fs.rmSync(at('cache'), { recursive: true });
  fs.mkdirSync(at('cache/fresh'), { recursive: true });
  fs.chmodSync(at('cache'), 0o750);
  fs.lchownSync(at('cache'), 33, 33);
  fs.writeFileSync(at('cache/new'), 'new cache');
  fs.writeFileSync(at('cache/fresh/inner'), 'inner');
  diff.opaque('cache');
  diff.copy('cache/new');
  diff.copy('cache/fresh');

  fs.rmSync(at('gone'), { recursive: true });
  diff.whiteout('gone');
  fs.rmSync(at('data/hard2'));
  diff.whiteout('data/hard2');

  fs.rmSync(at('many/f0100'));
  diff.whiteout('many/f0100');
  fs.writeFileSync(at('many/f0200'), 'changed\n');
  diff.copy('many/f0200');
  fs.writeFileSync(at('many/extra'), 'extra\n');
  diff.copy('many/extra');

  fs.rmSync(at('replaced-file'));
  fs.mkdirSync(at('replaced-file'));
  fs.writeFileSync(at('replaced-file/child'), 'now a directory');
  diff.copy('replaced-file');
  fs.rmSync(at('replaced-dir'), { recursive: true });
  fs.symlinkSync('etc', at('replaced-dir'));
  diff.copy('replaced-dir');

  fs.mkdirSync(at('newdata'));
  fs.writeFileSync(at('newdata/l1'), 'linked in layer 2');
  fs.linkSync(at('newdata/l1'), at('newdata/l2'));
  diff.copy('newdata');
  native.mknod(at('dev/zero'), native.S_IFCHR | 0o666, 1, 5);
  fs.chmodSync(at('dev/zero'), 0o666);
  diff.copy('dev/zero');

  const longDir = `${'deep-directory-name/'.repeat(8)}end`;
  fs.mkdirSync(at(longDir), { recursive: true });
  fs.writeFileSync(at(`${longDir}/${'a-file-with-a-long-name-'.repeat(4)}`), 'long');
  diff.copy('deep-directory-name');

  diff.finish();
}

rootTest('unpacking is exact: the merged overlay view of two applied layers equals the flattened filesystem', async (t) => {
  const { dir, mountOverlay } = scratch(t);
  const native = loadNative();
  const v1 = path.join(dir, 'v1');
  const v2 = path.join(dir, 'v2');
  const diff = path.join(dir, 'diff');
  fs.mkdirSync(v1);
  buildV1(v1, native);
  buildV2AndDiff(v1, v2, diff, native);

  const layer1 = path.join(dir, 'layer1.tar');
  const layer2 = path.join(dir, 'layer2.tar');
  const tarFlags = ['--xattrs', '--xattrs-include=*', '--numeric-owner'];
  run('tar', ['--format=posix', '--pax-option=delete=atime,delete=ctime', ...tarFlags, '-cf', layer1, '-C', v1, '.']);
  run('tar', ['--format=gnu', ...tarFlags, '-cf', layer2, '-C', diff, '.']);

  const applied1 = await applyFile(layer1, path.join(dir, 'l1'));
  const applied2 = await applyFile(layer2, path.join(dir, 'l2'));
  t.is(applied1.diffId, sha256File(layer1));
  t.is(applied2.diffId, sha256File(layer2));
  const contentBytes = (root: string) => {
    let total = 0;
    const seen = new Set<number>();
    for (const [rel, node] of snapshot(root, native)) {
      const stat = fs.lstatSync(path.join(root, rel));
      // Docker's layer size: regular files (hardlinks once) and symlinks (their target's length)
      if ((node.type === 'file' && !seen.has(stat.ino)) || node.type === 'symlink') total += stat.size;
      seen.add(stat.ino);
    }
    return total;
  };
  t.is(applied1.size, contentBytes(v1));
  t.is(applied2.size, contentBytes(diff));

  // The applied layers themselves hold overlayfs whiteouts and the opaque marker.
  const whiteout = fs.lstatSync(path.join(dir, 'l2/etc/config.d/b.conf'));
  t.true(whiteout.isCharacterDevice());
  t.is(whiteout.rdev, 0);
  t.deepEqual(native.lgetxattr(path.join(dir, 'l2/cache'), 'trusted.overlay.opaque'), Buffer.from('y'));
  t.false(fs.existsSync(path.join(dir, 'l2/cache/.wh..wh..opq')));

  const merged = path.join(dir, 'merged');
  fs.mkdirSync(merged);
  mountOverlay(merged, [path.join(dir, 'l2'), path.join(dir, 'l1')]);
  const expected = snapshot(v2, native);
  t.true(expected.size > 3000);
  compareTrees(t, snapshot(merged, native), expected);
  // Spot checks that the comparison saw what matters.
  t.deepEqual(expected.get('newdata/l1')?.sameInode, ['newdata/l1', 'newdata/l2']);
  t.is(expected.get('usr/bin/newsu')?.mode, 0o4711);
  t.is(expected.get('dev/zero')?.device, '1,5');
  t.truthy(expected.get('usr/bin/tool')?.xattrs['security.capability']);
});

rootTest('a gzip or zstd copy of a layer has the DiffID of the plain tar and unpacks the same', async (t) => {
  const { dir } = scratch(t);
  const native = loadNative();
  const src = path.join(dir, 'src');
  fs.mkdirSync(src);
  buildV1(src, native);
  const plain = path.join(dir, 'layer.tar');
  run('tar', ['--xattrs', '--xattrs-include=*', '--numeric-owner', '-cf', plain, '-C', src, '.']);
  run('gzip', ['-k', plain]);
  const expected = await applyFile(plain, path.join(dir, 'plain'));
  t.is(expected.diffId, sha256File(plain));
  const fromGzip = await applyFile(`${plain}.gz`, path.join(dir, 'gzip'));
  t.deepEqual(fromGzip, expected);
  compareTrees(t, snapshot(path.join(dir, 'gzip'), native), snapshot(path.join(dir, 'plain'), native));
  if (!hasZstd) {
    t.log('zstd not installed: zstd layers not checked');
    return;
  }
  run('zstd', ['-q', plain, '-o', `${plain}.zst`]);
  t.deepEqual(await applyFile(`${plain}.zst`, path.join(dir, 'zstd')), expected);
});

// ---- hostile layers ------------------------------------------------------------------------

interface HostileCase {
  title: string;
  /** builds the layer file in `dir`, given where the host's things are */
  build(file: string, host: HostPlaces): void;
  expected: RegExp;
  maxBytes?: number;
}

interface HostPlaces {
  /** an existing directory outside the layer */
  hostDir: string;
  /** an existing file outside the layer */
  hostFile: string;
  /** a path that must never come into existence */
  absent: string;
}

function tarOf(members: (host: HostPlaces) => Member[]): HostileCase['build'] {
  return (file, host) => pythonTar(file, { members: members(host) });
}

const hostileCases: HostileCase[] = [
  {
    title: 'a ../ path',
    build: tarOf(() => [{ name: '../escaped', data: 'x' }]),
    expected: /^layer entry "\.\.\/escaped": path escapes the layer$/,
  },
  {
    title: 'a .. component inside a path',
    build: tarOf(() => [{ name: 'a/../../escaped', data: 'x' }]),
    expected: /^layer entry "a\/\.\.\/\.\.\/escaped": path escapes the layer$/,
  },
  {
    title: 'an absolute path',
    build: tarOf((host) => [{ name: host.absent, data: 'x' }]),
    expected: /: path is absolute and escapes the layer$/,
  },
  {
    title: 'a symlink to / and then a file through it',
    build: tarOf((host) => [
      { name: 'root', type: 'symlink', linkname: '/' },
      { name: `root${host.hostDir}/pwned`, data: 'x' },
    ]),
    expected: /^layer entry "root\/.*\/pwned": path traverses a symlink \("root"\)$/,
  },
  {
    title: 'a symlink to .. and then a file through it',
    build: tarOf(() => [
      { name: 'up', type: 'symlink', linkname: '..' },
      { name: 'up/escaped', data: 'x' },
    ]),
    expected: /traverses a symlink/,
  },
  {
    title: 'a symlink and then a directory, a device, a hardlink name, a whiteout and an opaque marker through it',
    build: (file, host) => {
      // Each of these would touch hostDir if followed; the first one must already stop the layer.
      for (const through of [
        { name: 'l/sub', type: 'dir' as const },
        { name: 'l/null', type: 'chardev' as const, devmajor: 1, devminor: 3 },
        { name: 'l/hard', type: 'hardlink' as const, linkname: 'file' },
        { name: 'l/.wh.inside' },
        { name: 'l/.wh..wh..opq' },
      ]) {
        pythonTar(`${file}.${path.basename(through.name)}`, {
          members: [{ name: 'file', data: 'x' }, { name: 'l', type: 'symlink', linkname: host.hostDir }, through],
        });
      }
    },
    expected: /traverses a symlink/,
  },
  {
    title: 'a hardlink to an absolute host file',
    build: tarOf((host) => [{ name: 'hl', type: 'hardlink', linkname: host.hostFile }]),
    expected: /^layer entry "hl": hardlink target is absolute and escapes the layer$/,
  },
  {
    title: 'a hardlink to a host file by ..',
    build: tarOf(() => [{ name: 'hl', type: 'hardlink', linkname: '../../host-file' }]),
    expected: /^layer entry "hl": hardlink target escapes the layer$/,
  },
  {
    title: 'a hardlink to a name the layer does not have',
    build: tarOf(() => [{ name: 'hl', type: 'hardlink', linkname: 'etc/nothere' }]),
    expected: /^layer entry "hl": "etc" is not in the layer$/,
  },
  {
    title: 'a hardlink through a symlink to a host file',
    build: tarOf((host) => [
      { name: 'h', type: 'symlink', linkname: host.hostDir },
      { name: 'x', type: 'hardlink', linkname: 'h/inside' },
    ]),
    expected: /^layer entry "x": path traverses a symlink \("h"\)$/,
  },
  {
    title: 'a whiteout naming ..',
    build: tarOf(() => [{ name: '.wh...', data: '' }]),
    expected: /^layer entry "\.wh\.\.\.": whiteout names an invalid path$/,
  },
  {
    title: 'a whiteout naming .',
    build: tarOf(() => [{ name: 'sub/.wh..', data: '' }]),
    expected: /whiteout names an invalid path/,
  },
  {
    title: 'a file replaced by a symlink and then written through',
    build: tarOf((host) => [
      { name: 'a', data: 'x' },
      { name: 'a', type: 'symlink', linkname: host.hostDir },
      { name: 'a/pwned', data: 'x' },
    ]),
    expected: /^layer entry "a\/pwned": path traverses a symlink \("a"\)$/,
  },
  {
    title: 'a directory replaced by a symlink and then written through (the checked-directory cache)',
    build: tarOf((host) => [
      { name: 'd', type: 'dir' },
      { name: 'd/x', data: 'x' },
      { name: 'd', type: 'symlink', linkname: host.hostDir },
      { name: 'd/y', data: 'x' },
    ]),
    expected: /^layer entry "d\/y": path traverses a symlink \("d"\)$/,
  },
  {
    title: 'a NUL byte in a name',
    build: tarOf(() => [{ name: 'x', data: 'x', pax: { path: 'a\0b' } }]),
    expected: /^layer entry "a\\u0000b": path contains a NUL byte$/,
  },
  {
    title: 'a tar bomb beyond maxBytes',
    build: tarOf(() => [{ name: 'big', zeros: 2 * 1024 * 1024 }]),
    maxBytes: 1024 * 1024,
    expected: /^uncompressed size exceeds the limit of 1\.0 MiB$/,
  },
  {
    title: 'a gzip bomb beyond maxBytes',
    build: (file) => {
      pythonTar(`${file}.tar`, { members: [{ name: 'big', zeros: 8 * 1024 * 1024 }] });
      fs.writeFileSync(file, execFileSync('gzip', ['-c', `${file}.tar`]));
      fs.rmSync(`${file}.tar`);
    },
    maxBytes: 1024 * 1024,
    expected: /^uncompressed size exceeds the limit of 1\.0 MiB$/,
  },
  {
    title: 'a truncated archive',
    build: (file) => {
      pythonTar(file, { members: [{ name: 'a', data: 'a'.repeat(5000) }] });
      fs.truncateSync(file, 3000);
    },
    expected: /^invalid tar archive: unexpected end of data in entry data at offset 512$/,
  },
  {
    title: 'a corrupt header',
    build: (file) => {
      pythonTar(file, { members: [{ name: 'a', data: 'a' }, { name: 'b', data: 'b' }] });
      const bytes = fs.readFileSync(file);
      bytes[1024 + 5] ^= 0x01;
      fs.writeFileSync(file, bytes);
    },
    expected: /^invalid tar archive: bad header checksum at offset 1024$/,
  },
  {
    title: 'truncated gzip data',
    build: (file) => {
      pythonTar(`${file}.tar`, { members: [{ name: 'a', data: 'abc'.repeat(100000) }] });
      const gz = execFileSync('gzip', ['-c', `${file}.tar`]);
      fs.writeFileSync(file, gz.subarray(0, gz.length - 100));
      fs.rmSync(`${file}.tar`);
    },
    expected: /^corrupt gzip data \(unexpected end of file\)$/,
  },
];

/** Everything in the sandbox outside the layer: names, types, sizes, modes and contents. */
function outsideState(sandbox: string, layer: string, native: Native): string {
  const lines: string[] = [];
  const visit = (abs: string) => {
    if (abs === layer) return;
    const stat = fs.lstatSync(abs);
    const xattrs = native.llistxattr(abs).join(',');
    let content = '';
    if (stat.isFile()) content = fs.readFileSync(abs, 'utf8');
    if (stat.isSymbolicLink()) content = fs.readlinkSync(abs);
    lines.push(`${path.relative(sandbox, abs)} ${typeOf(stat)} ${stat.mode.toString(8)} ${stat.uid}:${stat.gid} ${stat.nlink} [${xattrs}] ${content}`);
    if (stat.isDirectory()) for (const name of fs.readdirSync(abs).sort()) visit(path.join(abs, name));
  };
  visit(sandbox);
  return lines.join('\n');
}

for (const hostile of hostileCases) {
  rootTest(`refuses a hostile layer: ${hostile.title}`, async (t) => {
    const { dir } = scratch(t);
    const native = loadNative();
    // sandbox/parent/layer is where the layer goes; everything else must stay as it is.
    const sandbox = path.join(dir, 'sandbox');
    const parent = path.join(sandbox, 'parent');
    const hostDir = path.join(sandbox, 'host-dir');
    const hostFile = path.join(sandbox, 'host-file');
    fs.mkdirSync(parent, { recursive: true });
    fs.mkdirSync(hostDir);
    fs.writeFileSync(path.join(hostDir, 'inside'), 'host data');
    fs.writeFileSync(path.join(parent, 'sentinel'), 'untouched');
    fs.writeFileSync(hostFile, 'host secret');
    const absent = path.join(os.tmpdir(), `berth-escape-${path.basename(dir)}`);
    const host = { hostDir, hostFile, absent };
    const file = path.join(dir, 'hostile.layer');
    hostile.build(file, host);
    const layerFiles = fs.existsSync(file) ? [file] : fs.readdirSync(dir).filter((n) => n.startsWith('hostile.layer.')).map((n) => path.join(dir, n));
    t.true(layerFiles.length > 0);

    for (const layerFile of layerFiles) {
      const layer = path.join(parent, 'layer');
      fs.rmSync(layer, { recursive: true, force: true });
      fs.mkdirSync(layer);
      const before = outsideState(sandbox, layer, native);
      const err = await t.throwsAsync(applyFile(layerFile, layer, { maxBytes: hostile.maxBytes }));
      t.true(err instanceof BerthError, `${path.basename(layerFile)}: ${err?.stack}`);
      t.is((err as BerthError).kind, 'invalid-argument', err?.message);
      t.regex(err!.message, hostile.expected);
      t.false(err!.message.includes('\n'));
      t.is(outsideState(sandbox, layer, native), before, `${path.basename(layerFile)} changed something outside the layer`);
      t.false(fs.existsSync(absent));
      t.false(fs.existsSync(path.join(sandbox, 'escaped')));
    }
  });
}

rootTest('entries that replace symlinks never write through them', async (t) => {
  const { dir } = scratch(t);
  const native = loadNative();
  const sandbox = path.join(dir, 'sandbox');
  const layer = path.join(sandbox, 'layer');
  const hostDir = path.join(sandbox, 'host-dir');
  const hostFile = path.join(sandbox, 'host-file');
  fs.mkdirSync(layer, { recursive: true });
  fs.mkdirSync(hostDir, { mode: 0o755 });
  fs.writeFileSync(hostFile, 'host secret', { mode: 0o644 });
  const file = path.join(dir, 'layer.tar');
  pythonTar(file, {
    members: [
      { name: 's', type: 'symlink', linkname: hostDir },
      { name: 's', type: 'dir', mode: 0o700, uid: 1234 }, // must not chmod/chown hostDir
      { name: 'f', type: 'symlink', linkname: hostFile },
      { name: 'f', data: 'overwritten?' }, // must not write hostFile
      { name: 'm', type: 'symlink', linkname: hostFile, mode: 0o600, uid: 4321, pax: { 'SCHILY.xattr.trusted.t': 'on the link' } },
      { name: 'g', type: 'symlink', linkname: hostFile },
      { name: 'g-hard', type: 'hardlink', linkname: 'g' }, // links the symlink, not hostFile
      { name: 'w', type: 'symlink', linkname: hostFile },
      { name: '.wh.w', data: '' }, // replaces the link with a whiteout
    ],
  });
  const before = outsideState(sandbox, layer, native);
  await applyFile(file, layer);
  t.is(outsideState(sandbox, layer, native), before);
  t.like(fs.lstatSync(path.join(layer, 's')), { uid: 1234, mode: 0o40700 });
  t.true(fs.lstatSync(path.join(layer, 'f')).isFile());
  t.is(fs.readFileSync(path.join(layer, 'f'), 'utf8'), 'overwritten?');
  const m = fs.lstatSync(path.join(layer, 'm'));
  t.true(m.isSymbolicLink());
  t.is(m.uid, 4321);
  t.deepEqual(native.lgetxattr(path.join(layer, 'm'), 'trusted.t'), Buffer.from('on the link'));
  t.is(fs.lstatSync(path.join(layer, 'g-hard')).ino, fs.lstatSync(path.join(layer, 'g')).ino);
  t.true(fs.lstatSync(path.join(layer, 'g-hard')).isSymbolicLink());
  t.true(fs.lstatSync(path.join(layer, 'w')).isCharacterDevice());
});

// ---- overlay details -----------------------------------------------------------------------

rootTest('whiteouts, opaque markers and AUFS bookkeeping', async (t) => {
  const { dir } = scratch(t);
  const layer = path.join(dir, 'layer');
  const file = path.join(dir, 'layer.tar');
  pythonTar(file, {
    members: [
      { name: 'fresh/.wh..wh..opq', data: '' }, // its directory was never listed
      { name: 'kept', type: 'dir', mode: 0o711 },
      { name: 'kept/.wh..wh..opq', data: '' },
      { name: 'kept/child', data: 'stays' },
      { name: 'replace-me', data: 'will be hidden' },
      { name: '.wh.replace-me', data: '' },
      { name: 'implied/dirs/.wh.gone', data: '' },
      { name: '.wh..wh.plnk', type: 'dir' },
      { name: '.wh..wh.plnk/1234.5678', data: 'aufs hardlink bookkeeping' },
      { name: '.wh..wh.aufs', data: '' },
      { name: 'kept/.wh..wh.orph', data: '' },
      { name: 'x', data: 'x', pax: { 'SCHILY.xattr.trusted.overlay.redirect': '/elsewhere', 'SCHILY.xattr.user.ok': 'fine' } },
    ],
  });
  const calls: string[] = [];
  const real = loadNative();
  const recording: Native = {
    ...real,
    mknod: (p, mode, major, minor) => {
      real.mknod(p, mode, major, minor);
      calls.push(`mknod ${path.relative(layer, String(p))} ${mode.toString(8)} ${major},${minor}`);
    },
    lsetxattr: (p, name, value) => {
      real.lsetxattr(p, name, value);
      calls.push(`lsetxattr ${path.relative(layer, String(p))} ${name}=${value}`);
    },
  };
  await applyFile(file, layer, { native: recording });
  t.deepEqual(calls, [
    'lsetxattr fresh trusted.overlay.opaque=y',
    'lsetxattr kept trusted.overlay.opaque=y',
    `mknod replace-me ${real.S_IFCHR.toString(8)} 0,0`,
    `mknod implied/dirs/gone ${real.S_IFCHR.toString(8)} 0,0`,
    'lsetxattr x user.ok=fine',
  ]);
  t.deepEqual(fs.readdirSync(layer).sort(), ['fresh', 'implied', 'kept', 'replace-me', 'x']);
  t.deepEqual(fs.readdirSync(path.join(layer, 'kept')), ['child']);
  t.is(fs.lstatSync(path.join(layer, 'kept')).mode & 0o7777, 0o711);
  for (const implied of ['fresh', 'implied', 'implied/dirs']) {
    t.like(fs.lstatSync(path.join(layer, implied)), { mode: 0o40755, uid: 0, gid: 0 }, implied);
  }
  t.is(real.lgetxattr(path.join(layer, 'x'), 'trusted.overlay.redirect'), null);
});

rootTest('metadata: owners, special modes, device numbers, directory mtimes set after their children', async (t) => {
  const { dir } = scratch(t);
  const layer = path.join(dir, 'layer');
  const file = path.join(dir, 'layer.tar');
  pythonTar(file, {
    format: 'gnu',
    members: [
      { name: './', type: 'dir', mode: 0o755, mtime: 1000 },
      { name: 'd', type: 'dir', mode: 0o3770, uid: 7, gid: 8, mtime: 2000 },
      { name: 'd/suid', data: 'x', mode: 0o4750, uid: 9, gid: 10, mtime: 3000 },
      { name: 'd/sub', type: 'dir', mode: 0o700, mtime: 4000 },
      { name: 'd/sub/file', data: 'y', mtime: 5000 },
      { name: 'd/null', type: 'chardev', devmajor: 1, devminor: 3, mode: 0o666, mtime: 6000 },
      { name: 'd/loop', type: 'blockdev', devmajor: 7, devminor: 300, mode: 0o660, gid: 6 },
      { name: 'd/fifo', type: 'fifo', mode: 0o620 },
      { name: 'd/link', type: 'symlink', linkname: 'suid', uid: 11, mtime: 7000 },
      { name: 'd', type: 'dir', mode: 0o750, uid: 12, gid: 13, mtime: 8000 }, // a directory over a directory
    ],
  });
  const { size } = await applyFile(file, layer);
  t.is(size, 2 + 'suid'.length); // two file bytes and the symlink's target
  const stat = (rel: string) => fs.lstatSync(path.join(layer, rel));
  t.like(stat(''), { mode: 0o40755, mtimeMs: 1000_000 });
  t.like(stat('d'), { mode: 0o40750, uid: 12, gid: 13, mtimeMs: 8000_000 });
  t.like(stat('d/suid'), { mode: 0o104750, uid: 9, gid: 10, mtimeMs: 3000_000 });
  t.like(stat('d/sub'), { mode: 0o40700, mtimeMs: 4000_000 });
  t.like(stat('d/sub/file'), { mtimeMs: 5000_000 });
  t.true(stat('d/null').isCharacterDevice());
  t.like(stat('d/null'), { mode: 0o20666, mtimeMs: 6000_000 });
  t.is(deviceNumbers(stat('d/null').rdev), '1,3');
  t.is(deviceNumbers(stat('d/loop').rdev), '7,300');
  t.like(stat('d/loop'), { mode: 0o60660, gid: 6 });
  t.like(stat('d/fifo'), { mode: 0o10620 });
  t.like(stat('d/link'), { uid: 11, mtimeMs: 7000_000 });
  t.is(fs.readlinkSync(path.join(layer, 'd/link')), 'suid');
});

rootTest('reports progress in input bytes and refuses unsupported entry types', async (t) => {
  const { dir } = scratch(t);
  const file = path.join(dir, 'layer.tar');
  pythonTar(file, { members: [{ name: 'a', data: 'a'.repeat(200_000) }] });
  const seen: number[] = [];
  await applyFile(file, path.join(dir, 'one'), { onProgress: (n) => seen.push(n) });
  t.true(seen.length > 0);
  t.deepEqual(seen, [...seen].sort((a, b) => a - b));
  t.is(seen.at(-1), fs.statSync(file).size);

  // A GNU sparse file ('S') is something berth does not unpack; it must say so, not guess.
  const bytes = fs.readFileSync(file);
  bytes[156] = 'S'.charCodeAt(0);
  bytes.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of bytes.subarray(0, 512)) sum += byte;
  bytes.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  const sparse = path.join(dir, 'sparse.tar');
  fs.writeFileSync(sparse, bytes);
  const err = await t.throwsAsync(applyFile(sparse, path.join(dir, 'two')));
  t.regex(err!.message, /^layer entry "a": unsupported tar entry type "S"$/);
});

rootSerial('the size limit defaults to $BERTH_MAX_LAYER_BYTES', async (t) => {
  const { dir } = scratch(t);
  const file = path.join(dir, 'layer.tar');
  pythonTar(file, { members: [{ name: 'a', zeros: 100_000 }] });
  const saved = process.env.BERTH_MAX_LAYER_BYTES;
  t.teardown(() => {
    if (saved === undefined) delete process.env.BERTH_MAX_LAYER_BYTES;
    else process.env.BERTH_MAX_LAYER_BYTES = saved;
  });
  process.env.BERTH_MAX_LAYER_BYTES = '50000';
  await t.throwsAsync(applyFile(file, path.join(dir, 'one')), { message: 'uncompressed size exceeds the limit of 48.8 KiB (BERTH_MAX_LAYER_BYTES=50000)' });
  process.env.BERTH_MAX_LAYER_BYTES = 'lots';
  await t.throwsAsync(applyFile(file, path.join(dir, 'two')), { message: /BERTH_MAX_LAYER_BYTES must be a positive whole number/ });
});
