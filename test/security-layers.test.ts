/**
 * Issue 11 item 8, hostile layers and archives through the real CLI:
 * names that are bytes and not UTF-8 (two of them must stay two files, in
 * load, save, diff and commit); configs nested too deep or too large;
 * gzip bombs, held to the store's free space (a size-limited tmpfs as the
 * store root); corrupt gzip data; and errno text made readable. Every
 * refusal is one line and leaves the store as it was.
 *
 * The bombs are built here from streams of zeros and only ever fed to berth.
 */
import anyTest, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { describeCause, withContext } from '../src/engine/errors.js';
import { Engine } from '../src/engine/engine.js';
import { readLayerEntries } from '../src/engine/images/analysis.js';
import { TarWriter } from '../src/engine/layers/tar.js';
import { berth, berthOk, busyboxTar, makeRoot, mountImage, requireRoot, sha256File, tarOf, tempDir, unmountBeneath } from './helpers/berth.js';
import { cleanContainers, removeCgroupParent } from './helpers/containers.js';

const test = requireRoot(anyTest);
anyTest.after.always(removeCgroupParent);

const A_FF = Buffer.from('a\xff', 'latin1');
const A_FE = Buffer.from('a\xfe', 'latin1');
const B_FF = Buffer.from('b\xff', 'latin1');

// ---------------------------------------------------------------- helpers

interface Layer {
  /** the blob as it goes into the archive (plain or gzip) */
  blob: string;
  /** sha256 of the uncompressed tar */
  diffId: string;
}

/**
 * A Docker archive (blobs/sha256 layout) of one image, from hand-written
 * JSON and tar(1). `config` replaces the config made from the layers.
 */
