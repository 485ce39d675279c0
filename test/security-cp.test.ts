/**
 * Issue 11, items 3 and 9: `cp` with a running container never reaches a
 * host path, however the container races it, and copies what a container
 * holds as what it is. The race: the container swaps /race between a
 * directory and a symlink to a host directory with renameat2
 * RENAME_EXCHANGE as fast as it can; a copy resolved by a host-side path
 * string once wrote onto the host (10 in 60) and read host files (6 in 40).
 */
import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { berth, berthOk, requireRoot, tempDir } from './helpers/berth.js';
import { containerRoot, eventually, removeCgroupParent } from './helpers/containers.js';
import { Engine } from '../src/engine/engine.js';
import { isBerthError } from '../src/engine/errors.js';

const rootTest = requireRoot(test, 'gcc');
test.after.always(removeCgroupParent);

const RACES = 200;

/** argv[1]: the host directory the symlink names. Makes /race (a directory with d/f) and /race.alt (the symlink), then swaps them forever. */
const RACER = String.raw`
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
int main(int argc, char **argv) {
  if (argc != 2) return 2;
  mkdir("/race", 0755);
  mkdir("/race/d", 0755);
  FILE *f = fopen("/race/d/f", "w");
  if (!f) return 1;
  fputs("container\n", f);
  fclose(f);
  if (symlink(argv[1], "/race.alt") < 0) return 1;
  puts("racing");
  fflush(stdout);
  for (;;) renameat2(AT_FDCWD, "/race", AT_FDCWD, "/race.alt", RENAME_EXCHANGE);
}
`;

/**
 * The racer, built into a directory to bind-mount at /probe, and the host directory its symlink
 * names (d/f holds 'HOST SECRET'): what an escaped copy would write into or read from.
 */
function racerAndHost(t: ExecutionContext): { probe: string; host: string } {
  const probe = tempDir(t, 'berth-racer-');
  fs.writeFileSync(path.join(probe, 'racer.c'), RACER);
  execFileSync('gcc', ['-static', '-O2', '-o', path.join(probe, 'racer'), path.join(probe, 'racer.c')], { stdio: 'pipe' });
  const host = tempDir(t, 'berth-race-host-');
  fs.mkdirSync(path.join(host, 'd'));
  fs.writeFileSync(path.join(host, 'd/f'), 'HOST SECRET\n');
  return { probe, host };
}

/** A copy either works on the container's own files or is refused with a berth error: any other outcome is a bug. */
async function copyOrRefused(engine: Engine, from: string, to: string): Promise<'copied' | 'refused'> {
  try {
    await engine.containers.copy(from, to);
    return 'copied';
  } catch (err) {
    if (!isBerthError(err)) throw err;
    return 'refused';
  }
}

rootTest(`cp into and out of a container racing /race between a directory and a symlink to the host: ${RACES} times each way, never the host's`, async (t) => {
  const root = await containerRoot(t);
  const { probe, host } = racerAndHost(t);
  const work = tempDir(t, 'berth-cp-work-');
  fs.writeFileSync(path.join(work, 'payload'), 'payload\n');

  const box = (await berthOk(root, 'run', '-d', '-v', `${probe}:/probe:ro`, 'busybox', '/probe/racer', host)).trim();
  await eventually(async () => (await berthOk(root, 'logs', box)).includes('racing'), 15_000, 'the racer to start');
  const engine = Engine.open({ root });
  t.teardown(() => engine.close());

  const into = { copied: 0, refused: 0 };
  for (let i = 0; i < RACES; i++) into[await copyOrRefused(engine, path.join(work, 'payload'), `${box}:/race/d/`)]++;
  t.deepEqual(fs.readdirSync(path.join(host, 'd')), ['f'], 'nothing was written into the host directory');

  const out = { copied: 0, refused: 0 };
  for (let i = 0; i < RACES; i++) {
    const dest = path.join(work, `out-${i}`);
    out[await copyOrRefused(engine, `${box}:/race/d/f`, dest)]++;
    if (fs.existsSync(dest)) t.is(fs.readFileSync(dest, 'utf8'), 'container\n', `copy ${i} read the container's file`);
  }
  t.log(`into: ${into.copied} copied, ${into.refused} refused; out: ${out.copied} copied, ${out.refused} refused`);
  t.is(fs.readFileSync(path.join(host, 'd/f'), 'utf8'), 'HOST SECRET\n');
});

