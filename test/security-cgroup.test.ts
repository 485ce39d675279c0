/**
 * Issue 11, item 1: a container's /sys is a fresh read-only sysfs in every
 * network mode, and /sys/fs/cgroup shows only the container's own cgroups,
 * read-only: with `--network host` a bind of the host's /sys once left the
 * host's whole cgroup tree writable (a container lifted its own pids and
 * memory limits and froze and killed its neighbours).
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { berth, berthOk, requireRoot } from './helpers/berth.js';
import { CGROUP_PARENT, containerRoot, eventually, removeCgroupParent } from './helpers/containers.js';
import { cgroupVersion, detectLayout } from '../src/engine/cgroups/layout.js';

const rootTest = requireRoot(test);
test.after.always(removeCgroupParent);

const version = cgroupVersion();
/** Inside the container: the pids controller's directory and the memory limit file. */
const inside = version === '2' ? { pids: '/sys/fs/cgroup', memoryLimit: '/sys/fs/cgroup/memory.max' } : { pids: '/sys/fs/cgroup/pids', memoryLimit: '/sys/fs/cgroup/memory/memory.limit_in_bytes' };

/** The host's pids.max of a container (the cgroup berth made for it). */
function hostPidsMax(id: string): string {
  const layout = detectLayout();
  const mount = layout.version === '2' ? layout.root : layout.controllers.pids;
  return fs.readFileSync(path.join(mount!, CGROUP_PARENT, id, 'pids.max'), 'utf8').trim();
}

/** What the probe prints: each /sys mount with its options, then the outcome of each attack. */
const PROBE = [
  'grep " /sys" /proc/self/mountinfo | cut -d" " -f5,6',
  'echo ---',
  // each attack prints its outcome: "refused: <why>" or "done"
  `(echo max > ${inside.pids}/pids.max) 2>&1 | grep -o 'Read-only file system' || echo done`,
  `(echo 1073741824 > ${inside.memoryLimit}) 2>&1 | grep -o 'Read-only file system' || echo done`,
  `mkdir ${inside.pids}/escape 2>&1 | grep -o 'Read-only file system' || echo done`,
  `(echo 1 > /sys/fs/cgroup/${version === '2' ? '' : 'unified/'}cgroup.kill) 2>&1 | grep -o 'Read-only file system' || echo done`,
  `find /sys/fs/cgroup -mindepth ${version === '2' ? 1 : 2} -type d | wc -l`,
  `echo $(cat ${inside.pids}/cgroup.procs)`,
].join('; ');

for (const network of ['host', 'bridge', 'none']) {
  rootTest(`--network ${network}: every /sys mount is read-only and /sys/fs/cgroup shows only the container's own cgroup`, async (t) => {
    const root = await containerRoot(t);
    const neighbour = (await berthOk(root, 'run', '-d', 'busybox', 'sleep', '300')).trim();
    const name = `probe-${network}`;
    const run = await berth(root, 'run', '--name', name, '--network', network, '--pids-limit', '10', '--memory', '32m', 'busybox', 'sh', '-c', PROBE);
    t.is(run.code, 0, run.stderr);
    const [mountLines, results] = run.stdout.split('---\n');
    const mounts = mountLines.trim().split('\n').map((l) => l.split(' '));
    t.true(mounts.some(([target]) => target === '/sys'));
    t.true(mounts.some(([target]) => target === '/sys/fs/cgroup' || target.startsWith('/sys/fs/cgroup/')), 'the container sees its cgroups');
    for (const [target, options] of mounts) t.regex(options, /^ro(,|$)/, `${target} is mounted read-only`);
    const [pids, memory, mkdir, kill, subdirs, procs] = results.trim().split('\n');
    // EROFS: the writes reach a read-only mount of the container's own cgroup, not the host's tree
    t.deepEqual([pids, memory, mkdir, kill], Array(4).fill('Read-only file system'));
    t.is(subdirs.trim(), '0', 'no cgroup below the container\'s own is visible: neither berth\'s parent nor a neighbour');
    // pids of the container's own namespace (a handful), never the host's (thousands here)
    t.true(procs.split(' ').every((pid) => Number(pid) > 0 && Number(pid) < 100), `only the container's own processes: ${procs}`);
    // from the host: the limit held and the neighbour runs
    await eventually(async () => (await berthOk(root, 'inspect', '-f', '{{.State.Status}}', neighbour)).trim() === 'running', 5_000, 'the neighbour to run');
  });
}

rootTest('a write from a --network host container cannot reach its own limit on the host', async (t) => {
  const root = await containerRoot(t);
  const id = (await berthOk(root, 'run', '-d', '--network', 'host', '--pids-limit', '10', 'busybox', 'sh', '-c', `echo max > ${inside.pids}/pids.max; sleep 300`)).trim();
  await eventually(async () => (await berthOk(root, 'inspect', '-f', '{{.State.Status}}', id)).trim() === 'running', 15_000, 'the container to run');
  // the shell has had its go at pids.max once `sleep` runs
  await eventually(async () => (await berthOk(root, 'top', id)).includes('sleep'), 15_000, 'the write to be tried');
  t.is(hostPidsMax(id), '10');
});

rootTest('--privileged: /sys/fs/cgroup is writable, and still only the container\'s own', async (t) => {
  const root = await containerRoot(t);
  const run = await berth(root, 'run', '--rm', '--privileged', '--network', 'host', 'busybox', 'sh', '-c', `grep " /sys/fs/cgroup" /proc/self/mountinfo | cut -d" " -f5,6; echo ---; find /sys/fs/cgroup -mindepth ${version === '2' ? 1 : 2} -type d | wc -l`);
  t.is(run.code, 0, run.stderr);
  const [mountLines, subdirs] = run.stdout.split('---\n');
  const cgroupMounts = mountLines.trim().split('\n').map((l) => l.split(' ')).filter(([target]) => target !== '/sys/fs/cgroup' || version === '2');
  t.true(cgroupMounts.length > 0);
  for (const [target, options] of cgroupMounts) t.regex(options, /^rw(,|$)/, `${target} is writable for --privileged`);
  t.is(subdirs.trim(), '0');
});
