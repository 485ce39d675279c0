/**
 * What the benches share: quiet commands, medians, getting docker/podman
 * ready with berth's own busybox, and leaving a berth root with nothing
 * running, mounted, bridged or in a cgroup.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { berth, daemonAnswers, hasCommand, repoRoot, type Teardowns } from '../test/helpers/berth.js';
import { createCgroupDriver } from '../src/engine/cgroups/index.js';
import { Engine } from '../src/engine/engine.js';

export const BERTH = path.join(repoRoot, 'bin/berth');

export type Daemon = 'docker' | 'podman';

export function quiet(cmd: string, args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
  return { ok: r.status === 0, out: r.stdout ?? '', err: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

export function sorted(values: number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

export function median(values: number[]): number {
  const s = sorted(values);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Why `cli` cannot be measured, or undefined; loads berth's busybox into it if it has none. */
export function prepareDaemon(cli: Daemon, root: string, work: string): string | undefined {
  if (!hasCommand(cli)) return `${cli} is not installed`;
  if (!daemonAnswers(cli)) return `${cli} is installed but \`${cli} info\` fails`;
  if (!quiet(cli, ['image', 'inspect', 'busybox']).ok) {
    const archive = path.join(work, `busybox-for-${cli}.tar`);
    if (!fs.existsSync(archive)) {
      const saved = quiet(BERTH, ['--root', root, 'save', '-o', archive, 'busybox']);
      if (!saved.ok) return `could not save berth's busybox for ${cli}: ${saved.err.trim()}`;
    }
    const loaded = quiet(cli, ['load', '-i', archive]);
    if (!loaded.ok) return `${cli} load of berth's busybox failed: ${loaded.err.trim()}`;
    console.log(`${cli}: loaded berth's busybox image (left in place)`);
  }
  const trial = quiet(cli, ['run', '--rm', 'busybox', 'true']);
  if (!trial.ok) {
    const hint = cli === 'podman' ? ' (on hybrid-cgroup hosts podman needs runtime = "runc" and default_ulimits = [] in /etc/containers/containers.conf)' : '';
    return `\`${cli} run --rm busybox true\` fails: ${trial.err.trim().split('\n').slice(-2).join(' ')}${hint}`;
  }
  return undefined;
}

export function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

function shimsOf(root: string): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const cmd = cmdline(Number(name));
    if (cmd.includes('shim.js') && cmd.includes(` ${root}`)) out.push(Number(name));
  }
  return out;
}

/** Every container of `root` removed, its shims gone, its bridges and cgroups (under `cgroupParent`) deleted. */
export async function cleanBerth(root: string, cgroupParent: string): Promise<void> {
  if (!fs.existsSync(path.join(root, 'berth.db'))) return;
  const ids = (await berth(root, 'ps', '-aq', '--no-trunc')).stdout.split('\n').filter(Boolean);
  for (let i = 0; i < ids.length; i += 100) await berth(root, 'rm', '-f', ...ids.slice(i, i + 100));
  // the spare (root/spare.pid), and a replacement spare a just-started shim may still be bringing up
  for (let i = 0; i < 10; i++) {
    const pids = shimsOf(root);
    try {
      pids.push(Number(fs.readFileSync(path.join(root, 'spare.pid'), 'utf8')));
    } catch {
      // none
    }
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    if (shimsOf(root).length === 0 && i >= 2) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await berth(root, 'ps', '-a'); // reconciles rows whose shim was killed: releases their mounts, leases and cgroups
  const engine = Engine.open({ root });
  try {
    await engine.networks.teardown();
  } finally {
    engine.close();
  }
  const driver = createCgroupDriver({ parent: cgroupParent });
  for (const id of driver.list()) await driver.open(id).remove();
  try {
    driver.removeParent();
  } catch (err) {
    console.log(`could not remove cgroup parent ${cgroupParent}: ${(err as Error).message}`);
  }
}

/**
 * Teardowns run once, last registered first, also on SIGINT/SIGTERM, so an
 * interrupted bench leaves nothing running either.
 */
export function cleanupOnExit(): { teardowns: Teardowns; cleanAll: () => Promise<void> } {
  const cleanups: (() => void | Promise<void>)[] = [];
  let cleaned = false;
  const cleanAll = async () => {
    if (cleaned) return;
    cleaned = true;
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        console.log(`cleanup: ${(err as Error).message}`);
      }
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log(`\n${signal}: cleaning up`);
      void cleanAll().then(() => process.exit(130));
    });
  }
  return { teardowns: { teardown: (fn) => cleanups.push(fn) }, cleanAll };
}
