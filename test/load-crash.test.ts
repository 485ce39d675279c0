/**
 * `berth load` under abuse: killed with SIGKILL at different points, and run
 * several at once into one store. The store must never show a partial image,
 * must accept the same load again, and must end with nothing on disk that no
 * row refers to (DESIGN §3: the database is the truth, the rest is derived).
 */
import anyTest, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hexOf, type Digest } from '../src/engine/digest.js';
import { Engine } from '../src/engine/engine.js';
import {
  berth,
  berthOk,
  berthProcess,
  berthProcessNiced,
  dockerArchive,
  finished,
  makeRoot,
  mountImage,
  requireRoot,
  syntheticTree,
  tarOf,
  treeOf,
} from './helpers/berth.js';

const test = requireRoot(anyTest);

/**
 * The archives, built once per file from deterministic content:
 * big (two layers of 1500 files, 30 MB each: slow enough to be killed in the
 * middle of any phase), and small x and y, two images on one shared base.
 */
interface Fixture {
  dir: string;
  big: string;
  /** the tree the big image must mount as */
  bigTree: string[];
  x: string;
  y: string;
  xTree: string[];
  yTree: string[];
}

let fixture: Promise<Fixture> | undefined;
let fixtureDir: string | undefined;
anyTest.after.always(() => {
  if (fixtureDir) fs.rmSync(fixtureDir, { recursive: true, force: true });
});

