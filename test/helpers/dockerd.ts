/**
 * A docker daemon for an interop test on a machine where Docker is installed
 * but no daemon runs (a fresh CI machine: the package's service is not
 * started there). It is the test's own: data root, exec root, pid file,
 * config and socket in a temporary directory, no bridge, no iptables rules,
 * nothing routed; stopped by its pid and removed, mounts included, when the
 * test ends.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExecutionContext } from 'ava';
import { hasCommand } from './berth.js';

/** The environment for the docker CLI to reach a daemon, starting one of the test's own if none answers. */
export async function dockerDaemon(t: ExecutionContext): Promise<NodeJS.ProcessEnv> {
  if (spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 }).status === 0) return process.env;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-dockerd-'));
  const socket = path.join(dir, 'docker.sock');
  fs.writeFileSync(path.join(dir, 'daemon.json'), '{}\n');
  const log = fs.openSync(path.join(dir, 'dockerd.log'), 'w');
  const daemon = spawn(
    'dockerd',
    [
      '--config-file', path.join(dir, 'daemon.json'),
      '--data-root', path.join(dir, 'data'),
      '--exec-root', path.join(dir, 'exec'),
      '--pidfile', path.join(dir, 'dockerd.pid'),
      '--host', `unix://${socket}`,
      '--bridge', 'none',
      '--iptables=false',
      '--ip6tables=false',
      '--ip-masq=false',
    ],
    { stdio: ['ignore', log, log] },
  );
  fs.closeSync(log);
  const exited = new Promise<void>((resolve) => daemon.once('exit', () => resolve()));
  t.teardown(async () => {
    daemon.kill('SIGTERM');
    const stopped = await Promise.race([exited.then(() => true), sleep(30_000, false, { ref: false })]);
    if (!stopped) {
      daemon.kill('SIGKILL');
      await exited;
    }
    unmountBelow(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const env = { ...process.env, DOCKER_HOST: `unix://${socket}` };
  for (let waited = 0; ; waited += 250) {
    if (daemon.exitCode !== null || daemon.signalCode !== null) throw new Error(`dockerd exited: ${tail(path.join(dir, 'dockerd.log'))}`);
    if (fs.existsSync(socket) && spawnSync('docker', ['info'], { env, stdio: 'ignore', timeout: 20_000 }).status === 0) return env;
    if (waited > 60_000) throw new Error(`dockerd did not answer within a minute: ${tail(path.join(dir, 'dockerd.log'))}`);
    await sleep(250);
  }
}

/** Whether the docker CLI has a daemon to talk to, or can be given one. */
export function dockerUsable(): boolean {
  return hasCommand('docker') && (hasCommand('dockerd') || spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 }).status === 0);
}

function unmountBelow(dir: string): void {
  const mounts = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((mountPoint) => mountPoint && (mountPoint === dir || mountPoint.startsWith(`${dir}/`)))
    .reverse();
  for (const mountPoint of mounts) spawnSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' / ');
  } catch {
    return '(no log)';
  }
}
