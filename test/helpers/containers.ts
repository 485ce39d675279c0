/**
 * For tests that run containers: a store root whose containers, shims,
 * mounts and cgroups are all gone after the test, and a cgroup parent of the
 * test file's own so tests never touch a user's containers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExecutionContext } from 'ava';
import { berth, importBusybox, makeRoot } from './berth.js';
import { Engine } from '../../src/engine/engine.js';
import { createCgroupDriver } from '../../src/engine/cgroups/index.js';

export const CGROUP_PARENT = `berth-test-${process.pid}`;
process.env.BERTH_CGROUP_PARENT = CGROUP_PARENT;

/** A root with busybox imported; on teardown every container is force-removed and every shim it started is gone. */
export async function containerRoot(t: ExecutionContext): Promise<string> {
  const root = makeRoot(t);
  t.teardown(() => cleanContainers(root));
  await importBusybox(root);
  return root;
}

export async function cleanContainers(root: string): Promise<void> {
  try {
    await cleanContainersOf(root);
  } finally {
    // whatever the store could no longer say (a test that failed on a full disk): its shims and helpers, by pid
    killProcessesNaming(root);
  }
}

/** SIGKILLs every process whose arguments name a path in `root` (shims and helpers do): a killed shim takes its container along. */
function killProcessesNaming(root: string): void {
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)) {
    let args: string[];
    try {
      args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone
    }
    if (!args.some((a) => a === root || a.startsWith(`${root}/`))) continue;
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

async function cleanContainersOf(root: string): Promise<void> {
  killSpare(root);
  if (!fs.existsSync(path.join(root, 'berth.db'))) return;
  const ids = (await berth(root, 'ps', '-aq', '--no-trunc')).stdout.split('\n').filter(Boolean);
  if (ids.length > 0) await berth(root, 'rm', '-f', ...ids);
  const engine = Engine.open({ root });
  try {
    for (const c of engine.containers.list()) {
      if (c.shimPid > 0) {
        try {
          process.kill(c.shimPid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    await engine.containers.reconcile();
    await engine.networks.teardown(); // this root's bridges and firewall rules
  } finally {
    engine.close();
  }
  killSpare(root); // a shim that just started a container may have started a new spare
  // Only this root's cgroups: other tests of the file share the parent and are still running.
  const driver = createCgroupDriver({ parent: CGROUP_PARENT });
  const mine = new Set(fs.existsSync(path.join(root, 'containers')) ? fs.readdirSync(path.join(root, 'containers')) : []);
  for (const id of driver.list()) if (mine.has(id)) await driver.open(id).remove();
}

/** For test.after.always: the file's cgroup parent, once every test is done with it. */
export function removeCgroupParent(): void {
  createCgroupDriver({ parent: CGROUP_PARENT }).removeParent();
}

/** The spare shim waiting for the next container of this root, if any. */
function killSpare(root: string): void {
  try {
    const pid = Number(fs.readFileSync(path.join(root, 'spare.pid'), 'utf8'));
    if (pid > 0) process.kill(pid, 'SIGKILL'); // never 0 (an empty file): that would be this process group
  } catch {
    // none
  }
}

/** Polls `check` until it is true (or throws after `ms`); for state that settles asynchronously, never as a timing assertion. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export function inspectState(root: string, id: string): Promise<Record<string, unknown>> {
  return berth(root, 'inspect', '--type', 'container', id).then((r) => (JSON.parse(r.stdout) as Record<string, unknown>[])[0]?.State as Record<string, unknown>);
}
