/**
 * Issue 11 item 6: a full disk. Each test's store root is a 20 MiB tmpfs of
 * its own, so "full" is bounded by that size and never touches the host's
 * disks: a container logging to stdout keeps running while another fills
 * the store, `rm -f` and the other removals work at 100 %, and every other
 * verb there ends in one line without a stack trace or a raw errno.
 */
import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { berth, berthOk, busyboxTar, importBusybox, requireRoot, tempDir } from './helpers/berth.js';
import { cleanContainers, eventually, inspectState, removeCgroupParent } from './helpers/containers.js';
import { loadNative } from '../src/engine/native.js';

const rootTest = requireRoot(test);
test.after.always(removeCgroupParent);

const STORE_MIB = 20;
const NO_SPACE_LINE = /^Error: ([a-z]+( [a-z]+)?: )?no space left on device\n$/;

/** A store root on a tmpfs of STORE_MIB MiB with busybox in it; unmounted (and its containers gone) on teardown. */
async function smallStore(t: ExecutionContext): Promise<string> {
  const root = tempDir(t, 'berth-disk-');
  const native = loadNative();
  native.mount('tmpfs', root, 'tmpfs', 0, `size=${STORE_MIB}m,mode=0700`, '/');
  t.teardown(() => cleanContainers(root));
  await importBusybox(root);
  return root;
}

function freeBytes(root: string): number {
  const { bavail, bsize } = fs.statfsSync(root);
  return bavail * bsize;
}

