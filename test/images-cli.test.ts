/**
 * The image verbs as a user types them: the real `berth` command in a child
 * process against a fresh store root per test, checked for Docker's columns,
 * messages and exit codes, and for leaving the store as it was on failure.
 */
import anyTest from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { humanSize } from '../src/app/cli/format.js';
import {
  berth,
  berthOk,
  busyboxTar,
  dockerArchive,
  importBusybox,
  makeRoot,
  repoRoot,
  requireRoot,
  sha256File,
  tarOf,
  tempDir,
} from './helpers/berth.js';

// Importing unpacks layers with their owners and device nodes: root only.
const test = requireRoot(anyTest);

const HEX12 = /^[0-9a-f]{12}$/;

/** Rows of a Docker-style table as records keyed by header, cut at the header's column starts. */
function parseTable(text: string): { header: string; columns: string[]; rows: Record<string, string>[] } {
  const [header, ...lines] = text.replace(/\n$/, '').split('\n');
  const columns = header.split(/ {2,}/);
  const starts = columns.map((c) => header.indexOf(c));
  const rows = lines.map((line) =>
    Object.fromEntries(columns.map((c, i) => [c, line.slice(starts[i], starts[i + 1] ?? line.length).trim()])),
  );
  return { header, columns, rows };
}

