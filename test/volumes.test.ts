/**
 * Volumes, through the real CLI: named volumes outlive containers, empty
 * volumes are seeded from the image, binds can be read-only, tmpfs has its
 * size, anonymous volumes go with `rm -v` / `--rm`, the volume verbs speak
 * Docker, an image's symlink cannot carry a mount out of the rootfs, and bad
 * input is one line that changes nothing. The parsers are tested directly.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { berth, berthOk, mountImage, requireRoot, tempDir, treeOf } from './helpers/berth.js';
import { containerRoot, removeCgroupParent } from './helpers/containers.js';
import { mountSpecMount, parseMountFlag, parseVolumeFlag, parseVolumesFrom, tmpfsData, volumeFlagMount } from '../src/engine/volumes/parse.js';
import { mergeMounts } from '../src/engine/volumes/merge.js';
import { loadNative } from '../src/engine/native.js';

const rootTest = requireRoot(test);
test.after.always(removeCgroupParent);

const lines = (text: string) => text.split('\n').filter(Boolean);

async function inspect(root: string, name: string): Promise<Record<string, unknown>> {
  return (JSON.parse(await berthOk(root, 'inspect', '--type', 'container', name)) as Record<string, unknown>[])[0];
}

async function volumeNames(root: string): Promise<string[]> {
  return lines(await berthOk(root, 'volume', 'ls', '-q'));
}

/** An image `tag` made from busybox by running `script` and committing with `changes`. */
async function buildImage(root: string, tag: string, script: string, changes: string[]): Promise<void> {
  await berthOk(root, 'run', '--name', `${tag}-prep`, 'busybox', 'sh', '-c', script);
  await berthOk(root, 'commit', ...changes.flatMap((c) => ['--change', c]), `${tag}-prep`, tag);
  await berthOk(root, 'rm', `${tag}-prep`);
}

// ------------------------------------------------------------ parsers

