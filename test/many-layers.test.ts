/**
 * DESIGN §3 / issue 2: an image of 200 layers must mount. Overlay's options
 * must fit one page, which full layer paths would overflow; berth's short
 * links keep them short.
 */
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Engine } from '../src/engine/engine.js';

const LAYERS = 200;

const root = process.getuid?.() === 0;
if (!root) console.log('many-layers: skipped, mounting overlay needs root');

(root ? test : test.skip)('an image of 200 layers loads and mounts, every layer visible', async (t) => {
  t.timeout(180_000);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-many-'));
  const storeRoot = path.join(work, 'root');
  const mnt = path.join(work, 'mnt');
  fs.mkdirSync(mnt);
  const engine = Engine.open({ root: storeRoot });
  let mounted = false;
  t.teardown(() => {
    if (mounted) engine.images.unmount(mnt);
    engine.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const archive = path.join(work, 'archive');
  fs.mkdirSync(archive);
  const diffIds: string[] = [];
  for (let i = 0; i < LAYERS; i++) {
    const dir = path.join(work, `src${i}`);
    fs.mkdirSync(path.join(dir, 'layers'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'layers', `file${i}`), `layer ${i}\n`);
    // every layer also overwrites one shared file, so the topmost must win
    fs.writeFileSync(path.join(dir, 'top'), `${i}\n`);
    execFileSync('tar', ['--numeric-owner', '-C', dir, '-cf', path.join(archive, `layer${i}.tar`), 'layers', 'top']);
    diffIds.push(`sha256:${createHash('sha256').update(fs.readFileSync(path.join(archive, `layer${i}.tar`))).digest('hex')}`);
  }
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: diffIds },
  });
  fs.writeFileSync(path.join(archive, 'config.json'), config);
  fs.writeFileSync(
    path.join(archive, 'manifest.json'),
    JSON.stringify([{ Config: 'config.json', RepoTags: ['many:layers'], Layers: diffIds.map((_, i) => `layer${i}.tar`) }]),
  );
  const tarFile = path.join(work, 'many.tar');
  execFileSync('tar', ['-C', archive, '-cf', tarFile, '.']);

  const result = await engine.archives.load(fs.createReadStream(tarFile));
  t.deepEqual(result.loaded, ['many:layers']);
  const id = engine.images.resolve('many:layers');
  t.is(engine.images.layers(id).length, LAYERS);

  engine.images.mount(id, mnt);
  mounted = true;
  t.is(fs.readdirSync(path.join(mnt, 'layers')).length, LAYERS);
  t.is(fs.readFileSync(path.join(mnt, 'layers', 'file0'), 'utf8'), 'layer 0\n');
  t.is(fs.readFileSync(path.join(mnt, 'layers', `file${LAYERS - 1}`), 'utf8'), `layer ${LAYERS - 1}\n`);
  t.is(fs.readFileSync(path.join(mnt, 'top'), 'utf8'), `${LAYERS - 1}\n`);
  t.throws(() => fs.writeFileSync(path.join(mnt, 'new'), 'x'), { code: 'EROFS' });
});