function imageArchive(out: string, options: { tag: string; layers: Layer[]; config?: Buffer; manifest?: Buffer }): void {
  const work = fs.mkdtempSync(path.join(path.dirname(out), '.archive-'));
  try {
    fs.mkdirSync(path.join(work, 'blobs/sha256'), { recursive: true });
    const blobs = options.layers.map((layer) => {
      const digest = sha256File(layer.blob);
      fs.copyFileSync(layer.blob, path.join(work, 'blobs/sha256', digest.slice(7)));
      return digest;
    });
    const config =
      options.config ??
      Buffer.from(
        JSON.stringify({
          architecture: process.arch === 'x64' ? 'amd64' : process.arch,
          os: 'linux',
          config: { Cmd: ['sh'] },
          rootfs: { type: 'layers', diff_ids: options.layers.map((l) => l.diffId) },
        }),
      );
    const id = createHash('sha256').update(config).digest('hex');
    fs.writeFileSync(path.join(work, 'blobs/sha256', id), config);
    const manifest =
      options.manifest ??
      Buffer.from(JSON.stringify([{ Config: `blobs/sha256/${id}`, RepoTags: [options.tag], Layers: blobs.map((d) => `blobs/sha256/${d.slice(7)}`) }]));
    fs.writeFileSync(path.join(work, 'manifest.json'), manifest);
    tarOf(out, work, ['manifest.json', 'blobs']);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function plainLayer(tar: string): Layer {
  return { blob: tar, diffId: sha256File(tar) };
}

/** What a failed load must leave as it found it: images, staging, layers, blobs. */
async function storeState(root: string): Promise<string[]> {
  const listing = (sub: string) => {
    const dir = path.join(root, sub);
    return fs.existsSync(dir) ? fs.readdirSync(dir).sort().map((n) => `${sub}/${n}`) : [];
  };
  const images = (await berthOk(root, 'images', '-a', '--no-trunc', '-q')).split('\n').filter(Boolean);
  return [...images.map((i) => `image ${i}`), ...listing('tmp'), ...listing('overlay'), ...listing('blobs/sha256')];
}

/** Names in a directory as bytes, sorted, for comparing names that are not UTF-8. */
function byteNames(dir: string | Buffer): string[] {
  return fs
    .readdirSync(dir, { encoding: 'buffer' })
    .map((n) => n.toString('hex'))
    .sort();
}

const hex = (...names: Buffer[]) => names.map((n) => n.toString('hex')).sort();

function under(dir: string, name: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${dir}/`), name]);
}

/**
 * A layer tar made by GNU tar (raw bytes in its name fields) of files whose
 * names differ only in bytes that are not UTF-8: a\xff and a\xfe, a
 * directory d\xff holding a file, a symlink to a\xff, and a name too long
 * for ustar (a GNU long-name entry) ending in \xff.
 */
function bytesLayer(work: string): { tar: string; longName: Buffer } {
  const src = path.join(work, 'bytes-src');
  fs.mkdirSync(src);
  fs.writeFileSync(under(src, A_FF), 'content of a\\xff');
  fs.writeFileSync(under(src, A_FE), 'content of a\\xfe');
  const dir = Buffer.from('d\xff', 'latin1');
  fs.mkdirSync(under(src, dir));
  fs.writeFileSync(under(src, Buffer.concat([dir, Buffer.from('/inside')])), 'inside d\\xff');
  fs.symlinkSync(A_FF, under(src, Buffer.from('link')));
  const longName = Buffer.concat([Buffer.from('l'.repeat(120)), Buffer.from([0xff])]);
  fs.writeFileSync(under(src, longName), 'long');
  const tar = path.join(work, 'bytes.tar');
  execFileSync('tar', ['--format=gnu', '--sort=name', '--numeric-owner', '--owner=0', '--group=0', '--mtime=2024-01-01 00:00:00Z', '-C', src, '-cf', tar, '.']);
  return { tar, longName };
}

function checkBytesTree(t: ExecutionContext, dir: string, longName: Buffer): void {
  t.deepEqual(byteNames(dir), hex(A_FE, A_FF, Buffer.from('d\xff', 'latin1'), Buffer.from('link'), longName));
  t.is(fs.readFileSync(under(dir, A_FF), 'utf8'), 'content of a\\xff');
  t.is(fs.readFileSync(under(dir, A_FE), 'utf8'), 'content of a\\xfe');
  t.is(fs.readFileSync(under(dir, Buffer.from('d\xff/inside', 'latin1')), 'utf8'), 'inside d\\xff');
  t.deepEqual(fs.readlinkSync(under(dir, Buffer.from('link')), { encoding: 'buffer' }), A_FF);
  t.is(fs.readFileSync(under(dir, longName), 'utf8'), 'long');
}

/** The layer blob `digest` of an archive, extracted with tar(1). */
function blobOf(archive: string, digest: string): Buffer {
  return execFileSync('tar', ['-xOf', archive, `blobs/sha256/${digest.slice(7)}`], { maxBuffer: 64 << 20 });
}

async function topLayer(root: string, image: string): Promise<{ diffId: string; blob: string }> {
  const engine = Engine.open({ root });
  try {
    const layer = engine.images.layers(engine.images.resolve(image)).at(-1)!;
    return { diffId: layer.diffId, blob: layer.blob };
  } finally {
    engine.close();
  }
}

/** A store root on a tmpfs of `size`, so that its free space is small and known; unmounted on teardown. */
function smallRoot(t: ExecutionContext, size: string): string {
  const root = makeRoot(t);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', root]);
  t.teardown(() => unmountBeneath(root));
  return root;
}

/** A gzip layer that inflates a small blob into `bytes` of zeros in one file; returns it with its DiffID. */
async function gzipBomb(file: string, bytes: number): Promise<Layer> {
  const tar = new TarWriter();
  const hash = createHash('sha256');
  const zeros = Readable.from(
    (function* () {
      const chunk = Buffer.alloc(1 << 20);
      for (let left = bytes; left > 0; left -= chunk.length) yield left >= chunk.length ? chunk : chunk.subarray(0, left);
    })(),
  );
  const writing = (async () => {
    await tar.addFile({ name: 'zeros', size: bytes }, zeros);
    await tar.finish();
  })();
  await pipeline(
    tar,
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        hash.update(chunk);
        yield chunk;
      }
    },
    createGzip({ level: 9 }),
    fs.createWriteStream(file),
  );
  await writing;
  return { blob: file, diffId: `sha256:${hash.digest('hex')}` };
}

function oneLineError(t: ExecutionContext, result: { code: number | null; stdout: string; stderr: string }, pattern: RegExp): void {
  t.is(result.code, 1, result.stderr);
  t.is(result.stdout, '');
  t.regex(result.stderr, /^Error: [^\n]+\n$/);
  t.regex(result.stderr, pattern);
  t.false(/ENOSPC|Z_[A-Z_]+|\/tmp\/|berth-root-/.test(result.stderr), 'no raw errno, zlib code or internal path');
}

// ---------------------------------------------------------------- names as bytes

test('two layer names that differ only in bytes that are not UTF-8 load as two files; save keeps the layer byte for byte', async (t) => {
  const [root, again, work] = [makeRoot(t), makeRoot(t), tempDir(t)];
  const { tar, longName } = bytesLayer(work);
  const archive = path.join(work, 'bytes-image.tar');
  imageArchive(archive, { tag: 'bytes:1', layers: [plainLayer(tar)] });

  await berthOk(root, 'load', '-i', archive);
  checkBytesTree(t, mountImage(t, root, 'bytes:1'), longName);

  // The layer tree the TUI shows: each name once, told apart in its display form.
  const engine = Engine.open({ root });
  try {
    const [layer] = engine.images.layers(engine.images.resolve('bytes:1'));
    const paths = readLayerEntries(engine.store.layerDiff(layer.chainId), engine.store.native).map((e) => e.path);
    t.deepEqual(paths.filter((p) => p.startsWith('a')).sort(), ['a\\xfe', 'a\\xff']);
    t.true(paths.includes('d\\xff/inside'));
  } finally {
    engine.close();
  }

  const saved = path.join(work, 'saved.tar');
  await berthOk(root, 'save', '-o', saved, 'bytes:1');
  const { blob } = await topLayer(root, 'bytes:1');
  t.true(blobOf(saved, blob).equals(fs.readFileSync(tar)), 'the saved layer is the loaded one, byte for byte');
  await berthOk(again, 'load', '-i', saved);
  checkBytesTree(t, mountImage(t, again, 'bytes:1'), longName);
});

test('diff and commit keep a name that is not UTF-8 byte for byte', async (t) => {
  const [root, work] = [makeRoot(t), tempDir(t)];
  t.teardown(() => cleanContainers(root));
  const { tar } = bytesLayer(work);
  const archive = path.join(work, 'bytes-image.tar');
  imageArchive(archive, { tag: 'bytes:1', layers: [plainLayer(busyboxTar()), plainLayer(tar)] });
  await berthOk(root, 'load', '-i', archive);

  // printf's octal escapes make the bytes inside the container: b\xff is new, a\xfe changed, a\xff removed,
  // and a name too long for ustar (a PAX path record of its bytes) is new too.
  const long = 'n'.repeat(120);
  await berthOk(
    root,
    'run',
    '--name',
    'namer',
    'bytes:1',
    'sh',
    '-c',
    `printf new > "$(printf "b\\377")"; printf changed > "$(printf "a\\376")"; rm "$(printf "a\\377")"; printf long > "$(printf "${long}\\377")"`,
  );
  t.deepEqual((await berthOk(root, 'diff', 'namer')).split('\n').filter(Boolean).sort(), ['A /b\\xff', `A /${long}\\xff`, 'C /a\\xfe', 'D /a\\xff']);

  await berthOk(root, 'commit', 'namer', 'bytes:2');
  const top = await topLayer(root, 'bytes:2');
  const saved = path.join(work, 'committed.tar');
  await berthOk(root, 'save', '-o', saved, 'bytes:2');
  const layerTar = path.join(work, 'committed-layer.tar');
  fs.writeFileSync(layerTar, blobOf(saved, top.blob));
  const listed = execFileSync('tar', ['--quoting-style=literal', '-tf', layerTar]).toString('latin1').split('\n').filter(Boolean).sort();
  t.deepEqual(listed, ['.wh.a\xff', 'a\xfe', 'b\xff', `${long}\xff`], 'the committed layer names the files by their bytes');

  const mounted = mountImage(t, root, 'bytes:2');
  t.is(fs.readFileSync(under(mounted, B_FF), 'utf8'), 'new');
  t.is(fs.readFileSync(under(mounted, A_FE), 'utf8'), 'changed');
  t.false(fs.existsSync(under(mounted, A_FF)));
  t.is(fs.readFileSync(under(mounted, Buffer.from(`${long}\xff`, 'latin1')), 'utf8'), 'long');
});

// ---------------------------------------------------------------- bounded configs

const hostArch = process.arch === 'x64' ? 'amd64' : process.arch;
const configWith = (extra: string) =>
  Buffer.from(`{"architecture":"${hostArch}","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"x":${extra}}`);

test('a config nested 1,000,000 levels deep is refused at load in one line, and the store is unchanged', async (t) => {
  const [root, work] = [makeRoot(t), tempDir(t)];
  await berthOk(root, 'images'); // the store's layout, so the state before is that of a used store
  const before = await storeState(root);
  const archive = path.join(work, 'deep.tar');
  imageArchive(archive, { tag: 'deep:1', layers: [], config: configWith(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`) });
  const result = await berth(root, 'load', '-i', archive);
  oneLineError(t, result, /^Error: invalid image config: nested deeper than 100 levels\n$/);
  t.deepEqual(await storeState(root), before);
});

test('a config over 4 MiB and a manifest.json nested too deep are refused in one line', async (t) => {
  const [root, work] = [makeRoot(t), tempDir(t)];
  await berthOk(root, 'images');
  const before = await storeState(root);
  const big = path.join(work, 'big.tar');
  imageArchive(big, { tag: 'big:1', layers: [], config: configWith(`"${'x'.repeat(5 * 1024 * 1024)}"`) });
  oneLineError(t, await berth(root, 'load', '-i', big), /^Error: invalid image config: larger than 4 MiB\n$/);
  const deep = path.join(work, 'deep-manifest.tar');
  imageArchive(deep, { tag: 'deep:1', layers: [], manifest: Buffer.from(`${'['.repeat(200_000)}${']'.repeat(200_000)}`) });
  oneLineError(t, await berth(root, 'load', '-i', deep), /^Error: invalid image archive: manifest\.json: nested deeper than 100 levels\n$/);
  t.deepEqual(await storeState(root), before);
});

// ---------------------------------------------------------------- decompression bombs

test('a gzip bomb layer is refused under the store free space, naming the layer and the limit, and leaves nothing', async (t) => {
  const root = smallRoot(t, '64m');
  const work = tempDir(t);
  await berthOk(root, 'images');
  const before = await storeState(root);
  const bomb = await gzipBomb(path.join(work, 'bomb.gz'), 256 * 1024 * 1024);
  t.true(fs.statSync(bomb.blob).size < 1024 * 1024, 'small compressed');
  const archive = path.join(work, 'bomb.tar');
  imageArchive(archive, { tag: 'bomb:1', layers: [bomb] });
  const blob = sha256File(bomb.blob);
  const freeBefore = fs.statfsSync(root).bavail;

  const result = await berth(root, 'load', '-i', archive);
  oneLineError(
    t,
    result,
    new RegExp(`^Error: load: layer ${blob}: uncompressed size exceeds the limit of [0-9.]+ MiB \\(the store's free space less a reserve\\)\\n$`),
  );
  const limitMiB = Number(/limit of ([0-9.]+) MiB/.exec(result.stderr)![1]);
  t.true(limitMiB > 0 && limitMiB < 64, `the limit (${limitMiB} MiB) is below what the tmpfs holds`);
  t.deepEqual(await storeState(root), before);
  // Nothing of the layer is left on the disk (the database may have grown by a page or so).
  t.true(fs.statfsSync(root).bavail >= freeBefore - 64, 'the space is free again');
});

test('a gzipped archive that expands past the store free space is refused the same way', async (t) => {
  const root = smallRoot(t, '64m');
  const work = tempDir(t);
  await berthOk(root, 'images');
  const before = await storeState(root);
  // An archive whose one member is 256 MiB of zeros, gzipped as a whole.
  const inner = await gzipBomb(path.join(work, 'archive.tar.gz'), 256 * 1024 * 1024);
  const result = await berth(root, 'load', '-i', inner.blob);
  oneLineError(t, result, /^Error: load: archive: uncompressed size exceeds the limit of [0-9.]+ MiB \(the store's free space less a reserve\)\n$/);
  t.deepEqual(await storeState(root), before);
});

// ---------------------------------------------------------------- readable errors

test('a corrupt gzip layer, or a corrupt gzipped archive, gives one readable line', async (t) => {
  const [root, work] = [makeRoot(t), tempDir(t)];
  await berthOk(root, 'images');
  const before = await storeState(root);
  const plain = path.join(work, 'layer.tar');
  fs.writeFileSync(path.join(work, 'file'), 'x'.repeat(100_000));
  tarOf(plain, work, ['file']);
  const gz = gzipSync(fs.readFileSync(plain));
  const cases: [string, Buffer, string][] = [
    ['truncated', gz.subarray(0, gz.length - 64), 'unexpected end of file'],
    ['bad method', Buffer.concat([gz.subarray(0, 2), Buffer.from([0x07]), gz.subarray(3)]), 'unknown compression method'],
  ];
  for (const [name, bytes, zlibText] of cases) {
    const blob = path.join(work, `${name}.gz`);
    fs.writeFileSync(blob, bytes);
    const archive = path.join(work, `${name}.tar`);
    imageArchive(archive, { tag: 'corrupt:1', layers: [{ blob, diffId: sha256File(plain) }] });
    const result = await berth(root, 'load', '-i', archive);
    oneLineError(t, result, new RegExp(`^Error: load: layer ${sha256File(blob)}: corrupt gzip data \\(${zlibText}\\)\\n$`));
  }
  const archive = path.join(work, 'whole.tar.gz');
  imageArchive(path.join(work, 'whole.tar'), { tag: 'whole:1', layers: [plainLayer(plain)] });
  const whole = gzipSync(fs.readFileSync(path.join(work, 'whole.tar')));
  fs.writeFileSync(archive, whole.subarray(0, whole.length - 64));
  oneLineError(t, await berth(root, 'load', '-i', archive), /^Error: load: corrupt gzip data \(unexpected end of file\)\n$/);
  t.deepEqual(await storeState(root), before);
});

anyTest('raw errno text becomes its description, without the syscall or the path', (t) => {
  let err: unknown;
  try {
    fs.openSync('/nonexistent/berth-secret-path', 'r');
  } catch (e) {
    err = e;
  }
  t.is(describeCause(err), 'no such file or directory');
  const wrapped = withContext('load: layer sha256:abc', Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
  t.is(wrapped.message, 'load: layer sha256:abc: no space left on device');
  t.is(wrapped.kind, 'unavailable');
  const zlib = withContext('load', Object.assign(new Error('incorrect header check'), { code: 'Z_DATA_ERROR', errno: -3 }));
  t.is(zlib.message, 'load: corrupt gzip data (incorrect header check)');
  t.is(zlib.kind, 'invalid-argument');
});
