/**
 * Issue 3 acceptance, through the real CLI: containers run, exit, take
 * signals, keep their writes in the thin layer, and leave nothing behind.
 */
import test from 'ava';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { berth, berthOk, berthProcess, finished, requireRoot, treeOf, mountImage } from './helpers/berth.js';
import { CGROUP_PARENT, containerRoot, eventually, inspectState, removeCgroupParent } from './helpers/containers.js';
import { Engine } from '../src/engine/engine.js';

const rootTest = requireRoot(test);
test.after.always(removeCgroupParent);

rootTest('run --rm echo prints and exits 0; exit codes pass through; a missing command is 127', async (t) => {
  const root = await containerRoot(t);
  const hi = await berth(root, 'run', '--rm', 'busybox', 'echo', 'hi');
  t.is(hi.stdout, 'hi\n');
  t.is(hi.code, 0);
  t.is((await berth(root, 'run', 'busybox', 'sh', '-c', 'exit 3')).code, 3);
  const missing = await berth(root, 'run', 'busybox', 'nosuch');
  t.is(missing.code, 127);
  t.regex(missing.stderr, /exec: "nosuch": executable file not found in \$PATH/);
  t.is(missing.stderr.trim().split('\n').length, 1);
  // --rm removed the first container; the other two remain: one exited, one whose process never
  // started, Created as Docker shows it, with the exit code and the error kept
  const ps = (await berthOk(root, 'ps', '-a', '--format', '{{.Status}}')).trim().split('\n').sort();
  t.is(ps.length, 2);
  t.is(ps[0], 'Created');
  t.regex(ps[1], /^Exited \(3\) /);
  const [neverStarted] = (await berthOk(root, 'ps', '-a', '-q', '--filter', 'status=created')).trim().split('\n');
  const state = await inspectState(root, neverStarted);
  t.like(state, { Status: 'created', Running: false, ExitCode: 127, StartedAt: '0001-01-01T00:00:00Z', FinishedAt: '0001-01-01T00:00:00Z' });
  t.regex(String(state.Error), /executable file not found/);
});

rootTest('inside: the command is PID 1, hostname is the short ID, writes land in the upper dir only', async (t) => {
  const root = await containerRoot(t);
  const imageBefore = treeOf(mountImage(t, root, 'busybox'));
  t.is((await berthOk(root, 'run', '--name', 'probe', 'busybox', 'sh', '-c', 'echo $$; hostname; echo data > /written; ps -o pid,args | sed -n 2p')).split('\n')[0], '1');
  const out = (await berthOk(root, 'logs', 'probe')).split('\n');
  const id = (await berthOk(root, 'inspect', '-f', '{{.Id}}', 'probe')).trim();
  t.is(out[1], id.slice(0, 12));
  t.regex(out[2], /^\s*1\s+sh -c/);
  t.is(fs.readFileSync(path.join(root, 'containers', id, 'upper', 'written'), 'utf8'), 'data\n');
  t.is((await berthOk(root, 'run', '--rm', '--hostname', 'custom', 'busybox', 'hostname')).trim(), 'custom');
  await berthOk(root, 'rm', 'probe');
  t.false(fs.existsSync(path.join(root, 'containers', id)));
  t.deepEqual(treeOf(mountImage(t, root, 'busybox')), imageBefore);
});

rootTest('kill -s USR1 reaches a trap in PID 1; stop of a TERM-ignoring process ends in SIGKILL after -t', async (t) => {
  const root = await containerRoot(t);
  const id = (await berthOk(root, 'run', '-d', 'busybox', 'sh', '-c', "trap 'echo got-usr1; exit 7' USR1; echo ready; while true; do sleep 0.1; done")).trim();
  await eventually(async () => (await berthOk(root, 'logs', id)).includes('ready'), 15_000, 'the trap to be set');
  await berthOk(root, 'kill', '-s', 'USR1', id);
  t.is((await berthOk(root, 'wait', id)).trim(), '7');
  t.regex(await berthOk(root, 'logs', id), /got-usr1/);

  const stubborn = (await berthOk(root, 'run', '-d', 'busybox', 'sh', '-c', "trap '' TERM; echo ready; while true; do sleep 0.1; done")).trim();
  await eventually(async () => (await berthOk(root, 'logs', stubborn)).includes('ready'), 15_000, 'the trap to be set');
  await berthOk(root, 'stop', '-t', '1', stubborn);
  const state = await inspectState(root, stubborn);
  t.is(state.Status, 'exited');
  t.is(state.ExitCode, 137);
});