/** What `images` holds, independent of the clock: full ID and name per row. */
async function imageNames(root: string): Promise<string[]> {
  return (await berthOk(root, 'images', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}')).split('\n').filter(Boolean).sort();
}

/** Names of entries in a store subdirectory, for before/after comparisons. */
function entries(root: string, sub: string): string[] {
  const dir = path.join(root, sub);
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

test('import prints the ID, and images lists it in Docker columns and forms', async (t) => {
  const root = makeRoot(t);
  const id = await importBusybox(root);
  t.regex(id, /^sha256:[0-9a-f]{64}$/);

  const plain = await berth(root, 'images');
  t.is(plain.code, 0);
  const { header, columns, rows } = parseTable(plain.stdout);
  t.deepEqual(columns, ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE']);
  t.is(rows.length, 1);
  const size = Number((await berthOk(root, 'inspect', '-f', '{{.Size}}', 'busybox')).trim());
  t.like(rows[0], { REPOSITORY: 'busybox', TAG: 'latest', 'IMAGE ID': id.slice(7, 19), SIZE: humanSize(size) });
  t.regex(rows[0].CREATED, /^(Less than a second|\d+ seconds?) ago$/);
  // columns line up under their headings, as Docker's tabwriter leaves them
  const row = plain.stdout.split('\n')[1];
  t.is(row.indexOf(id.slice(7, 19)), header.indexOf('IMAGE ID'));

  t.is((await berthOk(root, 'images', '-q')).trim(), id.slice(7, 19));
  t.regex(await berthOk(root, 'images', '--no-trunc'), new RegExp(`busybox +latest +${id} `));

  const digests = parseTable(await berthOk(root, 'images', '--digests'));
  t.deepEqual(digests.columns, ['REPOSITORY', 'TAG', 'DIGEST', 'IMAGE ID', 'CREATED', 'SIZE']);
  t.like(digests.rows[0], { REPOSITORY: 'busybox', DIGEST: '<none>', 'IMAGE ID': id.slice(7, 19) });

  t.is(await berthOk(root, 'images', '--format', '{{.Repository}}:{{.Tag}}'), 'busybox:latest\n');
  t.is(await berthOk(root, 'images', '-q', 'nosuch'), '', 'a repository argument that matches nothing lists nothing');
});

test('tag adds a second name to the same image; rmi takes names off, then the image', async (t) => {
  const root = makeRoot(t);
  const id = await importBusybox(root);
  t.is((await berth(root, 'tag', 'busybox', 'example.com/team/box:v1')).code, 0);
  t.deepEqual(await imageNames(root), [`${id} busybox:latest`, `${id} example.com/team/box:v1`]);
  t.is((await berthOk(root, 'images', '-q')).trim(), id.slice(7, 19), '-q lists an image once, however many names it has');

  // By ID with two names: refused without -f, as Docker does.
  const byId = await berth(root, 'rmi', id.slice(7, 19));
  t.is(byId.code, 1);
  t.regex(byId.stderr, /^Error: unable to delete [0-9a-f]{12} \(must be forced\) - image is referenced in multiple repositories\n$/);

  t.deepEqual(await berth(root, 'rmi', 'example.com/team/box:v1'), { code: 0, signal: null, stdout: 'Untagged: example.com/team/box:v1\n', stderr: '' });
  t.deepEqual(await imageNames(root), [`${id} busybox:latest`]);

  const last = await berth(root, 'rmi', 'busybox');
  t.is(last.code, 0);
  t.is(last.stdout, `Untagged: busybox:latest\nDeleted: ${id}\n`);
  t.deepEqual(await imageNames(root), []);
  // the image's only layer went with it
  t.is((await berthOk(root, 'info', '--format', '{{.Layers}}')).trim(), '0');
  t.deepEqual(entries(root, 'overlay').filter((n) => n !== 'l' && n !== 'empty'), []);
  t.deepEqual(entries(root, 'blobs/sha256'), []);
});

test('rmi -f by ID removes every name; rmi of a missing image exits 1 with Docker wording', async (t) => {
  const root = makeRoot(t);
  const id = await importBusybox(root);
  await berthOk(root, 'tag', 'busybox', 'other');
  const forced = await berth(root, 'rmi', '-f', id);
  t.is(forced.code, 0);
  t.deepEqual(forced.stdout.split('\n').filter(Boolean).sort(), [`Deleted: ${id}`, 'Untagged: busybox:latest', 'Untagged: other:latest']);

  t.deepEqual(await berth(root, 'rmi', 'nosuch'), { code: 1, signal: null, stdout: '', stderr: 'Error: No such image: nosuch:latest\n' });
  // several names: what exists goes, each missing one is reported, exit 1
  await importBusybox(root);
  const mixed = await berth(root, 'rmi', 'nosuch', 'busybox');
  t.is(mixed.code, 1);
  t.is(mixed.stderr, 'Error: No such image: nosuch:latest\n');
  t.regex(mixed.stdout, /^Untagged: busybox:latest\nDeleted: sha256:[0-9a-f]{64}\n$/);
});

test('history shows Docker columns and the import comment', async (t) => {
  const root = makeRoot(t);
  const id = await importBusybox(root);
  const result = await berth(root, 'history', 'busybox');
  t.is(result.code, 0);
  const { columns, rows } = parseTable(result.stdout);
  t.deepEqual(columns, ['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT']);
  t.is(rows.length, 1);
  t.like(rows[0], { IMAGE: id.slice(7, 19), 'CREATED BY': '', COMMENT: `Imported from ${busyboxTar()}` });
  t.regex(rows[0].CREATED, / ago$/);
  t.regex(rows[0].SIZE, /^\d+(\.\d+)?(B|kB|MB)$/);
  t.is((await berthOk(root, 'history', '-q', '--no-trunc', 'busybox')).trim(), id);

  const messaged = await berthOk(root, 'import', '-m', 'my message', busyboxTar(), 'msg:1');
  t.regex(messaged, /^sha256:/);
  t.is((await berthOk(root, 'history', '--format', '{{.Comment}}', 'msg:1')).trim(), 'my message');
});

test('inspect gives Docker JSON shape; -f renders a template; a missing name exits 1', async (t) => {
  const root = makeRoot(t);
  const id = await importBusybox(root);
  const result = await berth(root, 'inspect', 'busybox');
  t.is(result.code, 0);
  const parsed = JSON.parse(result.stdout) as Record<string, any>[];
  t.is(parsed.length, 1);
  const [image] = parsed;
  t.is(image.Id, id);
  t.deepEqual(image.RepoTags, ['busybox:latest']);
  t.deepEqual(image.Config.Cmd, ['sh']);
  // a plain tar's DiffID is its own sha256
  t.deepEqual(image.RootFS, { Type: 'layers', Layers: [sha256File(busyboxTar())] });
  t.is(image.Architecture, process.arch === 'x64' ? 'amd64' : process.arch);
  t.is(image.Os, 'linux');
  t.false(Number.isNaN(Date.parse(image.Created)));
  t.is(typeof image.Size, 'number');
  t.is(image.GraphDriver.Name, 'overlay');

  t.is(await berthOk(root, 'inspect', '-f', '{{.Id}}', 'busybox'), `${id}\n`);
  t.is(await berthOk(root, 'image', 'inspect', '--format', '{{json .Config.Cmd}}', id.slice(7, 19)), '["sh"]\n');

  const missing = await berth(root, 'inspect', 'nosuch');
  t.is(missing.code, 1);
  t.is(missing.stdout, '[]\n');
  t.is(missing.stderr, 'Error: No such object: nosuch\n');
});

test('images --tree shows a shared base layer once, with an image built on it as a child', async (t) => {
  t.timeout(120_000);
  const root = makeRoot(t);
  const work = tempDir(t);
  // Two imports of the same rootfs: two images, one layer.
  await importBusybox(root, 'busybox:latest');
  await importBusybox(root, 'copy:1');
  // A two-layer image on the same base, written as a Docker archive by hand.
  fs.mkdirSync(path.join(work, 'top/etc'), { recursive: true });
  fs.writeFileSync(path.join(work, 'top/etc/motd'), 'built on busybox\n');
  const top = tarOf(path.join(work, 'top.tar'), path.join(work, 'top'), ['etc']);
  dockerArchive(path.join(work, 'child.tar'), { tag: 'child:1', layers: [busyboxTar(), top] });
  t.is(await berthOk(root, 'load', '-i', path.join(work, 'child.tar')), 'Loaded image: child:1\n');

  const base = sha256File(busyboxTar());
  const childChain = `sha256:${createHash('sha256').update(`${base} ${sha256File(top)}`).digest('hex')}`;
  const lines = (await berthOk(root, 'images', '--tree')).trimEnd().split('\n');
  t.is(lines.length, 2, lines.join('\n'));
  const baseLine = /^└─([0-9a-f]{12}) Virtual Size: \S+ Tags: (.*)$/.exec(lines[0]);
  t.truthy(baseLine, lines[0]);
  t.is(baseLine?.[1], base.slice(7, 19));
  t.deepEqual(baseLine?.[2].split(', ').sort(), ['busybox:latest', 'copy:1']);
  t.regex(lines[1], new RegExp(`^  └─${childChain.slice(7, 19)} Virtual Size: \\S+ Tags: child:1$`));
});

test('a bad reference is refused in one line with exit 1, and nothing changes', async (t) => {
  const root = makeRoot(t);
  const id = await importBusybox(root);
  const before = await imageNames(root);
  for (const bad of ['Bad:Name', 'busybox:bad:tag', 'UPPER', 'a//b', ':nope', 'busybox@sha256:1234']) {
    const r = await berth(root, 'tag', 'busybox', bad);
    t.is(r.code, 1, bad);
    t.is(r.stdout, '', bad);
    t.regex(r.stderr, /^Error: (invalid reference format|refusing to create a tag with a digest)[^\n]*\n$/, bad);
  }
  const tagMissing = await berth(root, 'tag', 'nosuch', 'x');
  t.deepEqual([tagMissing.code, tagMissing.stderr], [1, 'Error: No such image: nosuch:latest\n']);
  const importBad = await berth(root, 'import', busyboxTar(), 'Bad:Name');
  t.is(importBad.code, 1);
  t.regex(importBad.stderr, /^Error: invalid reference format[^\n]*\n$/);
  t.deepEqual(await imageNames(root), before);
  t.deepEqual(before, [`${id} busybox:latest`]);
  t.deepEqual(entries(root, 'tmp'), []);
});

test('unknown flags and missing arguments are usage errors: exit 125; an unknown command exits 1, as docker', async (t) => {
  const root = makeRoot(t);
  for (const args of [['images', '--bogus'], ['images', '-Z'], ['--bogus', 'images'], ['rmi'], ['tag', 'one']]) {
    const r = await berth(root, ...args);
    t.is(r.code, 125, args.join(' '));
    t.is(r.stdout, '', args.join(' '));
    t.regex(r.stderr, /unknown flag|unknown shorthand flag|requires (at least|exactly)/, args.join(' '));
  }
  t.regex((await berth(root, 'images', '--bogus')).stderr, /unknown flag: --bogus\nSee 'berth images --help'\.\n$/);
  // every command's --help, run's and exec's too (they pass what follows the image or container on)
  for (const verb of ['run', 'create', 'exec', 'images']) {
    const help = await berth(root, verb, '--help');
    t.deepEqual([help.code, help.stderr], [0, ''], verb);
    t.regex(help.stdout, new RegExp(`^\\nUsage:  berth ${verb} \\[OPTIONS\\]`), verb);
  }
  for (const args of [['nosuchverb'], ['image', 'nosuch']]) {
    const r = await berth(root, ...args);
    t.deepEqual([r.code, r.stdout], [1, ''], args.join(' '));
    t.regex(r.stderr, /^berth: '[a-z ]+' is not a berth command\.\nSee 'berth( image)? --help'\n$/, args.join(' '));
  }
});

test('image prune -f removes dangling images only', async (t) => {
  const root = makeRoot(t);
  const kept = await importBusybox(root);
  const dangling = (await berthOk(root, 'import', busyboxTar())).trim();
  t.deepEqual(await imageNames(root), [`${dangling} <none>:<none>`, `${kept} busybox:latest`].sort());

  const pruned = await berth(root, 'image', 'prune', '-f');
  t.is(pruned.code, 0);
  t.regex(pruned.stdout, new RegExp(`^Deleted Images:\ndeleted: ${dangling}\n\nTotal reclaimed space: \\d+(\\.\\d+)?(B|kB|MB)\n$`));
  t.deepEqual(await imageNames(root), [`${kept} busybox:latest`]);
  // The shared layer stays for the image still using it.
  t.is((await berthOk(root, 'info', '--format', '{{.Layers}}')).trim(), '1');

  t.is(await berthOk(root, 'image', 'prune', '-f'), 'Total reclaimed space: 0B\n');
});

test('version and info describe berth and the store', async (t) => {
  const root = makeRoot(t);
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const version = await berth(root, 'version');
  t.is(version.code, 0);
  t.regex(version.stdout, new RegExp(`^Client:\n Version: +${pkg.version.replace(/\./g, '\\.')}\n API version: +\\d+\\.\\d+\n`));
  t.is(await berthOk(root, 'version', '--format', '{{.Client.Version}}'), `${pkg.version}\n`);
  t.is(await berthOk(root, '--version'), `berth version ${pkg.version}\n`);

  t.regex(await berthOk(root, 'info'), /\n Images: 0\n/);
  await importBusybox(root);
  const info = await berthOk(root, 'info');
  t.regex(info, /\n Images: 1\n/);
  t.regex(info, /\n Storage Driver: overlay\n {2}Layers: 1\n/);
  t.regex(info, /\n Cgroup Version: (1|2)\b/);
  t.true(info.includes(`\n Berth Root Dir: ${root}\n`), info);
  t.is(await berthOk(root, 'info', '--format', '{{.Images}} {{.Driver}}'), '1 overlay\n');
});

test('save -o then load -i into another root gives the same image ID and tags', async (t) => {
  const [first, second, work] = [makeRoot(t), makeRoot(t), tempDir(t)];
  const id = await importBusybox(first);
  await berthOk(first, 'tag', 'busybox', 'example.com/box:2');
  const archive = path.join(work, 'S.tar');
  const saved = await berth(first, 'save', '-o', archive, 'busybox', 'example.com/box:2');
  t.deepEqual([saved.code, saved.stdout, saved.stderr], [0, '', '']);
  t.deepEqual(fs.readdirSync(work), ['S.tar'], 'nothing but the archive is left beside it');

  const loaded = await berth(second, 'load', '-i', archive);
  t.is(loaded.code, 0, loaded.stderr);
  t.deepEqual(loaded.stdout.split('\n').filter(Boolean).sort(), ['Loaded image: busybox:latest', 'Loaded image: example.com/box:2']);
  t.deepEqual(await imageNames(second), [`${id} busybox:latest`, `${id} example.com/box:2`]);
  const rootfs = '{{json .RootFS.Layers}} {{json .Config}} {{.Size}}';
  t.is(await berthOk(second, 'inspect', '-f', rootfs, 'busybox'), await berthOk(first, 'inspect', '-f', rootfs, 'busybox'));
  t.deepEqual(entries(second, 'tmp'), []);

  // Loading the same archive again changes nothing.
  t.is((await berth(second, 'load', '-q', '-i', archive)).code, 0);
  t.deepEqual(await imageNames(second), [`${id} busybox:latest`, `${id} example.com/box:2`]);
});

test('one archive of two images that share a layer loads both', async (t) => {
  // As `docker save a b` of two images on one base: the archive holds the
  // shared layer blob once, and both images point at it.
  const [first, second, work] = [makeRoot(t), makeRoot(t), tempDir(t)];
  const busybox = await importBusybox(first);
  const other = (await berthOk(first, 'import', '-c', 'ENV A=b', busyboxTar(), 'other:1')).trim();
  const archive = path.join(work, 'S.tar');
  await berthOk(first, 'save', '-o', archive, 'busybox', 'other:1');

  const loaded = await berth(second, 'load', '-i', archive);
  t.is(loaded.code, 0, loaded.stderr);
  t.deepEqual(loaded.stdout.split('\n').filter(Boolean).sort(), ['Loaded image: busybox:latest', 'Loaded image: other:1']);
  t.deepEqual(await imageNames(second), [`${busybox} busybox:latest`, `${other} other:1`].sort());
  t.is((await berthOk(second, 'info', '--format', '{{.Layers}}')).trim(), '1');
  t.deepEqual(entries(second, 'tmp'), []);
});

test('save fails cleanly: a missing directory or image gives one line, exit 1, and no file', async (t) => {
  const [root, work] = [makeRoot(t), tempDir(t)];
  await importBusybox(root);

  const noDir = await berth(root, 'save', '-o', path.join(work, 'missing/dir/out.tar'), 'busybox');
  t.is(noDir.code, 1);
  t.regex(noDir.stderr, /^Error: [^\n]*missing\/dir[^\n]*\n$/, 'one line naming the directory');
  t.false(fs.existsSync(path.join(work, 'missing')));

  const noImage = await berth(root, 'save', '-o', path.join(work, 'out.tar'), 'nosuch');
  t.deepEqual([noImage.code, noImage.stderr], [1, 'Error: No such image: nosuch:latest\n']);
  t.deepEqual(fs.readdirSync(work), [], 'no archive and no partial file is left behind');
});

/** Archives that are not loadable, each made from a good one or from nothing. */
const BROKEN: Record<string, (good: Buffer) => Buffer> = {
  truncated: (good) => good.subarray(0, Math.floor(good.length / 2)),
  'a flipped byte in a layer': (good) => {
    const copy = Buffer.from(good);
    // busybox's ELF header is inside the layer blob; a byte after it is layer content
    const at = copy.indexOf(Buffer.from('\x7fELF', 'latin1')) + 4096;
    copy[at] ^= 0xff;
    return copy;
  },
  garbage: () => Buffer.concat(Array.from({ length: 64 }, (_, i) => createHash('sha256').update(`garbage ${i}`).digest())),
  empty: () => Buffer.alloc(0),
  'a plain rootfs tar': () => fs.readFileSync(busyboxTar()),
};

for (const [name, breakIt] of Object.entries(BROKEN)) {
  test(`load of ${name} fails in one line, exit 1, and leaves the store as it was`, async (t) => {
    const [source, root, work] = [makeRoot(t), makeRoot(t), tempDir(t)];
    await importBusybox(source);
    const good = path.join(work, 'good.tar');
    await berthOk(source, 'save', '-o', good, 'busybox');
    const bad = path.join(work, 'bad.tar');
    fs.writeFileSync(bad, breakIt(fs.readFileSync(good)));

    const result = await berth(root, 'load', '-i', bad);
    t.is(result.code, 1);
    t.is(result.stdout, '');
    t.regex(result.stderr, /^Error: [^\n]+\n$/);
    t.deepEqual(await imageNames(root), []);
    t.deepEqual(entries(root, 'tmp'), []);
    t.deepEqual(entries(root, 'overlay'), ['l']);
    t.deepEqual(entries(root, 'blobs/sha256'), []);
  });
}

test('a load that fails on its second layer leaves no orphan layer or blob behind', async (t) => {
  // The first layer is unpacked and moved into the store before the second
  // one turns out truncated; nothing may be left that no row refers to.
  const [root, work] = [makeRoot(t), tempDir(t)];
  const dir = path.join(work, 'archive');
  fs.mkdirSync(path.join(work, 'top/data'), { recursive: true });
  fs.writeFileSync(path.join(work, 'top/data/blob'), Buffer.alloc(256 * 1024, 7));
  const top = tarOf(path.join(work, 'top.tar'), path.join(work, 'top'), ['data']);
  fs.mkdirSync(dir);
  fs.copyFileSync(busyboxTar(), path.join(dir, 'base.tar'));
  fs.writeFileSync(path.join(dir, 'top.tar'), fs.readFileSync(top).subarray(0, 100 * 1024));
  const config = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256File(busyboxTar()), sha256File(top)] } };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify([{ Config: 'config.json', RepoTags: ['half:1'], Layers: ['base.tar', 'top.tar'] }]));
  const archive = tarOf(path.join(work, 'half.tar'), dir, ['manifest.json', 'config.json', 'base.tar', 'top.tar']);

  const result = await berth(root, 'load', '-i', archive);
  t.is(result.code, 1);
  t.regex(result.stderr, /^Error: [^\n]+\n$/);
  t.deepEqual(await imageNames(root), []);
  t.deepEqual(entries(root, 'tmp'), []);
  t.deepEqual(entries(root, 'overlay'), ['l'], 'no layer directory without a row');
  t.deepEqual(entries(root, 'blobs/sha256'), [], 'no blob without a row');
});