rootTest('commit --pause=false and diff of a container racing /race against a symlink to the host never read the host\'s files or names', async (t) => {
  const root = await containerRoot(t);
  const { probe, host } = racerAndHost(t);
  fs.writeFileSync(path.join(host, 'd/host-only-name'), '');
  const box = (await berthOk(root, 'run', '-d', '-v', `${probe}:/probe:ro`, 'busybox', '/probe/racer', host)).trim();
  await eventually(async () => (await berthOk(root, 'logs', box)).includes('racing'), 15_000, 'the racer to start');
  const engine = Engine.open({ root });
  t.teardown(() => engine.close());
  let committed = 0;
  for (let i = 0; i < 30; i++) {
    try {
      await engine.containers.commit(box, { reference: `raced:${i}`, pause: false });
      committed++;
    } catch (err) {
      if (!isBerthError(err)) throw err;
    }
    try {
      const changes = await engine.containers.diff(box);
      t.false(changes.some((c) => c.path.includes('host-only-name')), 'diff listed a host directory');
    } catch (err) {
      if (!isBerthError(err)) throw err;
    }
  }
  t.log(`${committed} of 30 commits made`);
  // every layer those commits made, unpacked in the store: none holds the host's file
  const grep = execFileSync('sh', ['-c', `grep -rl 'HOST SECRET' ${path.join(root, 'overlay')} || true`], { encoding: 'utf8' });
  t.is(grep, '', 'a commit read a host file into an image layer');
});

rootTest('cp out copies device nodes and FIFOs as what they are; cp in replaces a planted device node, never writes into it', async (t) => {
  const root = await containerRoot(t);
  const work = tempDir(t, 'berth-cp-dev-');
  await berthOk(root, 'run', '-d', '--name', 'devs', 'busybox', 'sh', '-c', 'mkdir /nodes; mknod /nodes/null c 1 3; mkfifo /nodes/fifo; mknod /planted c 1 3; touch /ready; exec sleep 600');
  await eventually(async () => (await berthOk(root, 'diff', 'devs')).includes('A /ready'), 15_000, 'the nodes');
  await berthOk(root, 'cp', 'devs:/nodes', path.join(work, 'nodes'));
  const nullNode = fs.lstatSync(path.join(work, 'nodes/null'));
  t.true(nullNode.isCharacterDevice());
  t.is(nullNode.rdev, fs.statSync('/dev/null').rdev);
  t.true(fs.lstatSync(path.join(work, 'nodes/fifo')).isFIFO());
  await berthOk(root, 'cp', 'devs:/nodes/fifo', path.join(work, 'lone-fifo')); // a FIFO named alone: made, never opened
  t.true(fs.lstatSync(path.join(work, 'lone-fifo')).isFIFO());

  fs.writeFileSync(path.join(work, 'file'), 'replaced\n');
  await berthOk(root, 'cp', path.join(work, 'file'), 'devs:/planted');
  t.is(await berthOk(root, 'exec', 'devs', 'sh', '-c', '[ -f /planted ] && cat /planted'), 'replaced\n');
});

rootTest('cp to a new top-level path of a running container creates it; -a keeps owners, plain cp gives them to root or the caller', async (t) => {
  const root = await containerRoot(t);
  const work = tempDir(t, 'berth-cp-top-');
  fs.mkdirSync(path.join(work, 'tree/sub'), { recursive: true });
  fs.writeFileSync(path.join(work, 'tree/sub/f'), 'deep\n');
  fs.writeFileSync(path.join(work, 'owned'), 'owned\n');
  fs.chownSync(path.join(work, 'owned'), 1234, 4321);
  await berthOk(root, 'run', '-d', '--name', 'live', 'busybox', 'sh', '-c', 'echo x > /theirs; chown 5:6 /theirs; exec sleep 600');
  await berthOk(root, 'cp', path.join(work, 'tree'), 'live:/newtop');
  await berthOk(root, 'cp', path.join(work, 'owned'), 'live:/newfile');
  await berthOk(root, 'cp', '-a', path.join(work, 'owned'), 'live:/kept');
  t.is(await berthOk(root, 'exec', 'live', 'cat', '/newtop/sub/f', '/newfile'), 'deep\nowned\n');
  t.is(await berthOk(root, 'exec', 'live', 'stat', '-c', '%u:%g', '/newfile', '/kept'), '0:0\n1234:4321\n');

  await eventually(async () => (await berth(root, 'exec', 'live', 'cat', '/theirs')).stdout === 'x\n', 15_000, '/theirs');
  await berthOk(root, 'cp', 'live:/theirs', path.join(work, 'plain'));
  await berthOk(root, 'cp', '-a', 'live:/theirs', path.join(work, 'archived'));
  t.is(`${fs.statSync(path.join(work, 'plain')).uid}:${fs.statSync(path.join(work, 'plain')).gid}`, `${process.getuid!()}:${process.getgid!()}`);
  t.is(`${fs.statSync(path.join(work, 'archived')).uid}:${fs.statSync(path.join(work, 'archived')).gid}`, '5:6');
});

rootTest('cp to or from "-" is refused in one line (no tar streams yet), and nothing is written', async (t) => {
  const root = await containerRoot(t);
  await berthOk(root, 'create', '--name', 'cbox', 'busybox', 'true');
  for (const args of [['cbox:/etc/passwd', '-'], ['-', 'cbox:/tmp']]) {
    const r = await berth(root, 'cp', ...args);
    t.is(r.code, 1);
    t.regex(r.stderr, /standard input or to standard output \("-"\) is not supported/);
    t.is(r.stderr.trim().split('\n').length, 1);
  }
  t.false(fs.existsSync(path.join(process.cwd(), '-')));
});
