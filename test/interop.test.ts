/**
 * berth against tools nobody here wrote: images built by umoci and converted
 * by skopeo must load into berth with the file tree umoci itself unpacks, and
 * berth's saved archives must read back in skopeo, umoci, and docker or
 * podman when a daemon is there.
 */
import anyTest from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Engine } from '../src/engine/engine.js';
import { dockerDaemon, dockerUsable } from './helpers/dockerd.js';
import {
  berth,
  berthOk,
  busyboxTar,
  daemonAnswers,
  hasCommand,
  importBusybox,
  makeRoot,
  mountImage,
  requireRoot,
  tempDir,
  testIf,
  treeOf,
  type Teardowns,
} from './helpers/berth.js';

const test = requireRoot(anyTest, 'skopeo', 'umoci');

const run = (cmd: string, ...args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
/** skopeo without a policy file: everything here is local. */
const skopeo = (...args: string[]) => run('skopeo', '--insecure-policy', ...args);

/**
 * One OCI layout, built once per file with umoci: v1 is busybox plus files
 * that are easy to get wrong (a symlink, hard links, setuid and setgid bits,
 * a name with spaces, another owner, a device node, a fifo); v2 adds a layer
 * that deletes a file and a directory (whiteouts) and changes a file.
 */
let layout: Promise<string> | undefined;
let layoutDir: string | undefined;
anyTest.after.always(() => {
  if (layoutDir) fs.rmSync(layoutDir, { recursive: true, force: true });
});

function umociLayout(): Promise<string> {
  layout ??= (async () => {
    layoutDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-umoci-'));
    const image = path.join(layoutDir, 'layout');
    const bundle = path.join(layoutDir, 'bundle');
    run('umoci', 'init', '--layout', image);
    run('umoci', 'new', '--image', `${image}:v1`);
    run('umoci', 'unpack', '--image', `${image}:v1`, bundle);
    const rootfs = path.join(bundle, 'rootfs');
    run('tar', '-xf', busyboxTar(), '-C', rootfs);
    const extra = path.join(rootfs, 'extra');
    fs.mkdirSync(path.join(extra, 'gone/deeper'), { recursive: true });
    fs.writeFileSync(path.join(extra, 'a file with spaces'), 'spaces\n');
    fs.symlinkSync('../bin/busybox', path.join(extra, 'sym'));
    fs.writeFileSync(path.join(extra, 'hard1'), 'linked twice\n');
    fs.linkSync(path.join(extra, 'hard1'), path.join(extra, 'hard2'));
    fs.writeFileSync(path.join(extra, 'setuid'), '#!/bin/sh\n', { mode: 0o755 });
    fs.chmodSync(path.join(extra, 'setuid'), 0o4755);
    fs.mkdirSync(path.join(extra, 'setgid-dir'));
    fs.chmodSync(path.join(extra, 'setgid-dir'), 0o2775);
    fs.writeFileSync(path.join(extra, 'owned'), 'by 1000\n');
    fs.chownSync(path.join(extra, 'owned'), 1000, 1001);
    fs.writeFileSync(path.join(extra, 'remove-me'), 'deleted in v2\n');
    fs.writeFileSync(path.join(extra, 'gone/deeper/file'), 'deleted with its directory in v2\n');
    run('mknod', '-m', '0666', path.join(extra, 'null'), 'c', '1', '3');
    run('mkfifo', path.join(extra, 'fifo'));
    run('umoci', 'repack', '--refresh-bundle', '--image', `${image}:v1`, bundle);
    fs.rmSync(path.join(extra, 'remove-me'));
    fs.rmSync(path.join(extra, 'gone'), { recursive: true });
    fs.writeFileSync(path.join(rootfs, 'etc/motd'), 'changed in v2\n');
    run('umoci', 'repack', '--image', `${image}:v2`, bundle);
    return image;
  })();
  return layout;
}

/** The config digest (= image ID) of `tag` in an OCI layout, read from its index and manifest. */
function configDigest(image: string, tag: string): string {
  const index = JSON.parse(fs.readFileSync(path.join(image, 'index.json'), 'utf8')) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!entry) throw new Error(`no ${tag} in ${image}`);
  const manifest = JSON.parse(fs.readFileSync(path.join(image, 'blobs/sha256', entry.digest.slice(7)), 'utf8')) as { config: { digest: string } };
  return manifest.config.digest;
}

/** What umoci unpacks for image:tag, as a tree listing. */
function umociTree(work: string, image: string, tag: string): string[] {
  const bundle = path.join(work, `bundle-${tag}`);
  run('umoci', 'unpack', '--image', `${image}:${tag}`, bundle);
  return treeOf(path.join(bundle, 'rootfs'));
}