rootTest('bad input: one clear line, nothing changed', async (t) => {
  const root = await containerRoot(t);
  const before = await berthOk(root, 'ps', '-aq');
  const cases: [string[], RegExp, number][] = [
    [['run', '--name', '-bad', 'busybox', 'true'], /Invalid container name/, 125],
    [['run', 'nosuchimage', 'true'], /No such image: nosuchimage:latest/, 125],
    [['run', '--memory', '12q', 'busybox', 'true'], /invalid argument "12q" for "-m, --memory" flag/, 125],
    [['exec', 'nosuchcontainer', 'true'], /No such container: nosuchcontainer/, 1],
    [['commit', 'nosuchcontainer'], /No such container: nosuchcontainer/, 1],
  ];
  for (const [args, message, code] of cases) {
    const r = await berth(root, ...args);
    t.is(r.code, code, args.join(' '));
    t.regex(r.stderr, message, args.join(' '));
    t.is(r.stderr.trim().split('\n').length, 1, args.join(' '));
  }
  t.is(await berthOk(root, 'ps', '-aq'), before);
  await berthOk(root, 'run', '-d', '--name', 'taken', 'busybox', 'sleep', '100');
  const dup = await berth(root, 'run', '--name', 'taken', 'busybox', 'true');
  t.is(dup.code, 125);
  t.regex(dup.stderr, /The container name "\/taken" is already in use/);
  const rm = await berth(root, 'rm', 'taken');
  t.is(rm.code, 1);
  t.regex(rm.stderr, /You cannot remove a running container/);
  t.is((await berthOk(root, 'ps', '--format', '{{.Names}}')).trim(), 'taken');
});

rootTest('run -d keeps running when the CLI is killed; SIGKILL of the shim is reported as exited with nothing leaked', async (t) => {
  const root = await containerRoot(t);
  const cli = berthProcess(root, 'run', '-d', '--name', 'keeper', 'busybox', 'sleep', '1000');
  const { stdout } = await finished(cli);
  const id = stdout.trim();
  t.is((await inspectState(root, id)).Status, 'running');
  const shimPid = Number(fs.readFileSync(`/proc/${(await inspectState(root, id)).Pid as number}/status`, 'utf8').match(/^PPid:\s+(\d+)/m)?.[1]);
  t.true(shimPid > 0);
  // the outer berth-init is PID 1's parent; the shim is its parent
  const shim = Number(fs.readFileSync(`/proc/${shimPid}/status`, 'utf8').match(/^PPid:\s+(\d+)/m)?.[1]);
  t.regex(fs.readFileSync(`/proc/${shim}/cmdline`, 'utf8'), /shim\.js/);
  process.kill(shim, 'SIGKILL');
  await eventually(async () => (await inspectState(root, id)).Status === 'exited', 15_000, 'the container to be reported exited');
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  t.false(mounts.includes(path.join(root, 'containers', id)));
  // no cgroup of the container is left in any hierarchy
  const leftovers = fs
    .readdirSync('/sys/fs/cgroup')
    .map((c) => path.join('/sys/fs/cgroup', c, CGROUP_PARENT, id))
    .filter((dir) => fs.existsSync(dir));
  t.deepEqual(leftovers, []);
});

