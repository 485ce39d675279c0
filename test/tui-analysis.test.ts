/**
 * The layer analysis (src/engine/images/analysis.ts): A/M/D per layer,
 * whiteouts and opaque directories, and dive's wasted space and efficiency;
 * plus reading a real diff dir with a whiteout device and the opaque xattr.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { analyzeLayers, readLayerEntries, type LayerEntry } from '../src/engine/images/analysis.js';
import { loadNative } from '../src/engine/native.js';
import { requireRoot, tempDir } from './helpers/berth.js';

const f = (p: string, size: number): LayerEntry => ({ path: p, type: 'file', size });
const d = (p: string, opaque = false): LayerEntry => ({ path: p, type: 'dir', size: 0, ...(opaque ? { opaque } : {}) });
const wh = (p: string): LayerEntry => ({ path: p, type: 'whiteout', size: 0 });

test('an empty image is fully efficient', (t) => {
  const a = analyzeLayers([]);
  t.is(a.efficiency, 1);
  t.is(a.wastedBytes, 0);
  t.deepEqual(analyzeLayers([[d('etc')]]).efficiency, 1);
});

test('adds, modifications and removals per layer; overwritten and removed bytes are wasted', (t) => {
  const a = analyzeLayers([
    [d('etc'), f('etc/passwd', 100), f('etc/big', 1000), d('usr'), f('usr/a', 50)],
    [d('etc'), f('etc/passwd', 120), f('etc/new', 10)],
    [d('etc'), wh('etc/big'), wh('usr')],
  ]);
  t.deepEqual(
    a.layers[0].changes.map((c) => `${c.mark} ${c.path}`),
    ['A etc', 'A etc/big', 'A etc/passwd', 'A usr', 'A usr/a'],
  );
  // etc itself is only a parent of changes in layer 2: not a change of its own
  t.deepEqual(a.layers[1].changes.map((c) => `${c.mark} ${c.path}`), ['A etc/new', 'M etc/passwd']);
  t.deepEqual(a.layers[2].changes.map((c) => `${c.mark} ${c.path}`), ['D etc/big', 'D usr']);
  t.is(a.totalBytes, 100 + 1000 + 50 + 120 + 10);
  t.is(a.wastedBytes, 100 + 1000 + 50);
  t.is(a.efficiency, 1 - 1150 / 1280);
  t.deepEqual(a.inefficiencies.map((i) => [i.path, i.count, i.wastedBytes]), [
    ['etc/big', 2, 1000],
    ['etc/passwd', 2, 100],
    ['usr/a', 2, 50],
  ]);
  t.is(a.layers[1].size, 130);
});

test('an opaque directory removes what lower layers had below it, except what it re-adds', (t) => {
  const a = analyzeLayers([
    [d('app'), f('app/x', 10), f('app/y', 20)],
    [d('app', true), f('app/y', 5)],
  ]);
  t.deepEqual(a.layers[1].changes.map((c) => `${c.mark} ${c.path}`), ['M app', 'D app/x', 'M app/y']);
  t.is(a.wastedBytes, 30);
  t.is(a.totalBytes, 35);
});

test('a whiteout of something never there is not a change', (t) => {
  const a = analyzeLayers([[f('a', 1)], [wh('b')]]);
  t.deepEqual(a.layers[1].changes, []);
  t.is(a.efficiency, 1);
});

requireRoot(test)('readLayerEntries reads whiteout devices and the opaque xattr from a diff dir', (t) => {
  const native = loadNative();
  const dir = tempDir(t);
  fs.mkdirSync(path.join(dir, 'etc/sub'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'etc/hosts'), 'x'.repeat(7));
  fs.symlinkSync('hosts', path.join(dir, 'etc/link'));
  native.mknod(path.join(dir, 'etc/gone'), native.S_IFCHR | 0o000, 0, 0);
  native.lsetxattr(path.join(dir, 'etc/sub'), 'trusted.overlay.opaque', Buffer.from('y'));
  t.deepEqual(readLayerEntries(dir, native), [
    { path: 'etc', type: 'dir', size: 0 },
    { path: 'etc/gone', type: 'whiteout', size: 0 },
    { path: 'etc/hosts', type: 'file', size: 7 },
    { path: 'etc/link', type: 'symlink', size: 0 },
    { path: 'etc/sub', type: 'dir', size: 0, opaque: true },
  ]);
});
