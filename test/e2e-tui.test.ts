/**
 * The TUI end to end, as a person uses it, in tmux: run a container from the
 * `:` command line, attach, type, detach with ctrl-p ctrl-q, see its
 * processes with both PIDs, quit, and find it still running. Every wait polls
 * capture-pane for text; tmux runs on a socket of this test's own, so other
 * sessions on the machine are never touched.
 */
import test from 'ava';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { berthOk, repoRoot, requireRoot, tempDir } from './helpers/berth.js';
import { CGROUP_PARENT, containerRoot, eventually, removeCgroupParent } from './helpers/containers.js';

const rootTest = requireRoot(test, 'tmux');
test.after.always(removeCgroupParent);

const SOCKET = `berth-e2e-${process.pid}`;
test.after.always(() => {
  spawnSync('tmux', ['-L', SOCKET, 'kill-server'], { stdio: 'ignore' });
});

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

/** Starts the TUI in a detached tmux session of the given size; returns helpers to drive it. */
function tui(t: { teardown(fn: () => void): void }, root: string, configDir: string, name: string, size: { cols: number; rows: number }) {
  const command = [
    'env',
    `BERTH_CGROUP_PARENT=${CGROUP_PARENT}`,
    `BERTH_CONFIG_DIR=${configDir}`,
    'BERTH_ROOT=',
    'TERM=xterm-256color',
    path.join(repoRoot, 'bin/berth'),
    '--root',
    root,
  ]
    .map((w) => `'${w.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  tmux('new-session', '-d', '-s', name, '-x', String(size.cols), '-y', String(size.rows), command);
  t.teardown(() => {
    spawnSync('tmux', ['-L', SOCKET, 'kill-session', '-t', name], { stdio: 'ignore' });
  });
  const screen = () => {
    try {
      return tmux('capture-pane', '-p', '-t', name);
    } catch {
      return '';
    }
  };
  const until = (check: (s: string) => boolean, what: string) => eventually(() => check(screen()), 20_000, `${what}; screen:\n${screen()}`);
  const keys = (...k: string[]) => tmux('send-keys', '-t', name, ...k);
  const text = (s: string) => tmux('send-keys', '-t', name, '-l', s);
  const alive = () => spawnSync('tmux', ['-L', SOCKET, 'has-session', '-t', name], { stdio: 'ignore' }).status === 0;
  return { screen, until, keys, text, alive };
}

rootTest('run from the command line, attach, detach, processes, quit: the container keeps running', async (t) => {
  const root = await containerRoot(t);
  const config = tempDir(t, 'berth-config-');
  const s = tui(t, root, config, 'main', { cols: 120, rows: 40 });
  await s.until((x) => x.includes('[1] Containers') && x.includes('busybox'), 'the TUI to draw');
  s.keys(':');
  await s.until((x) => x.includes(':█'), 'the command prompt');
  s.text('run -dit --name box busybox sh');
  await s.until((x) => x.includes(':run -dit --name box busybox sh█'), 'the command typed');
  s.keys('Enter');
  await s.until((x) => /│box +busybox +Up /.test(x), 'container box to show Up');
  s.keys('1');
  s.keys('a');
  await s.until((x) => x.includes('Attached to box. Detach with ctrl-p,ctrl-q'), 'the attach hint');
  s.text('echo hi-$((1+1))');
  s.keys('Enter');
  await s.until((x) => /^hi-2\s*$/m.test(x), 'the shell to answer hi-2');
  s.keys('C-p', 'C-q');
  await s.until((x) => x.includes('detached from box; it keeps running'), 'the TUI to come back');
  t.regex(s.screen(), /│box +busybox +Up /);
  s.keys('4');
  await s.until((x) => /│ +\d+ +1 root +.*sh/.test(x), 'PID 1 with its host PID in the processes pane');
  const hostPid = Number(/│ +(\d+) +1 root/.exec(s.screen())![1]);
  t.true(hostPid > 1);
  s.keys('q');
  await eventually(() => !s.alive(), 20_000, 'the TUI to quit');
  const ps = await berthOk(root, 'ps', '--format', '{{.Names}} {{.Status}}');
  t.regex(ps, /^box Up /m);
});

rootTest('80×24: all four panes show their titles', async (t) => {
  const root = await containerRoot(t);
  const config = tempDir(t, 'berth-config-');
  const s = tui(t, root, config, 'small', { cols: 80, rows: 24 });
  await s.until((x) => x.includes('busybox'), 'the TUI to draw');
  const screen = s.screen();
  for (const title of ['[1] Containers', '[2] Images', '[3] Layers', '[4] Processes']) t.true(screen.includes(title), title);
  s.keys('q');
  await eventually(() => !s.alive(), 20_000, 'the TUI to quit');
});