test('-v values split as Docker splits them', (t) => {
  t.deepEqual(parseVolumeFlag('/data'), { destination: '/data', mode: '' });
  t.deepEqual(parseVolumeFlag('/h:/c/:ro'), { source: '/h', destination: '/c', mode: 'ro' });
  t.deepEqual(volumeFlagMount(parseVolumeFlag('/h:/c:ro')), {
    type: 'bind', source: '/h', destination: '/c', readOnly: true, mode: 'ro', propagation: 'rprivate', createSource: true,
  });
  t.deepEqual(volumeFlagMount(parseVolumeFlag('name:/c')), {
    type: 'volume', name: 'name', destination: '/c', readOnly: false, mode: 'z', propagation: '', copyData: true,
  });
  t.false(volumeFlagMount(parseVolumeFlag('name:/c:nocopy')).copyData);
  t.is(volumeFlagMount(parseVolumeFlag('/h:/c:rshared')).propagation, 'rshared');
  t.throws(() => parseVolumeFlag('/data:ro'), { message: "invalid volume specification: '/data:ro'" });
  t.throws(() => parseVolumeFlag('a:b:c:d'), { message: "invalid volume specification: 'a:b:c:d'" });
  t.throws(() => parseVolumeFlag('a::/c'), { message: "invalid volume specification: 'a::/c'" });
  t.throws(() => parseVolumeFlag('/h:/c:ro,rw'), { message: 'invalid mode: ro,rw' });
  t.throws(() => parseVolumeFlag('/h:/c:bogus'), { message: 'invalid mode: bogus' });
  t.throws(() => parseVolumeFlag('v:data'), { message: `invalid volume specification: 'v:data': invalid mount config for type "volume": invalid mount path: 'data' mount path must be absolute` });
  t.throws(() => parseVolumeFlag('/h:/'), { message: /destination can't be '\/'/ });
  t.throws(() => volumeFlagMount(parseVolumeFlag('x/y:/c')), { message: /^create x\/y: "x\/y" includes invalid characters for a local volume name/ });
  t.throws(() => volumeFlagMount(parseVolumeFlag('a:/c')), { message: /includes invalid characters/ }); // two characters at least
});

test('--mount values parse and check as Docker parses and checks them', (t) => {
  t.deepEqual(parseMountFlag('type=bind,src=/tmp,dst=/x,readonly'), { Type: 'bind', Source: '/tmp', Target: '/x', ReadOnly: true });
  t.deepEqual(parseMountFlag('type=volume,source=v,target=/x,ro=false,volume-nocopy'), {
    Type: 'volume', Source: 'v', Target: '/x', ReadOnly: false, VolumeOptions: { NoCopy: true },
  });
  t.deepEqual(parseMountFlag('type=tmpfs,destination=/t,tmpfs-size=64m,tmpfs-mode=1770'), {
    Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 64 * 2 ** 20, Mode: 0o1770 },
  });
  t.throws(() => parseMountFlag('type=bind,src=/tmp,target'), { message: "invalid field 'target' must be a key=value pair" });
  t.throws(() => parseMountFlag('type=bind,src=/tmp,tgt=/x'), { message: "unexpected key 'tgt' in 'tgt=/x'" });
  t.throws(() => parseMountFlag('src=/tmp,target=/x'), { message: 'type is required' });
  t.throws(() => parseMountFlag('type=bind,src=/tmp'), { message: 'target is required' });
  t.throws(() => parseMountFlag('type=tmpfs,target=/x,tmpfs-size=lots'), { message: 'invalid value for tmpfs-size: lots' });
  t.throws(() => parseMountFlag('type=bind,src=/tmp,target=/x,readonly=maybe'), { message: 'invalid value for readonly: maybe' });
  t.throws(() => parseMountFlag('type=bind,src=/tmp,target=/x,volume-nocopy'), { message: "cannot mix 'volume-*' options with mount type 'bind'" });

  t.deepEqual(mountSpecMount(parseMountFlag('type=bind,source=/tmp/,target=/x/')), {
    type: 'bind', source: '/tmp', destination: '/x', readOnly: false, mode: '', propagation: 'rprivate',
  });
  t.like(mountSpecMount(parseMountFlag('type=volume,target=/x')), { type: 'volume', anonymous: true, copyData: true, mode: 'z' });
  t.throws(() => mountSpecMount(parseMountFlag('type=bind,source=/no/such/dir,target=/x')), {
    message: 'invalid mount config for type "bind": bind source path does not exist: /no/such/dir',
  });
  t.throws(() => mountSpecMount(parseMountFlag('type=bind,target=/x')), { message: 'invalid mount config for type "bind": field Source must not be empty' });
  t.throws(() => mountSpecMount(parseMountFlag('type=tmpfs,source=x,target=/x')), { message: 'invalid mount config for type "tmpfs": field Source must not be specified' });
  t.throws(() => mountSpecMount(parseMountFlag('type=nfs,target=/x')), { message: 'invalid mount config for type "nfs": mount type unknown' });
  t.throws(() => mountSpecMount(parseMountFlag('type=volume,target=/x,readonly')), { message: /must not set ReadOnly mode when using anonymous volumes/ });

  t.deepEqual(parseVolumesFrom('c1'), { container: 'c1', readOnly: false });
  t.deepEqual(parseVolumesFrom('c1:ro'), { container: 'c1', readOnly: true });
  t.throws(() => parseVolumesFrom('c1:rx'), { message: 'invalid mode for volumes-from: rx' });
  t.is(tmpfsData(2 ** 30, 0), 'size=1g');
  t.is(tmpfsData(3 * 2 ** 20, 0o755), 'mode=755,size=3m');
  t.is(tmpfsData(1000, 0), 'size=1000');
});

test('mount lines: a user mount replaces the engine one at its path, parents before children', (t) => {
  const m = (target: string, source = 'x') => ({ type: 'bind', source, target, flags: ['bind'] });
  const merged = mergeMounts([m('/etc/hostname', 'engine'), m('/etc/hosts', 'engine')], [m('/data/sub'), m('/etc/hosts', 'user'), m('/data')]);
  t.deepEqual(merged.map((x) => `${x.target}:${x.source}`), ['/data:x', '/etc/hostname:engine', '/data/sub:x', '/etc/hosts:user']);
});

// ------------------------------------------------------------ containers

rootTest('a named volume outlives its container; the next container sees the data', async (t) => {
  const root = await containerRoot(t);
  await berthOk(root, 'run', '--name', 'writer', '-v', 'keep:/data', 'busybox', 'sh', '-c', 'echo kept > /data/file');
  const mounts = (await inspect(root, 'writer')).Mounts;
  t.deepEqual(mounts, [
    {
      Type: 'volume', Name: 'keep', Source: path.join(root, 'volumes/keep/_data'), Destination: '/data',
      Driver: 'local', Mode: 'z', RW: true, Propagation: '',
    },
  ]);
  t.deepEqual(((await inspect(root, 'writer')).HostConfig as { Binds: unknown }).Binds, ['keep:/data']);
  await berthOk(root, 'rm', '-v', 'writer'); // -v takes anonymous volumes only
  t.deepEqual(await volumeNames(root), ['keep']);
  t.is(fs.readFileSync(path.join(root, 'volumes/keep/_data/file'), 'utf8'), 'kept\n');
  t.is(await berthOk(root, 'run', '--rm', '-v', 'keep:/elsewhere:ro', 'busybox', 'cat', '/elsewhere/file'), 'kept\n');
  t.deepEqual(await volumeNames(root), ['keep']); // --rm keeps named volumes too
});

rootTest('an empty volume is seeded from the image: owners, modes, symlinks, hard links, devices; never again once used', async (t) => {
  const root = await containerRoot(t);
  await buildImage(
    root,
    'seeded',
    [
      'mkdir -p /data/sub/deep && echo deep > /data/sub/deep/f && echo seed > /data/f',
      'chown 1234:5678 /data/f && chmod 0640 /data/f && ln -s f /data/link && ln -s /etc/passwd /data/abs',
      'ln /data/f /data/hard && mknod /data/null c 1 3 && chmod 4755 /data/sub && chown 42:43 /data && chmod 0750 /data',
    ].join(' && '),
    ['VOLUME /data'],
  );
  const imageData = path.join(mountImage(t, root, 'seeded'), 'data');
  const imageTree = treeOf(imageData);
  t.true(imageTree.length >= 7);

  // the image's VOLUME: an anonymous volume, seeded
  await berthOk(root, 'run', '--name', 'anon', 'seeded', 'true');
  const [anon] = (await inspect(root, 'anon')).Mounts as { Name: string; Source: string; Mode: string }[];
  t.regex(anon.Name, /^[0-9a-f]{64}$/);
  t.is(anon.Mode, '');
  t.deepEqual(treeOf(anon.Source), imageTree);
  const top = fs.statSync(anon.Source);
  t.deepEqual([top.uid, top.gid, top.mode & 0o7777], [42, 43, 0o750]);

  // a named volume the first time, and only while it is empty
  t.is(await berthOk(root, 'run', '--rm', '-v', 'named:/data', 'seeded', 'sh', '-c', 'cat /data/sub/deep/f && rm -r /data/* && echo mine > /data/own'), 'deep\n');
  t.is(await berthOk(root, 'run', '--rm', '-v', 'named:/data', 'seeded', 'ls', '/data'), 'own\n');
  // nocopy, and a bind, are never seeded
  t.is(await berthOk(root, 'run', '--rm', '-v', 'bare:/data:nocopy', 'seeded', 'ls', '-A', '/data'), '');
  const host = tempDir(t);
  await berthOk(root, 'run', '--rm', '-v', `${host}:/data`, 'seeded', 'true');
  t.deepEqual(fs.readdirSync(host), []);
});

rootTest('copy-up keeps extended attributes; volumes are seeded at create, before any start', async (t) => {
  const root = await containerRoot(t);
  const native = loadNative();
  const dir = tempDir(t);
  fs.mkdirSync(path.join(dir, 'data'));
  fs.writeFileSync(path.join(dir, 'data/f'), 'x\n');
  native.lsetxattr(path.join(dir, 'data/f'), 'user.berth', Buffer.from('file'));
  native.lsetxattr(path.join(dir, 'data'), 'user.berth', Buffer.from('top'));
  execFileSync('tar', ['--xattrs', '--xattrs-include=*', '--numeric-owner', '-C', dir, '-cf', path.join(dir, 'layer.tar'), 'data']);
  await berthOk(root, 'import', '--change', 'VOLUME /data', '--change', 'CMD ["/none"]', path.join(dir, 'layer.tar'), 'xattrs');
  await berthOk(root, 'create', '--name', 'never-started', 'xattrs');
  const [{ Source }] = (await inspect(root, 'never-started')).Mounts as { Source: string }[];
  t.is(fs.readFileSync(path.join(Source, 'f'), 'utf8'), 'x\n');
  t.is(native.lgetxattr(path.join(Source, 'f'), 'user.berth')?.toString(), 'file');
  t.is(native.lgetxattr(Source, 'user.berth')?.toString(), 'top');
});

rootTest('-v host:ctr:ro is read-only inside; rw writes reach the host; a missing -v host directory is created', async (t) => {
  const root = await containerRoot(t);
  const host = tempDir(t);
  fs.writeFileSync(path.join(host, 'file'), 'host\n');
  const ro = await berth(root, 'run', '--rm', '-v', `${host}:/h:ro`, 'busybox', 'sh', '-c', 'cat /h/file; echo x > /h/file');
  t.is(ro.stdout, 'host\n');
  t.not(ro.code, 0);
  t.regex(ro.stderr, /Read-only file system/);
  t.is(fs.readFileSync(path.join(host, 'file'), 'utf8'), 'host\n');

  await berthOk(root, 'run', '--name', 'rw', '-v', `${host}:/h`, 'busybox', 'sh', '-c', 'echo from-container > /h/new');
  t.is(fs.readFileSync(path.join(host, 'new'), 'utf8'), 'from-container\n');
  t.like(((await inspect(root, 'rw')).Mounts as object[])[0], { Type: 'bind', Source: host, Destination: '/h', Mode: '', RW: true, Propagation: 'rprivate' });
  t.false('Name' in ((await inspect(root, 'rw')).Mounts as object[])[0]);

  const missing = path.join(host, 'made/by/run');
  await berthOk(root, 'run', '--rm', '-v', `${missing}:/m`, 'busybox', 'touch', '/m/x');
  t.true(fs.existsSync(path.join(missing, 'x')));
  await berthOk(root, 'run', '--rm', '--mount', `type=bind,source=${host},target=/b,readonly`, 'busybox', 'test', '-f', '/b/file');
  t.deepEqual(await volumeNames(root), []);
});

rootTest('--mount type=tmpfs has its size and Docker flags', async (t) => {
  const root = await containerRoot(t);
  const out = await berthOk(root, 'run', '--name', 'tmp', '--mount', 'type=tmpfs,target=/scratch,tmpfs-size=1m,tmpfs-mode=1770', 'busybox', 'sh', '-c', 'grep " /scratch " /proc/mounts; stat -c %a /scratch; df -k /scratch | tail -1');
  const [mountLine, mode, df] = lines(out);
  t.regex(mountLine, /^tmpfs \/scratch tmpfs rw,nosuid,nodev,noexec,.*size=1024k,mode=1770/);
  t.is(mode, '1770');
  t.regex(df, /^tmpfs\s+1024\s/);
  t.deepEqual((await inspect(root, 'tmp')).Mounts, [{ Type: 'tmpfs', Source: '', Destination: '/scratch', Mode: '', RW: true, Propagation: '' }]);
  t.deepEqual(((await inspect(root, 'tmp')).HostConfig as { Mounts: unknown }).Mounts, [
    { Type: 'tmpfs', Target: '/scratch', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1770 } },
  ]);
});