const loadsLikeUmoci = anyTest.macro({
  title: (_, tag: string, transport: 'docker-archive' | 'oci-archive') =>
    `an umoci image (${tag}) copied by skopeo to ${transport} loads with umoci's file tree`,
  async exec(t, tag: string, transport: 'docker-archive' | 'oci-archive') {
    t.timeout(180_000);
    const image = await umociLayout();
    const [root, work] = [makeRoot(t), tempDir(t)];
    const archive = path.join(work, 'image.tar');
    // docker-archive carries a repository name; an OCI archive only a tag, so berth loads it untagged
    skopeo('copy', '--quiet', `oci:${image}:${tag}`, transport === 'docker-archive' ? `docker-archive:${archive}:interop/test:${tag}` : `oci-archive:${archive}:${tag}`);

    const loaded = await berth(root, 'load', '-i', archive);
    t.is(loaded.code, 0, loaded.stderr);
    const id = configDigest(image, tag);
    t.is(loaded.stdout, transport === 'docker-archive' ? `Loaded image: interop/test:${tag}\n` : `Loaded image ID: ${id}\n`);
    t.is((await berthOk(root, 'inspect', '-f', '{{.Id}}', id)).trim(), id, 'the image ID is the config digest umoci wrote');

    const mounted = treeOf(mountImage(t, root, id));
    t.deepEqual(mounted, umociTree(work, image, tag));
    // spelled out, so a failure says which special file went wrong
    t.true(mounted.some((l) => l.startsWith('extra/setuid file 4755 0:0 ')));
    t.true(mounted.some((l) => l.startsWith('extra/hard2 file ') && l.endsWith('hardlink-group=extra/hard1')));
    t.true(mounted.some((l) => l.startsWith('extra/null chardev 0666 0:0 ')));
    t.is(mounted.some((l) => l.startsWith('extra/remove-me ')), tag === 'v1');
    t.is(mounted.some((l) => l.startsWith('extra/gone ')), tag === 'v1');
  },
});

for (const tag of ['v1', 'v2']) {
  for (const transport of ['docker-archive', 'oci-archive'] as const) test(loadsLikeUmoci, tag, transport);
}

/** berth's saved busybox, shared by the checks below (each in its own root). */
async function savedBusybox(t: Teardowns): Promise<{ root: string; work: string; archive: string; id: string }> {
  const [root, work] = [makeRoot(t), tempDir(t)];
  const id = await importBusybox(root);
  const archive = path.join(work, 'S.tar');
  await berthOk(root, 'save', '-o', archive, 'busybox:latest');
  return { root, work, archive, id };
}

for (const transport of ['docker-archive', 'oci-archive']) {
  test(`skopeo reads berth save as ${transport}, and umoci unpacks it to berth's tree`, async (t) => {
    t.timeout(180_000);
    const { root, work, archive, id } = await savedBusybox(t);
    const engine = Engine.open({ root });
    const layers = engine.images.layers(engine.images.resolve('busybox'));
    const diffIds = engine.images.config(engine.images.resolve(id)).rootfs.diff_ids;
    engine.close();

    const inspected = JSON.parse(skopeo('inspect', `${transport}:${archive}`)) as { Layers: string[]; Architecture: string; Os: string };
    t.deepEqual(inspected.Layers, layers.map((l) => l.blob), 'layer digests are berth blob digests');
    t.deepEqual(inspected.Layers, diffIds, 'an imported layer is stored uncompressed: blob digest = DiffID');
    t.is(inspected.Os, 'linux');
    t.is(inspected.Architecture, process.arch === 'x64' ? 'amd64' : process.arch);
    const raw = JSON.parse(skopeo('inspect', '--raw', `${transport}:${archive}`)) as { config: { digest: string } };
    t.is(raw.config.digest, id, 'the config is the one berth hashed into the image ID');
    const config = JSON.parse(skopeo('inspect', '--config', `${transport}:${archive}`)) as { config: { Cmd: string[] } };
    t.deepEqual(config.config.Cmd, ['sh']);

    const out = path.join(work, 'out');
    skopeo('copy', '--quiet', `${transport}:${archive}`, `oci:${out}:t`);
    t.deepEqual(umociTree(work, out, 't'), treeOf(mountImage(t, root, 'busybox')));
  });
}

for (const cli of ['docker', 'podman'] as const) {
  const missing = process.getuid?.() !== 0
    ? 'needs root'
    : !hasCommand(cli)
      ? `${cli} is not installed`
      : cli === 'docker'
        ? dockerUsable()
          ? undefined
          : 'docker is installed but no daemon answers and dockerd is not installed'
        : daemonAnswers(cli)
          ? undefined
          : `${cli} is installed but \`${cli} info\` fails`;
  testIf(anyTest, missing)(`${cli} load reads berth save`, async (t) => {
    t.timeout(180_000);
    // with no docker daemon running, one of the test's own
    const env = cli === 'docker' ? await dockerDaemon(t) : process.env;
    // podman wants its OCI runtime to exist even to load an image; runc copes with hybrid cgroups where crun does not
    const flags = cli === 'podman' && hasCommand('runc') ? ['--runtime', 'runc'] : [];
    const run = (cmd: string, ...args: string[]) => execFileSync(cmd, [...flags, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const { root, archive } = await savedBusybox(t);
    // A name of our own, so the daemon's real images are left alone.
    const name = `berth-interop-test:${process.pid}`;
    await berthOk(root, 'tag', 'busybox', name);
    fs.rmSync(archive);
    await berthOk(root, 'save', '-o', archive, name);
    const id = (await berthOk(root, 'inspect', '-f', '{{.Id}}', name)).trim();
    t.teardown(() => {
      try {
        run(cli, 'rmi', name);
      } catch {
        // already gone, or never loaded
      }
    });
    t.regex(run(cli, 'load', '-i', archive), new RegExp(`Loaded image: (localhost/|docker.io/library/)?${name}`));
    t.is(run(cli, 'image', 'inspect', '-f', '{{.Id}}', name).trim().replace(/^(sha256:)?/, 'sha256:'), id);
  });
}