function archives(): Promise<Fixture> {
  fixture ??= (async () => {
    const dir = (fixtureDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-crash-')));
    const src = (name: string) => path.join(dir, name);
    for (const [top, files, totalBytes] of [['a', 1500, 30e6], ['b', 1500, 30e6], ['base', 300, 6e6], ['x', 200, 4e6], ['y', 200, 4e6]] as const) {
      syntheticTree(src(top), { top, files, totalBytes, seed: `load-crash ${top}` });
      tarOf(src(`${top}.tar`), src(top), [top]);
    }
    dockerArchive(src('big.tar'), { tag: 'big:1', layers: [src('a.tar'), src('b.tar')] });
    dockerArchive(src('x-image.tar'), { tag: 'x:1', layers: [src('base.tar'), src('x.tar')] });
    dockerArchive(src('y-image.tar'), { tag: 'y:1', layers: [src('base.tar'), src('y.tar')] });
    const tree = (...tops: string[]) => tops.flatMap((top) => treeOf(src(top))).sort();
    return {
      dir,
      big: src('big.tar'),
      bigTree: tree('a', 'b'),
      x: src('x-image.tar'),
      y: src('y-image.tar'),
      xTree: tree('base', 'x'),
      yTree: tree('base', 'y'),
    };
  })();
  return fixture;
}

/** Entries of a directory, [] if it does not exist. */
function ls(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/**
 * Checks the store holds nothing unaccounted for: tmp/ is empty, every
 * overlay/<hex> directory and blob file has its row and the other way round,
 * and every short link resolves. Read with the files first: opening the
 * engine with leftovers in tmp/ would clean them up before we could see them.
 */
function assertNoLeftovers(t: ExecutionContext, root: string): void {
  t.deepEqual(ls(path.join(root, 'tmp')), [], 'no staging leftovers in tmp/');
  const layerDirs = ls(path.join(root, 'overlay')).filter((n) => n !== 'l' && n !== 'empty');
  const blobFiles = ls(path.join(root, 'blobs/sha256'));
  const links = ls(path.join(root, 'overlay/l'));
  const engine = Engine.open({ root });
  try {
    const column = (sql: string) => (engine.store.db.prepare(sql).pluck().all() as Digest[]).map(hexOf).sort();
    t.deepEqual(layerDirs, column('SELECT chain_id FROM layers'), 'one overlay dir per layer row, no orphans');
    t.deepEqual(blobFiles, column('SELECT digest FROM blobs'), 'one blob file per blob row, no orphans');
    t.is(links.length, layerDirs.length, 'one short link per layer');
    for (const link of links) t.true(fs.existsSync(path.join(root, 'overlay/l', link)), `overlay/l/${link} resolves`);
    t.is(engine.info().layers, layerDirs.length);
  } finally {
    engine.close();
  }
}

/** Polls (every few ms, without a fixed wait) until `ready()` or the process exits; true if ready came first. */
async function waitFor(child: ReturnType<typeof berthProcess>, ready: () => boolean): Promise<boolean> {
  while (child.exitCode === null && child.signalCode === null) {
    if (ready()) return true;
    await sleep(2);
  }
  return false;
}

/** The staging directories of loads in progress: tmp/<pid>-load-*. */
const stagingDirs = (root: string) => ls(path.join(root, 'tmp')).filter((n) => n.includes('-load-')).map((n) => path.join(root, 'tmp', n));

/** Points in a load at which to kill it, each told by what is on disk by then. */
const PHASES: Record<string, (root: string) => boolean> = {
  // the archive is being spread into the staging dir
  'while staging the archive': (root) => stagingDirs(root).some((d) => ls(path.join(d, 'files')).length > 0),
  // a layer is being unpacked in the staging dir
  'while unpacking the first layer': (root) =>
    stagingDirs(root).some((d) => ls(d).some((n) => n.startsWith('layer-') && ls(path.join(d, n, 'diff', 'a')).length > 0)),
  // the first layer has moved into overlay/, the second is being unpacked, no row exists yet
  'after the first layer is in place': (root) => ls(path.join(root, 'overlay')).some((n) => /^[0-9a-f]{64}$/.test(n)),
};

for (const [phase, ready] of Object.entries(PHASES)) {
  test(`load killed ${phase} leaves no image, and loading again works and leaves nothing behind`, async (t) => {
    t.timeout(300_000);
    const { big, bigTree } = await archives();
    const root = makeRoot(t);
    await berthOk(root, 'info'); // create the store first, so only the load's own files appear

    // niced: on a loaded machine the load must not outrun the poll below and commit before the kill
    const child = berthProcessNiced(root, 'load', '-i', big);
    const done = finished(child);
    t.teardown(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const caught = await waitFor(child, () => ready(root));
    t.true(caught, `the load finished before it could be killed ${phase}`);
    child.kill('SIGKILL');
    const killed = await done;
    t.is(killed.signal, 'SIGKILL');
    t.log(`left behind: tmp/ ${ls(path.join(root, 'tmp')).join(' ')}; overlay/ ${ls(path.join(root, 'overlay')).length - 1} dirs`);
    t.true(ls(path.join(root, 'tmp')).length > 0, 'the kill came mid-load: its staging dir is still there');

    t.is(await berthOk(root, 'images', '-q'), '', 'no partial image is listed');

    const again = await berth(root, 'load', '-i', big);
    t.is(again.code, 0, again.stderr);
    t.is(again.stdout, 'Loaded image: big:1\n');
    t.is((await berthOk(root, 'images', '--format', '{{.Repository}}:{{.Tag}}')).trim(), 'big:1');
    assertNoLeftovers(t, root);
    t.deepEqual(treeOf(mountImage(t, root, 'big:1')), bigTree, 'the image has all its files, intact');
  });
}

test('two loads of different images on one base, started together, both succeed intact', async (t) => {
  t.timeout(300_000);
  const { x, y, xTree, yTree } = await archives();
  const root = makeRoot(t);
  await berthOk(root, 'info');
  const [rx, ry] = await Promise.all([berth(root, 'load', '-i', x), berth(root, 'load', '-i', y)]);
  t.deepEqual([rx.code, rx.stdout, rx.stderr], [0, 'Loaded image: x:1\n', '']);
  t.deepEqual([ry.code, ry.stdout, ry.stderr], [0, 'Loaded image: y:1\n', '']);
  t.deepEqual((await berthOk(root, 'images', '--format', '{{.Repository}}:{{.Tag}}')).split('\n').filter(Boolean).sort(), ['x:1', 'y:1']);
  assertNoLeftovers(t, root);
  t.is((await berthOk(root, 'info', '--format', '{{.Layers}}')).trim(), '3', 'the shared base is stored once');
  t.deepEqual(treeOf(mountImage(t, root, 'x:1')), xTree);
  t.deepEqual(treeOf(mountImage(t, root, 'y:1')), yTree);
});

test('five concurrent loads of the same archive all succeed, and the image is stored once', async (t) => {
  t.timeout(300_000);
  const { x, xTree } = await archives();
  const root = makeRoot(t);
  await berthOk(root, 'info');
  const results = await Promise.all(Array.from({ length: 5 }, () => berth(root, 'load', '-i', x)));
  for (const r of results) t.deepEqual([r.code, r.stdout, r.stderr], [0, 'Loaded image: x:1\n', '']);
  t.is((await berthOk(root, 'images', '--format', '{{.Repository}}:{{.Tag}}')).trim(), 'x:1');
  assertNoLeftovers(t, root);
  t.is((await berthOk(root, 'info', '--format', '{{.Layers}}')).trim(), '2');
  t.deepEqual(treeOf(mountImage(t, root, 'x:1')), xTree);
});
