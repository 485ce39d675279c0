import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { BerthError } from '../src/engine/errors.js';
import { loadNative } from '../src/engine/native.js';
import { readBody, readTar, TarWriter, type TarEntry } from '../src/engine/layers/tar.js';

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.log('tar tests: not root, so the tests that chown, mknod or set trusted.* xattrs are skipped');
const rootTest = isRoot ? test : test.skip;

function tempDir(t: ExecutionContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-tar-test-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function run(command: string, args: string[], options: { cwd?: string } = {}): string {
  return execFileSync(command, args, { ...options, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

type Read = Omit<TarEntry, 'body'> & { data: Buffer };

async function readAll(input: AsyncIterable<Buffer> | Buffer, chunkSize = 64 * 1024): Promise<Read[]> {
  const source = Buffer.isBuffer(input) ? chunked(input, chunkSize) : input;
  const out: Read[] = [];
  for await (const entry of readTar(source)) {
    const { body, ...header } = entry;
    out.push({ ...header, data: await readBody(entry) });
  }
  return out;
}

async function* chunked(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

/** Writes a tar with python's tarfile, which we trust as an independent implementation. */
function pythonTar(file: string, spec: unknown): void {
  const script = `
import base64, io, json, sys, tarfile
spec = json.load(sys.stdin)
formats = {'gnu': tarfile.GNU_FORMAT, 'pax': tarfile.PAX_FORMAT, 'ustar': tarfile.USTAR_FORMAT}
types = {'file': tarfile.REGTYPE, 'dir': tarfile.DIRTYPE, 'symlink': tarfile.SYMTYPE, 'hardlink': tarfile.LNKTYPE,
         'chardev': tarfile.CHRTYPE, 'blockdev': tarfile.BLKTYPE, 'fifo': tarfile.FIFOTYPE}
with tarfile.open(sys.argv[1], 'w', format=formats[spec.get('format', 'pax')], pax_headers=spec.get('global', {})) as out:
    for m in spec['members']:
        info = tarfile.TarInfo(m['name'])
        info.type = types[m.get('type', 'file')]
        info.linkname = m.get('linkname', '')
        info.mode = m.get('mode', 0o644)
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

/** Runs `produce` against a fresh writer and returns the archive it wrote. */
async function written(produce: (writer: TarWriter) => Promise<void>): Promise<Buffer> {
  const writer = new TarWriter();
  const [bytes] = await Promise.all([buffer(writer), produce(writer)]);
  return bytes;
}

function fixChecksum(header: Buffer): void {
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of header.subarray(0, 512)) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
}

function expectCorrupt(t: ExecutionContext, err: unknown, pattern: RegExp): void {
  t.true(err instanceof BerthError);
  const e = err as BerthError;
  t.is(e.kind, 'invalid-argument');
  t.regex(e.message, pattern);
  t.false(e.message.includes('\n'));
}

// ---- reading archives made by others --------------------------------------------------------

rootTest('reads GNU tar (gnu format): long names, long link targets, hardlinks, symlinks, devices, special modes', async (t) => {
  const dir = tempDir(t);
  const src = path.join(dir, 'src');
  const native = loadNative();
  const longDir = `${'l'.repeat(60)}/${'m'.repeat(60)}`;
  const longFile = `${longDir}/file-with-a-long-name-${'x'.repeat(40)}`;
  const longTarget = `target/${'t'.repeat(120)}`;
  fs.mkdirSync(path.join(src, longDir), { recursive: true });
  fs.writeFileSync(path.join(src, 'short.txt'), 'hello');
  fs.writeFileSync(path.join(src, longFile), 'deep');
  fs.linkSync(path.join(src, 'short.txt'), path.join(src, 'hard'));
  fs.symlinkSync(longTarget, path.join(src, 'sym'));
  native.mknod(path.join(src, 'cdev'), native.S_IFCHR | 0o620, 1, 3);
  native.mknod(path.join(src, 'bdev'), native.S_IFBLK | 0o660, 8, 17);
  native.mknod(path.join(src, 'fifo'), native.S_IFIFO | 0o600, 0, 0);
  fs.chmodSync(path.join(src, 'cdev'), 0o620); // mknod's mode went through the umask
  fs.writeFileSync(path.join(src, 'suid'), 'x');
  fs.mkdirSync(path.join(src, 'sgid'));
  fs.mkdirSync(path.join(src, 'sticky'));
  fs.lchownSync(path.join(src, 'short.txt'), 1234, 5678);
  fs.chmodSync(path.join(src, 'suid'), 0o4755);
  fs.chmodSync(path.join(src, 'sgid'), 0o2775);
  fs.chmodSync(path.join(src, 'sticky'), 0o1777);
  fs.utimesSync(path.join(src, 'short.txt'), 1600000000, 1600000000);
  const archive = path.join(dir, 'a.tar');
  run('tar', ['--format=gnu', '--numeric-owner', '-cf', archive, '-C', src, '.']);

  const entries = await readAll(fs.readFileSync(archive));
  const byName = new Map(entries.map((e) => [e.name.replace(/\/$/, ''), e]));
  for (const [name, entry] of byName) {
    if (name === '.') continue;
    const rel = name.slice(2);
    const stat = fs.lstatSync(path.join(src, rel));
    t.is(entry.mode, stat.mode & 0o7777, name);
    t.is(entry.uid, stat.uid, name);
    t.is(entry.gid, stat.gid, name);
    t.is(entry.mtime, Math.floor(stat.mtimeMs / 1000), name);
  }
  t.is(byName.get(`./${longFile}`)?.data.toString(), 'deep');
  t.is(byName.get(`./${longDir}`)?.type, 'dir');
  t.is(byName.get('./sym')?.type, 'symlink');
  t.is(byName.get('./sym')?.linkname, longTarget);
  const links = ['./short.txt', './hard'].map((n) => byName.get(n)!);
  const [original, link] = links[0].type === 'hardlink' ? [links[1], links[0]] : links;
  t.is(original.type, 'file');
  t.is(original.data.toString(), 'hello');
  t.is(link.type, 'hardlink');
  t.is(link.linkname, original.name);
  t.like(byName.get('./cdev'), { type: 'chardev', devmajor: 1, devminor: 3, mode: 0o620 });
  t.like(byName.get('./bdev'), { type: 'blockdev', devmajor: 8, devminor: 17 });
  t.like(byName.get('./fifo'), { type: 'fifo' });
  t.like(byName.get('./suid'), { type: 'file', mode: 0o4755 });
  t.like(byName.get('./sgid'), { type: 'dir', mode: 0o2775 });
  t.like(byName.get('./sticky'), { type: 'dir', mode: 0o1777 });
  t.like(byName.get('./short.txt') ?? byName.get('./hard'), { uid: 1234, gid: 5678 });
});

rootTest('reads GNU tar (posix format): PAX paths, xattrs with binary values, fractional mtimes', async (t) => {
  const dir = tempDir(t);
  const src = path.join(dir, 'src');
  const native = loadNative();
  const longName = `${'p'.repeat(120)}/${'q'.repeat(120)}`;
  fs.mkdirSync(path.join(src, 'p'.repeat(120)), { recursive: true });
  fs.writeFileSync(path.join(src, longName), 'pax');
  const file = path.join(src, 'attrs');
  fs.writeFileSync(file, 'x');
  native.lsetxattr(file, 'user.comment', Buffer.from('hello'));
  native.lsetxattr(file, 'trusted.binary', Buffer.from([0, 1, 2, 0xff, 0x0a]));
  fs.utimesSync(file, 1600000000.25, 1600000000.25);
  const archive = path.join(dir, 'a.tar');
  run('tar', ['--format=posix', '--xattrs', '--xattrs-include=*', '-cf', archive, '-C', src, longName, 'attrs']);

  const entries = await readAll(fs.readFileSync(archive));
  t.deepEqual(
    entries.map((e) => e.name),
    [longName, 'attrs'],
  );
  t.is(entries[0].data.toString(), 'pax');
  const attrs = entries[1];
  t.deepEqual(attrs.xattrs.get('user.comment'), Buffer.from('hello'));
  t.deepEqual(attrs.xattrs.get('trusted.binary'), Buffer.from([0, 1, 2, 0xff, 0x0a]));
  t.is(attrs.mtime, 1600000000.25);
});

test('reads python tarfile: base-256 ids, PAX global headers, LIBARCHIVE xattrs, local PAX overrides', async (t) => {
  const dir = tempDir(t);
  const gnu = path.join(dir, 'gnu.tar');
  pythonTar(gnu, { format: 'gnu', members: [{ name: 'big-ids', data: 'b', uid: 10_000_000, gid: 20_000_000 }] });
  const raw = fs.readFileSync(gnu);
  t.truthy(raw[108] & 0x80, 'python used base-256 for the uid');
  t.like((await readAll(raw))[0], { name: 'big-ids', uid: 10_000_000, gid: 20_000_000 });

  const pax = path.join(dir, 'pax.tar');
  pythonTar(pax, {
    format: 'pax',
    global: { uname: 'global-user', 'SCHILY.xattr.user.g': 'G' },
    members: [
      { name: 'one', data: '1', pax: { 'LIBARCHIVE.xattr.user.la%20x': Buffer.from('bin\0ary').toString('base64') } },
      { name: 'two', data: '2', pax: { uname: 'local-user', linkpath: 'ignored-for-files' } },
      { name: 'three', type: 'symlink', pax: { linkpath: `far/${'away/'.repeat(40)}` } },
    ],
  });
  const [one, two, three] = await readAll(fs.readFileSync(pax));
  t.is(one.uname, 'global-user');
  t.deepEqual([...one.xattrs.keys()].sort(), ['user.g', 'user.la x']);
  t.deepEqual(one.xattrs.get('user.la x'), Buffer.from('bin\0ary'));
  t.deepEqual(one.xattrs.get('user.g'), Buffer.from('G'));
  t.is(two.uname, 'local-user');
  t.is(two.data.toString(), '2');
  t.is(three.type, 'symlink');
  t.is(three.linkname, `far/${'away/'.repeat(40)}`);
});

test('reads a base-256 size field, as GNU tar does', async (t) => {
  const dir = tempDir(t);
  const archive = Buffer.from(await written(async (w) => {
    await w.addFile({ name: 'sized' }, Buffer.from('12345'));
    await w.finish();
  }));
  archive.fill(0, 124, 136);
  archive[124] = 0x80;
  archive[135] = 5;
  fixChecksum(archive);
  const file = path.join(dir, 'b256.tar');
  fs.writeFileSync(file, archive);
  t.regex(run('tar', ['-tvf', file]), /\s5\s.*sized/);
  const [entry] = await readAll(archive);
  t.is(entry.size, 5);
  t.is(entry.data.toString(), '12345');
});

// ---- reader behaviour ------------------------------------------------------------------------

test('the same entries come out whatever the chunk sizes', async (t) => {
  const archive = await written(async (w) => {
    await w.addDir({ name: 'd', mtime: 5 });
    await w.addFile({ name: `d/${'n'.repeat(200)}`, xattrs: { 'user.a': Buffer.from('A') } }, randomBytes(3000));
    await w.addFile({ name: 'd/empty' }, Buffer.alloc(0));
    await w.addFile({ name: 'd/exact' }, randomBytes(1024));
    await w.addSymlink({ name: 'd/s' }, 'd/exact');
    await w.finish();
  });
  const reference = await readAll(archive, archive.length);
  t.is(reference.length, 5);
  for (const size of [1, 7, 511, 512, 513, 4096]) {
    t.deepEqual(await readAll(archive, size), reference, `chunk size ${size}`);
  }
});

test('bodies left unread or half read are skipped; reading one late throws', async (t) => {
  const archive = await written(async (w) => {
    await w.addFile({ name: 'a' }, Buffer.alloc(5000, 'a'));
    await w.addFile({ name: 'b' }, Buffer.alloc(5000, 'b'));
    await w.addFile({ name: 'c' }, Buffer.from('c'));
    await w.finish();
  });
  const seen: string[] = [];
  let late: TarEntry | undefined;
  for await (const entry of readTar(chunked(archive, 1000))) {
    seen.push(entry.name);
    if (entry.name === 'a') late = entry; // never read
    if (entry.name === 'b') {
      for await (const part of entry.body) {
        t.is(part[0], 'b'.charCodeAt(0));
        break; // half read
      }
    }
    if (entry.name === 'c') t.is((await readBody(entry)).toString(), 'c');
  }
  t.deepEqual(seen, ['a', 'b', 'c']);
  await t.throwsAsync(() => readBody(late!), { message: /after moving on/ });
});

test('reads the input to its end, so a digest over it covers the record padding', async (t) => {
  const archive = await written(async (w) => {
    await w.addFile({ name: 'a' }, Buffer.from('a'));
    await w.finish();
  });
  // GNU tar pads archives to 10240-byte records.
  const padded = Buffer.concat([archive, Buffer.alloc(10240 - archive.length)]);
  let consumed = 0;
  async function* counting() {
    for await (const chunk of chunked(padded, 700)) {
      consumed += chunk.length;
      yield chunk;
    }
  }
  t.is((await readAll(counting())).length, 1);
  t.is(consumed, padded.length);
});

test('end of archive: missing end blocks and a single zero block are accepted, data after one zero block is not', async (t) => {
  const archive = await written(async (w) => {
    await w.addFile({ name: 'a' }, Buffer.from('a'));
    await w.finish();
  });
  const body = archive.subarray(0, 1024);
  t.is((await readAll(body)).length, 1);
  t.is((await readAll(archive.subarray(0, 1536))).length, 1);
  t.is((await readAll(Buffer.alloc(0))).length, 0);
  const err = await t.throwsAsync(() => readAll(Buffer.concat([body, Buffer.alloc(512), body])));
  expectCorrupt(t, err, /^invalid tar archive: data after a zero block at offset 1536$/);
});

test('a corrupt or truncated archive is refused with one line naming the offset', async (t) => {
  const archive = await written(async (w) => {
    await w.addFile({ name: 'first' }, Buffer.alloc(600, 1)); // header at 0, data 512..1535
    await w.addFile({ name: 'second' }, Buffer.alloc(100, 2)); // header at 1536
    await w.finish();
  });
  const badSum = Buffer.from(archive);
  badSum[1536 + 3] ^= 0x20;
  expectCorrupt(t, await t.throwsAsync(() => readAll(badSum)), /^invalid tar archive: bad header checksum at offset 1536$/);

  const cutInBody = archive.subarray(0, 1000);
  expectCorrupt(t, await t.throwsAsync(() => readAll(cutInBody)), /^invalid tar archive: unexpected end of data in entry data at offset 512$/);

  const cutInHeader = archive.subarray(0, 1536 + 100);
  expectCorrupt(t, await t.throwsAsync(() => readAll(cutInHeader)), /^invalid tar archive: unexpected end of data in header at offset 1536$/);

  const badNumber = Buffer.from(archive);
  badNumber.write('9', 124, 'latin1');
  fixChecksum(badNumber);
  expectCorrupt(t, await t.throwsAsync(() => readAll(badNumber)), /^invalid tar archive: bad size field at offset 0$/);

  const garbage = randomBytes(4096);
  expectCorrupt(t, await t.throwsAsync(() => readAll(garbage)), /^invalid tar archive: /);
});

// Speed is measured by bench/images, never asserted here: a test must not fail because the machine is busy.
test('reads a 30 MB, 3000-file archive, every file and byte', async (t) => {
  const content = randomBytes(30 * 1024 * 1024);
  const archive = await written(async (w) => {
    const per = Math.floor(content.length / 3000);
    for (let i = 0; i < 3000; i++) {
      await w.addFile({ name: `dir${i % 30}/file${i}`, mode: 0o644 }, content.subarray(i * per, i * per + per - (i % 7)));
    }
    await w.finish();
  });
  let files = 0;
  let bytes = 0;
  for await (const entry of readTar(chunked(archive, 64 * 1024))) {
    files++;
    for await (const part of entry.body) bytes += part.length;
  }
  t.is(files, 3000);
  t.is(bytes, Array.from({ length: 3000 }, (_, i) => Math.floor(content.length / 3000) - (i % 7)).reduce((a, b) => a + b, 0));
});

// ---- writer --------------------------------------------------------------------------------

async function writeEverything(w: TarWriter, dir: string): Promise<void> {
  const onDisk = path.join(dir, 'on-disk');
  fs.writeFileSync(onDisk, 'from a path');
  await w.addDir({ name: 'top', mode: 0o755, mtime: 1700000000 });
  await w.addFile({ name: 'top/file', mode: 0o640, uid: 1000, gid: 1001, uname: 'me', gname: 'us', mtime: 1700000001 }, Buffer.from('content'));
  await w.addFile({ name: 'top/suid', mode: 0o4755, mtime: 1700000002 }, Buffer.from('#!/bin/true\n'));
  await w.addFile({ name: 'top/stream', size: 70_000, mtime: 1700000003 }, Readable.from([Buffer.alloc(30_000, 'x'), Buffer.alloc(40_000, 'y')]));
  await w.addFile({ name: 'top/from-path', mtime: 1700000004 }, onDisk);
  await w.addFile({ name: `top/${'split/'.repeat(20)}leaf` }, Buffer.from('prefix')); // fits ustar prefix+name
  await w.addFile({ name: `top/${'long-dir-name/'.repeat(20)}leaf` }, Buffer.from('pax path'));
  await w.addFile({ name: 'top/ünïcödé' }, Buffer.from('utf8'));
  await w.addFile({ name: 'top/big-ids', uid: 3_000_000, gid: 4_000_000 }, Buffer.from('ids'));
  await w.addFile(
    { name: 'top/xattrs', xattrs: new Map([['user.z', Buffer.from('last')], ['user.a', Buffer.from([0, 10, 255])]]) },
    Buffer.from('x'),
  );
  await w.addSymlink({ name: 'top/link', mtime: 1700000005 }, 'file');
  await w.addSymlink({ name: 'top/long-link' }, `${'far/'.repeat(40)}target`);
  await w.addHardlink({ name: 'top/hard' }, 'top/file');
  await w.addDevice({ name: 'top/null', type: 'chardev', devmajor: 1, devminor: 3, mode: 0o666 });
  await w.addDevice({ name: 'top/disk', type: 'blockdev', devmajor: 259, devminor: 70000, mode: 0o660 });
  await w.addDevice({ name: 'top/pipe', type: 'fifo', mode: 0o600 });
  await w.addDir({ name: 'top/sticky/', mode: 0o1777 });
  await w.finish();
}

test('writer → reader round trip keeps every field', async (t) => {
  const dir = tempDir(t);
  const entries = await readAll(await written((w) => writeEverything(w, dir)));
  const byName = new Map(entries.map((e) => [e.name, e]));
  t.like(byName.get('top/'), { type: 'dir', mode: 0o755, mtime: 1700000000 });
  t.like(byName.get('top/file'), { type: 'file', mode: 0o640, uid: 1000, gid: 1001, uname: 'me', gname: 'us', mtime: 1700000001, size: 7 });
  t.is(byName.get('top/file')?.data.toString(), 'content');
  t.like(byName.get('top/suid'), { mode: 0o4755 });
  t.deepEqual(byName.get('top/stream')?.data, Buffer.concat([Buffer.alloc(30_000, 'x'), Buffer.alloc(40_000, 'y')]));
  t.is(byName.get('top/from-path')?.data.toString(), 'from a path');
  t.is(byName.get(`top/${'split/'.repeat(20)}leaf`)?.data.toString(), 'prefix');
  t.is(byName.get(`top/${'long-dir-name/'.repeat(20)}leaf`)?.data.toString(), 'pax path');
  t.is(byName.get('top/ünïcödé')?.data.toString(), 'utf8');
  t.like(byName.get('top/big-ids'), { uid: 3_000_000, gid: 4_000_000 });
  t.deepEqual(byName.get('top/xattrs')?.xattrs, new Map([['user.a', Buffer.from([0, 10, 255])], ['user.z', Buffer.from('last')]]));
  t.like(byName.get('top/link'), { type: 'symlink', linkname: 'file', mtime: 1700000005 });
  t.like(byName.get('top/long-link'), { type: 'symlink', linkname: `${'far/'.repeat(40)}target` });
  t.like(byName.get('top/hard'), { type: 'hardlink', linkname: 'top/file' });
  t.like(byName.get('top/null'), { type: 'chardev', devmajor: 1, devminor: 3, mode: 0o666 });
  t.like(byName.get('top/disk'), { type: 'blockdev', devmajor: 259, devminor: 70000 });
  t.like(byName.get('top/pipe'), { type: 'fifo', mode: 0o600 });
  t.like(byName.get('top/sticky/'), { type: 'dir', mode: 0o1777 });
  t.is(entries.length, 17);
});

test('writer output is deterministic', async (t) => {
  const dir = tempDir(t);
  const first = await written((w) => writeEverything(w, dir));
  const second = await written((w) => writeEverything(w, dir));
  t.true(first.equals(second));
  t.is(first.length % 512, 0);
  t.true(first.subarray(-1024).equals(Buffer.alloc(1024)));
});

test('GNU tar lists what the writer wrote', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'w.tar');
  fs.writeFileSync(file, await written((w) => writeEverything(w, dir)));
  const listing = run('tar', ['--numeric-owner', '-tvf', file]);
  t.regex(listing, /^-rw-r----- 1000\/1001\s+7 2023-11-1\d \d\d:\d\d top\/file$/m);
  t.regex(listing, /^-rwsr-xr-x .* top\/suid$/m);
  t.regex(listing, /^lrwxrwxrwx .* top\/link -> file$/m);
  t.regex(listing, /^hrw-r--r-- .* top\/hard link to top\/file$/m);
  t.regex(listing, /^crw-rw-rw- .*\s1,3 .* top\/null$/m);
  t.regex(listing, /^drwxrwxrwt .* top\/sticky\/$/m);
  t.regex(listing, /top\/ünïcödé$/m);
  t.regex(listing, new RegExp(`top/${'long-dir-name/'.repeat(20)}leaf$`, 'm'));
  t.regex(listing, / 3000000\/4000000 .* top\/big-ids$/m);
  t.notRegex(run('tar', ['-tf', file]), /PaxHeaders/);
});

rootTest('GNU tar extracts what the writer wrote, exactly', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'w.tar');
  const out = path.join(dir, 'out');
  fs.mkdirSync(out);
  fs.writeFileSync(file, await written((w) => writeEverything(w, dir)));
  run('tar', ['--xattrs', '--xattrs-include=*', '--numeric-owner', '-xpf', file, '-C', out]);
  const at = (rel: string) => path.join(out, rel);
  const stat = (rel: string) => fs.lstatSync(at(rel));
  t.is(fs.readFileSync(at('top/file'), 'utf8'), 'content');
  t.like(stat('top/file'), { mode: 0o100640, uid: 1000, gid: 1001, mtimeMs: 1700000001000 });
  t.is(stat('top/suid').mode & 0o7777, 0o4755);
  t.is(fs.readlinkSync(at('top/link')), 'file');
  t.is(fs.readlinkSync(at('top/long-link')), `${'far/'.repeat(40)}target`);
  t.is(stat('top/hard').ino, stat('top/file').ino);
  t.true(stat('top/null').isCharacterDevice());
  t.is(stat('top/null').rdev, (1 << 8) | 3);
  t.true(stat('top/pipe').isFIFO());
  t.is(stat('top/sticky').mode & 0o7777, 0o1777);
  t.is(fs.readFileSync(at(`top/${'long-dir-name/'.repeat(20)}leaf`), 'utf8'), 'pax path');
  t.like(stat('top/big-ids'), { uid: 3_000_000, gid: 4_000_000 });
  t.deepEqual(loadNative().lgetxattr(at('top/xattrs'), 'user.a'), Buffer.from([0, 10, 255]));
  t.deepEqual(fs.readFileSync(at('top/stream')).length, 70_000);
});

test('writer: a stream of the wrong size fails the entry and the archive', async (t) => {
  const writer = new TarWriter();
  const consumed = buffer(writer);
  const short = writer.addFile({ name: 'short', size: 10 }, Readable.from([Buffer.from('12345')]));
  const later = writer.addFile({ name: 'later' }, Buffer.from('x'));
  await t.throwsAsync(short, { message: /expected 10 bytes of data, got 5/ });
  await t.throwsAsync(later, { message: /expected 10 bytes/ });
  await t.throwsAsync(consumed, { message: /expected 10 bytes/ });
});

test('writer: calls need not be awaited one by one, and nothing may follow finish()', async (t) => {
  const writer = new TarWriter();
  const consumed = buffer(writer);
  const pending = [writer.addDir({ name: 'a' }), writer.addFile({ name: 'a/b' }, Buffer.from('b')), writer.finish()];
  await t.throwsAsync(writer.addFile({ name: 'too-late' }, Buffer.from('x')), { message: /after finish/ });
  await Promise.all(pending);
  const entries = await readAll(await consumed);
  t.deepEqual(
    entries.map((e) => e.name),
    ['a/', 'a/b'],
  );
});