/** Fills the store from the host side, to the last block; returns the file to delete to give the space back. */
function fillFromHost(root: string): string {
  const file = path.join(root, 'host-fill');
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    // Bounded by the tmpfs: at most STORE_MIB MiB are written before ENOSPC.
    for (let size = chunk.length; size >= 512; ) {
      try {
        fs.writeSync(fd, chunk, 0, size);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
        size /= 2;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

/** One line of berth's own on stderr: no stack trace, no raw errno or internal path. */
function assertOneLine(t: ExecutionContext, what: string, r: { code: number | null; stderr: string }): void {
  t.not(r.code, 0, `${what} should fail on a full disk`);
  t.regex(r.stderr, NO_SPACE_LINE, `${what}: ${r.stderr}`);
  t.notRegex(r.stderr, /ENOSPC|SQLITE|\n\s+at |node:internal/, what);
}

rootTest('a container logging to stdout survives another filling the store: lines are dropped and counted, logging resumes', async (t) => {
  const root = await smallStore(t);
  // The logger counts on a tmpfs of its own (RAM, not the store), so the test sees it go on while its log cannot.
  const logger = (
    await berthOk(root, 'run', '-d', '--tmpfs', '/run', 'busybox', 'sh', '-c', 'i=0; while :; do i=$((i+1)); echo line $i; echo $i > /run/count; usleep 20000; done')
  ).trim();
  await eventually(async () => (await berthOk(root, 'logs', logger)).includes('line 2\n'), 15_000, 'the logger to log');
  const pid = Number((await inspectState(root, logger)).Pid);
  const count = () => Number(fs.readFileSync(`/proc/${pid}/root/run/count`, 'utf8'));
  // Whatever space comes free (a connection's WAL going away) the filler takes again within 50 ms.
  const filler = (
    await berthOk(root, 'run', '-d', 'busybox', 'sh', '-c', 'i=0; while :; do dd if=/dev/zero of=/fill$i bs=4k 2>/dev/null; i=$((i+1)); usleep 50000; done')
  ).trim();
  await eventually(() => freeBytes(root) < 64 * 1024, 30_000, 'the store to fill');
  const atFull = count();
  await eventually(() => count() >= atFull + 25, 30_000, 'the logger to write 25 lines on the full store');

  const state = await inspectState(root, logger);
  t.is(state.Status, 'running', 'the logger still runs');
  t.is(state.Error, '');

  const removed = await berth(root, 'rm', '-f', filler);
  t.is(removed.code, 0, removed.stderr);
  await eventually(() => freeBytes(root) > 8 * 1024 * 1024, 15_000, 'rm -f to give the space back');

  // Once there is room, the log says on stderr what it missed, and goes on.
  let dropped = 0;
  await eventually(
    async () => {
      const logs = await berth(root, 'logs', logger);
      dropped = Number(/^berth: (\d+) log lines? dropped: no space left on device$/m.exec(logs.stderr)?.[1] ?? 0);
      const last = Number(/line (\d+)\n$/.exec(logs.stdout)?.[1] ?? 0);
      return dropped > 0 && last > atFull + 25;
    },
    15_000,
    'the logger to log again',
  );
  t.true(dropped >= 1);
  const after = await inspectState(root, logger);
  t.is(after.Status, 'running');
  t.not(after.ExitCode, 137);
  // Every line of the file is whole: a write that did not fit was cut off again.
  const id = (await berthOk(root, 'inspect', '-f', '{{.Id}}', logger)).trim();
  for (const line of fs.readFileSync(path.join(root, 'containers', id, `${id}-json.log`), 'utf8').split('\n').filter(Boolean)) {
    t.notThrows(() => JSON.parse(line), line);
  }
});

rootTest('rm, rmi, container prune and volume rm work on a store at 100 % and give its space back', async (t) => {
  const root = await smallStore(t);
  await berthOk(root, 'run', '--name', 'big', 'busybox', 'dd', 'if=/dev/zero', 'of=/big', 'bs=1M', 'count=3');
  await berthOk(root, 'run', '--name', 'withvol', '-v', 'data:/data', 'busybox', 'dd', 'if=/dev/zero', 'of=/data/blob', 'bs=1M', 'count=3');
  await berthOk(root, 'tag', 'busybox', 'extra:1');
  fillFromHost(root);
  t.true(freeBytes(root) < 4096);

  const rmi = await berth(root, 'rmi', 'extra:1');
  t.is(rmi.code, 0, rmi.stderr);
  const rm = await berth(root, 'rm', 'big');
  t.is(rm.code, 0, rm.stderr);
  t.true(freeBytes(root) > 2 * 1024 * 1024, 'the container’s 3 MiB came back');
  const prune = await berth(root, 'container', 'prune', '-f');
  t.is(prune.code, 0, prune.stderr);
  const volumeRm = await berth(root, 'volume', 'rm', 'data');
  t.is(volumeRm.code, 0, volumeRm.stderr);
  t.true(freeBytes(root) > 5 * 1024 * 1024, 'the volume’s 3 MiB came back');
  t.is((await berthOk(root, 'ps', '-aq')).trim(), '');
  t.is((await berthOk(root, 'volume', 'ls', '-q')).trim(), '');
  t.is((await berthOk(root, 'images', '-q', 'extra')).trim(), '');
});

rootTest('commit on a full store: one line, exit 125, no staging and no image left', async (t) => {
  const root = await smallStore(t);
  await berthOk(root, 'run', '--name', 'box', 'busybox', 'dd', 'if=/dev/urandom', 'of=/data', 'bs=1M', 'count=2');
  const imagesBefore = await berthOk(root, 'images', '-q');
  const fill = fillFromHost(root);
  const r = await berth(root, 'commit', 'box', 'snap:1');
  t.is(r.code, 125);
  assertOneLine(t, 'commit', r);
  t.deepEqual(fs.readdirSync(path.join(root, 'tmp')), [], 'the staged layer is gone');
  fs.rmSync(fill);
  t.is(await berthOk(root, 'images', '-q'), imagesBefore);
  // With room again, the same commit works.
  t.regex(await berthOk(root, 'commit', 'box', 'snap:1'), /^sha256:[0-9a-f]{64}\n$/);
});

rootTest('every other verb on a full store ends in one line and leaves nothing half-made', async (t) => {
  const root = await smallStore(t);
  await berthOk(root, 'run', '-d', '--name', 'up', 'busybox', 'sleep', '1000');
  await berthOk(root, 'create', '--name', 'idle', 'busybox', 'true');
  const work = tempDir(t);
  const archive = path.join(work, 'busybox.tar');
  await berthOk(root, 'save', '-o', archive, 'busybox');
  const payload = path.join(work, 'payload');
  fs.writeFileSync(payload, Buffer.alloc(256 * 1024, 1));
  const containersBefore = fs.readdirSync(path.join(root, 'containers')).sort();
  const up = (await berthOk(root, 'inspect', '-f', '{{.Id}}', 'up')).trim();
  const fill = fillFromHost(root);

  const verbs: string[][] = [
    ['create', 'busybox', 'true'],
    ['run', '-d', 'busybox', 'true'],
    ['run', '--rm', 'busybox', 'true'],
    ['start', 'idle'],
    ['exec', 'up', 'true'],
    ['cp', payload, 'up:/tmp/'],
    ['commit', 'up', 'snap:1'],
    ['load', '-i', archive],
    ['import', busyboxTar(), 'imported:1'],
    ['tag', 'busybox', 'other:1'],
    ['network', 'create', 'net1'],
    ['volume', 'create', 'vol1'],
  ];
  for (const args of verbs) assertOneLine(t, args.join(' '), await berth(root, ...args));

  t.deepEqual(fs.readdirSync(path.join(root, 'containers')).sort(), containersBefore, 'no container directory was left');
  t.deepEqual(fs.readdirSync(path.join(root, 'tmp')), [], 'no staging was left');
  t.is((await berthOk(root, 'ps', '-aq')).trim().split('\n').length, 2);
  t.is((await berthOk(root, 'inspect', '-f', '{{.State.Status}}', 'up')).trim(), 'running');
  t.notRegex(await berthOk(root, 'network', 'ls'), /net1/);
  t.is((await berthOk(root, 'volume', 'ls', '-q')).trim(), '');
  t.is((await berthOk(root, 'images', '-q')).trim().split('\n').length, 1);
  t.false(fs.existsSync(path.join(root, 'containers', up, 'upper', 'tmp', 'payload')), 'no half-copied file');
  // commit froze the running container for its copy and thawed it although the copy failed
  fs.rmSync(fill);
  t.is(await berthOk(root, 'exec', 'up', 'echo', 'thawed'), 'thawed\n');
});