rootTest('--tmpfs PATH[:OPTIONS]: the default flags Docker uses, options as the kernel takes them, HostConfig.Tmpfs; bad ones refused in one line', async (t) => {
  const root = await containerRoot(t);
  const script = 'grep -E " /run | /scratch " /proc/mounts; stat -c %a /run; echo x > /run/f && echo written; printf \'#!/bin/sh\\necho ran\\n\' > /scratch/t; chmod +x /scratch/t; /scratch/t';
  const out = await berthOk(root, 'run', '--name', 'tmp', '--tmpfs', '/run:size=1m,mode=700', '--tmpfs', '/scratch:exec', 'busybox', 'sh', '-c', script);
  const [run, scratch, mode, written, ran] = lines(out);
  t.regex(run, /^tmpfs \/run tmpfs rw,nosuid,nodev,noexec,.*size=1024k,mode=700/);
  t.regex(scratch, /^tmpfs \/scratch tmpfs rw,nosuid,nodev,relatime/);
  t.deepEqual([mode, written, ran], ['700', 'written', 'ran']);
  const inspected = await inspect(root, 'tmp');
  t.deepEqual((inspected.HostConfig as { Tmpfs: unknown }).Tmpfs, { '/run': 'size=1m,mode=700', '/scratch': 'exec' });
  t.deepEqual(inspected.Mounts, [], 'as Docker: --tmpfs mounts are not among Mounts');
  const readOnly = await berth(root, 'run', '--rm', '--tmpfs', '/run:ro', 'busybox', 'touch', '/run/x');
  t.is(readOnly.code, 1);
  t.regex(readOnly.stderr, /Read-only file system/);
  for (const [flag, message] of [
    ['run', /invalid mount path: 'run' mount path must be absolute$/],
    ['/run:bogus', /invalid tmpfs option "bogus"$/],
    ['/run:size', /invalid tmpfs option "size"$/],
  ] as const) {
    const r = await berth(root, 'create', '--tmpfs', flag, 'busybox', 'true');
    t.is(r.code, 125, flag);
    t.regex(r.stderr.trim(), message, flag);
    t.is(r.stderr.trim().split('\n').length, 1, flag);
  }
  t.is((await berthOk(root, 'ps', '-a', '-q')).trim().split('\n').length, 1, 'nothing made by the refused ones');
});

