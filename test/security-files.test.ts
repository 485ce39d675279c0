/**
 * Issue 11, item 4: the files berth reads from a container or an image
 * (/etc/passwd and /etc/group for the user) are the container's to make. A
 * character device there once made `exec` read /dev/zero on the host until it
 * was OOM-killed, a FIFO blocked the shim forever. Each is now a one-line
 * error, and nothing is left behind.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { berthOk, berthProcess, finished, requireRoot, type Result } from './helpers/berth.js';
import { CGROUP_PARENT, containerRoot, eventually, removeCgroupParent } from './helpers/containers.js';
import { createCgroupDriver } from '../src/engine/cgroups/index.js';

const rootTest = requireRoot(test);
test.after.always(removeCgroupParent);

/** berth with a deadline: a command that would hang is killed, and the test fails on its signal. */
async function bounded(root: string, ...args: string[]): Promise<Result> {
  const child = berthProcess(root, ...args);
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    return await finished(child);
  } finally {
    clearTimeout(timer);
  }
}

/** An image of busybox whose /etc/passwd the shell command `make` replaced. */
async function imageWith(root: string, tag: string, make: string): Promise<void> {
  await berthOk(root, 'run', '--name', `make-${tag}`, 'busybox', 'sh', '-c', `rm /etc/passwd; ${make}`);
  await berthOk(root, 'commit', `make-${tag}`, tag);
  await berthOk(root, 'rm', `make-${tag}`);
}

function oneLine(t: { is: (a: unknown, b: unknown, m?: string) => void }, r: Result, pattern: RegExp): void {
  t.is(r.signal, null, 'it ended by itself');
  t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  t.is(pattern.test(r.stderr), true, r.stderr);
}

for (const [kind, make] of [
  ['chardev', 'mknod /etc/passwd c 1 5'],
  ['fifo', 'mkfifo /etc/passwd'],
  ['huge', 'dd if=/dev/zero of=/etc/passwd bs=1M count=5 2>/dev/null'],
] as const) {
  rootTest(`an image whose /etc/passwd is a ${kind}: run is one line, exit 125, and --rm leaves nothing`, async (t) => {
    const root = await containerRoot(t);
    await imageWith(root, kind, make);
    const run = await bounded(root, 'run', '--rm', kind, 'true');
    t.is(run.code, 125);
    oneLine(t, run, kind === 'huge' ? /\/etc\/passwd .*larger than/ : /\/etc\/passwd .*not a regular file/);
    t.is((await berthOk(root, 'ps', '-aq')).trim(), '');
    // and a container kept (no --rm): rm -f removes it with its cgroups
    const kept = await bounded(root, 'run', '-d', '--name', 'kept', kind, 'sleep', '60');
    t.is(kept.code, 125);
    await berthOk(root, 'rm', '-f', 'kept');
    const mine = new Set(fs.readdirSync(path.join(root, 'containers')));
    t.deepEqual(createCgroupDriver({ parent: CGROUP_PARENT }).list().filter((id) => mine.has(id)), []);
  });
}

for (const [kind, make, expected] of [
  ['/dev/zero', 'mknod /etc/passwd c 1 5', /\/etc\/passwd .*not a regular file/],
  ['a FIFO', 'mkfifo /etc/passwd', /\/etc\/passwd .*not a regular file/],
  // resolved inside the container (where /proc/self/root means nothing on the host's side): never the host's shadow
  ['a /proc magic link', 'ln -s /proc/self/root/etc/shadow /etc/passwd', /unable to find user root: no matching entries in passwd file/],
] as const) {
  rootTest(`a running container that swaps its /etc/passwd for ${kind}: exec is one line`, async (t) => {
    const root = await containerRoot(t);
    await berthOk(root, 'run', '-d', '--name', 'box', 'busybox', 'sh', '-c', `rm /etc/passwd; ${make}; touch /ready; exec sleep 600`);
    await eventually(async () => (await berthOk(root, 'diff', 'box')).includes('A /ready'), 15_000, 'the swap');
    const exec = await bounded(root, 'exec', '-u', 'root', 'box', 'true');
    t.not(exec.code, 0);
    oneLine(t, exec, expected);
  });
}