rootTest('security flags: --read-only, --user, --cap-drop/--cap-add, --privileged, no-new-privileges', async (t) => {
  const root = await containerRoot(t);
  const capEff = async (...flags: string[]) =>
    BigInt(`0x${(await berthOk(root, 'run', '--rm', ...flags, 'busybox', 'sh', '-c', 'grep CapEff /proc/self/status')).split(/\s+/)[1]}`);
  t.is(await capEff(), 0xa80425fbn); // Docker's 14 default capabilities
  t.is(await capEff('--cap-drop', 'ALL'), 0n);
  t.is(await capEff('--cap-drop', 'ALL', '--cap-add', 'NET_ADMIN'), 1n << 12n);
  t.true((await capEff('--privileged')) > 0xa80425fbn);
  const ro = await berth(root, 'run', '--rm', '--read-only', 'busybox', 'touch', '/x');
  t.not(ro.code, 0);
  t.regex(ro.stderr, /Read-only file system/);
  t.is((await berthOk(root, 'run', '--rm', '--user', '65534:65534', 'busybox', 'id')).trim(), 'uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)');
  t.is((await berthOk(root, 'run', '--rm', '--user', 'www-data', 'busybox', 'id', '-u')).trim(), '33');
  const nnp = await berthOk(root, 'run', '--rm', '--security-opt', 'no-new-privileges', 'busybox', 'grep', 'NoNewPrivs', '/proc/self/status');
  t.regex(nnp, /NoNewPrivs:\s+1/);
  const unknownUser = await berth(root, 'run', '--rm', '--user', 'nosuchuser', 'busybox', 'true');
  t.is(unknownUser.code, 125);
  t.regex(unknownUser.stderr, /unable to find user nosuchuser/);
});

rootTest('20 concurrent run -d into one root: unique names and IDs, an intact store', async (t) => {
  t.timeout(180_000);
  const root = await containerRoot(t);
  const runs = await Promise.all(Array.from({ length: 20 }, () => berth(root, 'run', '-d', 'busybox', 'sleep', '1000')));
  t.deepEqual(runs.map((r) => r.code), Array(20).fill(0), runs.map((r) => r.stderr).join(''));
  const ids = new Set(runs.map((r) => r.stdout.trim()));
  t.is(ids.size, 20);
  const names = new Set((await berthOk(root, 'ps', '--format', '{{.Names}}')).trim().split('\n'));
  t.is(names.size, 20);
  t.is((await berthOk(root, 'ps', '-q')).trim().split('\n').length, 20);
});

rootTest('two creates that pick the same generated name at once both succeed: the second picks another', async (t) => {
  const root = await containerRoot(t);
  const engine = Engine.open({ root });
  // every random pick the same: both creates choose one name before either has inserted its row
  const randomInt = crypto.randomInt;
  (crypto as { randomInt: unknown }).randomInt = () => 0;
  try {
    const made = await Promise.all([0, 1].map(() => engine.containers.create({ image: 'busybox', cmd: ['true'], network: 'none' })));
    t.not(made[0].name, made[1].name);
    t.deepEqual(engine.containers.list().map((c) => c.name).sort(), made.map((c) => c.name).sort());
  } finally {
    (crypto as { randomInt: unknown }).randomInt = randomInt;
    engine.close();
  }
});

rootTest('--memory 32m with a memory hog exits 137 with OOMKilled; --pids-limit contains a fork bomb', async (t) => {
  const root = await containerRoot(t);
  const hog = await berth(root, 'run', '--name', 'hog', '--memory', '32m', '--memory-swap', '32m', 'busybox', 'sh', '-c', 'x=a; while true; do x=$x$x; done');
  t.is(hog.code, 137);
  t.is((await inspectState(root, 'hog')).OOMKilled, true);
  const id = (await berthOk(root, 'run', '-d', '--pids-limit', '20', 'busybox', 'sh', '-c', 'for i in $(seq 100); do sleep 1000 & done; echo spawned; wait')).trim();
  await eventually(async () => (await berthOk(root, 'logs', id)).includes('spawned') || (await berth(root, 'logs', id)).stderr.includes('fork'), 20_000, 'the bomb to hit the limit');
  await berthOk(root, 'stop', '-t', '1', id);
  t.is((await inspectState(root, id)).Status, 'exited');
});