rootTest('anonymous volumes go with rm -v and run --rm, named ones stay; --volumes-from shares them', async (t) => {
  const root = await containerRoot(t);
  await buildImage(root, 'withvol', 'mkdir -p /data && echo seed > /data/f', ['VOLUME /data']);
  await berthOk(root, 'create', '--name', 'both', '-v', 'named:/named', '-v', '/anon2', 'withvol', 'true');
  const mounts = (await inspect(root, 'both')).Mounts as { Name: string; Destination: string }[];
  t.deepEqual(mounts.map((m) => m.Destination), ['/anon2', '/data', '/named']);
  t.deepEqual(((await inspect(root, 'both')).Config as { Volumes: unknown }).Volumes, { '/data': {}, '/anon2': {} });
  const anonymous = mounts.filter((m) => m.Destination !== '/named').map((m) => m.Name).sort();
  t.deepEqual((await volumeNames(root)).sort(), [...anonymous, 'named'].sort());
  const anonInspect = JSON.parse(await berthOk(root, 'volume', 'inspect', anonymous[0])) as { Labels: unknown }[];
  t.deepEqual(anonInspect[0].Labels, { 'com.docker.volume.anonymous': '' });

  // --volumes-from: the same volumes, read-only with :ro; its rm -v leaves them to their owner
  const shared = await berth(root, 'run', '--name', 'guest', '--volumes-from', 'both:ro', 'busybox', 'sh', '-c', 'cat /data/f; touch /named/x');
  t.is(shared.stdout, 'seed\n');
  t.regex(shared.stderr, /Read-only file system/);
  t.deepEqual(((await inspect(root, 'guest')).Mounts as { Name: string; RW: boolean }[]).map((m) => [m.Name, m.RW]), mounts.map((m) => [m.Name, false]));
  await berthOk(root, 'rm', '-v', 'guest');
  t.deepEqual((await volumeNames(root)).sort(), [...anonymous, 'named'].sort());

  await berthOk(root, 'rm', 'both', '-v');
  t.deepEqual(await volumeNames(root), ['named']);

  // rm without -v keeps the anonymous volume (prune takes it); run --rm removes it
  await berthOk(root, 'run', '--name', 'keeper', 'withvol', 'true');
  await berthOk(root, 'rm', 'keeper');
  t.is((await volumeNames(root)).length, 2);
  await berthOk(root, 'run', '--rm', '-v', '/scratch', 'withvol', 'true');
  t.is((await volumeNames(root)).length, 2);
  const running = (await berthOk(root, 'run', '-d', 'withvol', 'sleep', '60')).trim();
  t.is((await volumeNames(root)).length, 3);
  await berthOk(root, 'rm', '-fv', running);
  t.is((await volumeNames(root)).length, 2);
});

rootTest('volume rm refuses a volume in use with one line naming the container', async (t) => {
  const root = await containerRoot(t);
  const id = (await berthOk(root, 'create', '-v', 'busy:/b', 'busybox', 'true')).trim();
  const refused = await berth(root, 'volume', 'rm', 'busy');
  t.is(refused.code, 1);
  t.is(refused.stderr, `Error: remove busy: volume is in use - [${id}]\n`);
  const forced = await berth(root, 'volume', 'rm', '-f', 'busy');
  t.is(forced.code, 1); // -f only forgives a missing volume
  t.deepEqual(await volumeNames(root), ['busy']);
  const missing = await berth(root, 'volume', 'rm', 'nosuch');
  t.is(missing.code, 1);
  t.is(missing.stderr, 'Error: get nosuch: no such volume\n');
  t.is(await berthOk(root, 'volume', 'rm', '-f', 'nosuch'), 'nosuch\n');
  await berthOk(root, 'rm', id);
  t.is(await berthOk(root, 'volume', 'rm', 'busy'), 'busy\n');
  t.deepEqual(await volumeNames(root), []);
  t.deepEqual(fs.readdirSync(path.join(root, 'volumes')), []);
});

rootTest('volume create, ls, inspect and prune print what Docker prints', async (t) => {
  const root = await containerRoot(t);
  t.is(await berthOk(root, 'volume', 'create', '--label', 'team=db', '--label', 'flag', 'alpha'), 'alpha\n');
  t.is(await berthOk(root, 'volume', 'create', 'alpha'), 'alpha\n'); // idempotent
  t.is(await berthOk(root, 'volume', 'create', '--name', 'beta'), 'beta\n');
  const generated = (await berthOk(root, 'volume', 'create')).trim();
  t.regex(generated, /^[0-9a-f]{64}$/);
  const [alpha] = JSON.parse(await berthOk(root, 'volume', 'inspect', 'alpha')) as Record<string, unknown>[];
  t.deepEqual(Object.keys(alpha), ['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']);
  t.like(alpha, { Driver: 'local', Labels: { team: 'db', flag: '' }, Mountpoint: path.join(root, 'volumes/alpha/_data'), Name: 'alpha', Options: {}, Scope: 'local' });
  t.regex(alpha.CreatedAt as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  t.is(await berthOk(root, 'volume', 'inspect', '-f', '{{.Name}} {{.Driver}}', 'beta'), 'beta local\n');
  const missing = await berth(root, 'volume', 'inspect', 'nosuch');
  t.is(missing.code, 1);
  t.is(missing.stderr, 'Error: get nosuch: no such volume\n');

  await berthOk(root, 'create', '--name', 'user', '-v', 'beta:/b', '-v', '/anon', 'busybox', 'true');
  const anon = ((await inspect(root, 'user')).Mounts as { Name: string; Destination: string }[]).find((m) => m.Destination === '/anon')!.Name;
  const all = [generated, anon, 'alpha', 'beta'].sort();
  // Docker's tabwriter: columns at least 10 wide
  t.is(await berthOk(root, 'volume', 'ls'), `DRIVER    VOLUME NAME\n${all.map((n) => `local     ${n}\n`).join('')}`);
  t.deepEqual(lines(await berthOk(root, 'volume', 'ls', '-q', '--filter', 'dangling=true')), [generated, 'alpha'].sort());
  t.deepEqual(lines(await berthOk(root, 'volume', 'ls', '-q', '--filter', 'dangling=false')), [anon, 'beta'].sort());
  t.deepEqual(lines(await berthOk(root, 'volume', 'ls', '-q', '--filter', 'name=alp')), ['alpha']);
  t.deepEqual(lines(await berthOk(root, 'volume', 'ls', '-q', '--filter', 'label=team=db')), ['alpha']);
  t.is(await berthOk(root, 'volume', 'ls', '--format', '{{.Name}}:{{.Driver}}', '--filter', 'name=beta'), 'beta:local\n');
  const badFilter = await berth(root, 'volume', 'ls', '--filter', 'color=red');
  t.is(badFilter.code, 1);
  t.is(badFilter.stderr, "Error: invalid filter 'color'\n");

  // prune: unused anonymous volumes only (none now: the one there is in use), then -a everything unused
  t.is(await berthOk(root, 'volume', 'prune', '-f'), 'Total reclaimed space: 0B\n');
  await berthOk(root, 'rm', 'user');
  fs.writeFileSync(path.join(root, 'volumes/alpha/_data/blob'), Buffer.alloc(1500));
  t.is(await berthOk(root, 'volume', 'prune', '-f'), `Deleted Volumes:\n${anon}\n\nTotal reclaimed space: 0B\n`);
  // --filter narrows a prune: label=KEY[=VALUE] and label!=KEY[=VALUE] must all hold; all=true is -a
  t.is(await berthOk(root, 'volume', 'prune', '-f', '--filter', 'all=true', '--filter', 'label=team=web'), 'Total reclaimed space: 0B\n');
  t.is(await berthOk(root, 'volume', 'prune', '-f', '--filter', 'all=true', '--filter', 'label!=team'), `Deleted Volumes:\n${[generated, 'beta'].sort().join('\n')}\n\nTotal reclaimed space: 0B\n`);
  const badPruneFilter = await berth(root, 'volume', 'prune', '-f', '--filter', 'until=1h');
  t.deepEqual([badPruneFilter.code, badPruneFilter.stderr], [1, "Error: invalid filter 'until'\n"]);
  t.is(await berthOk(root, 'volume', 'prune', '-af', '--filter', 'label=team=db'), 'Deleted Volumes:\nalpha\n\nTotal reclaimed space: 1.5kB\n');
  t.is(await berthOk(root, 'volume', 'ls'), 'DRIVER    VOLUME NAME\n');
});

rootTest('an image symlink at a mount target cannot carry the mount (or the copy-up) out to the host', async (t) => {
  const root = await containerRoot(t);
  const hostDir = tempDir(t, 'berth-canary-');
  for (const d of ['abs', 'rel']) {
    fs.mkdirSync(path.join(hostDir, d));
    fs.writeFileSync(path.join(hostDir, d, 'canary'), 'original\n');
  }
  const hostBefore = treeOf(hostDir);
  // /data -> <hostDir>/abs (absolute), /rel -> ../../../../../..<hostDir>/rel (climbing); both VOLUMEs of the image
  await buildImage(root, 'evil', `ln -s ${hostDir}/abs /data && ln -s ../../../../../..${hostDir}/rel /rel`, ['VOLUME /data', 'VOLUME /rel']);
  const write = 'for d in /data /rel; do cat $d/canary 2>/dev/null; echo pwned > $d/canary; echo new > $d/planted; done; cat /data/canary /rel/canary';
  t.is(await berthOk(root, 'run', '--rm', 'evil', 'sh', '-c', write), 'pwned\npwned\n'); // anonymous VOLUMEs: nothing seeded from the host
  t.is(await berthOk(root, 'run', '--rm', '-v', 'esc:/data', '-v', 'esc2:/rel', 'evil', 'sh', '-c', write), 'pwned\npwned\n');
  const bindA = tempDir(t);
  const bindB = tempDir(t);
  t.is(await berthOk(root, 'run', '--rm', '-v', `${bindA}:/data`, '--mount', `type=bind,src=${bindB},dst=/rel`, 'evil', 'sh', '-c', write), 'pwned\npwned\n');
  t.is(await berthOk(root, 'run', '--rm', '--mount', 'type=tmpfs,dst=/data', '--mount', 'type=tmpfs,dst=/rel', 'evil', 'sh', '-c', write), 'pwned\npwned\n');
  t.deepEqual(treeOf(hostDir), hostBefore);
  t.is(fs.readFileSync(path.join(hostDir, 'abs/canary'), 'utf8'), 'original\n');
  // the mounts landed inside the rootfs: the binds and named volumes got the writes
  for (const dir of [bindA, bindB, path.join(root, 'volumes/esc/_data'), path.join(root, 'volumes/esc2/_data')]) {
    t.deepEqual(fs.readdirSync(dir).sort(), ['canary', 'planted'], dir);
    t.is(fs.readFileSync(path.join(dir, 'canary'), 'utf8'), 'pwned\n');
  }
});

rootTest('bad input: one line, exit 125, and nothing created', async (t) => {
  const root = await containerRoot(t);
  const host = tempDir(t);
  const cases: [string[], RegExp][] = [
    [['run', '-v', 'bad/name:/x', 'busybox', 'true'], /^Error: create bad\/name: "bad\/name" includes invalid characters for a local volume name/],
    [['run', '-v', '/x:ro', 'busybox', 'true'], /^Error: invalid volume specification: '\/x:ro'$/],
    [['run', '-v', `${host}:/x:bogus`, 'busybox', 'true'], /^Error: invalid mode: bogus$/],
    [['run', '-v', 'vol:relative', 'busybox', 'true'], /mount path must be absolute$/],
    [['run', '-v', 'a1:/x', '-v', 'a2:/x', 'busybox', 'true'], /^Error: Duplicate mount point: \/x$/],
    [['run', '-v', 'a1:/x', '--mount', 'type=volume,src=a2,dst=/x/', 'busybox', 'true'], /^Error: Duplicate mount point: \/x$/],
    [['run', '--mount', 'type=bind,src=/tmp,target', 'busybox', 'true'], /^Error: invalid argument "type=bind,src=\/tmp,target" for "--mount" flag: invalid field 'target' must be a key=value pair$/],
    [['run', '--mount', 'type=bind,source=/no/such/path,target=/x', 'busybox', 'true'], /^Error: invalid mount config for type "bind": bind source path does not exist: \/no\/such\/path$/],
    [['run', '--mount', 'type=volume,src=ok1,dst=/x,tmpfs-size=1m', 'busybox', 'true'], /cannot mix 'tmpfs-\*' options with mount type 'volume'$/],
    [['run', '--mount', 'type=tmpfs,dst=/x,tmpfs-size=huge', 'busybox', 'true'], /invalid value for tmpfs-size: huge$/],
    [['run', '--volumes-from', 'nosuch', 'busybox', 'true'], /^Error: No such container: nosuch$/],
    [['create', '-v', 'fine:/ok', '--volumes-from', 'nosuch:xx', 'busybox', 'true'], /^Error: invalid mode for volumes-from: xx$/],
  ];
  for (const [args, message] of cases) {
    const r = await berth(root, ...args);
    t.is(r.code, 125, args.join(' '));
    t.regex(r.stderr.trim(), message, args.join(' '));
    t.is(lines(r.stderr).length, 1, args.join(' '));
  }
  const create = await berth(root, 'volume', 'create', 'bad/name');
  t.is(create.code, 1);
  t.is(lines(create.stderr).length, 1);
  t.regex(create.stderr, /^Error: create bad\/name: "bad\/name" includes invalid characters/);
  const both = await berth(root, 'volume', 'create', '--name', 'one', 'two');
  t.is(both.code, 1);
  t.is(lines(both.stderr).length, 1);
  t.is(await berthOk(root, 'ps', '-aq'), '');
  t.deepEqual(fs.readdirSync(path.join(root, 'containers')), []);
  t.deepEqual(fs.readdirSync(path.join(root, 'volumes')), []);
  t.deepEqual(fs.readdirSync(host), []);
});
