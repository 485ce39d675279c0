/**
 * Attach and detach as a person does it, in a real pseudo-terminal: the
 * container keeps running after ctrl-p ctrl-q and after its CLI is killed,
 * a lone ctrl-p still reaches the container, and window size follows.
 */
import test from 'ava';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import nodePty from 'node-pty';
import { berthOk, repoRoot, requireRoot } from './helpers/berth.js';
import { containerRoot, eventually, inspectState, removeCgroupParent } from './helpers/containers.js';

const rootTest = requireRoot(test);
test.after.always(removeCgroupParent);

/** berth in a pty of its own; `screen()` is everything it printed so far. */
function berthInPty(root: string, args: string[], size = { cols: 100, rows: 30 }) {
  const pty = nodePty.spawn(path.join(repoRoot, 'bin/berth'), ['--root', root, ...args], {
    name: 'xterm',
    ...size,
    cwd: repoRoot,
    env: { ...process.env, BERTH_ROOT: '' } as Record<string, string>,
  });
  let output = '';
  pty.onData((d) => (output += d));
  const exited = new Promise<number>((resolve) => pty.onExit(({ exitCode }) => resolve(exitCode)));
  // Keys typed before berth puts the terminal in raw mode would meet the line discipline, not berth.
  const slave = (pty as unknown as { _pty: string })._pty;
  const raw = () => eventually(() => /(^|\s)-icanon(\s|$)/.test(execFileSync('stty', ['-F', slave, '-a']).toString()), 15_000, 'raw mode');
  return { pty, screen: () => output, exited, raw };
}

rootTest('attach, a lone ctrl-p passes through, ctrl-p ctrl-q detaches and the container keeps running', async (t) => {
  const root = await containerRoot(t);
  await berthOk(root, 'run', '-dit', '--name', 'catv', 'busybox', 'cat', '-v');
  const session = berthInPty(root, ['attach', 'catv']);
  t.teardown(() => session.pty.kill('SIGKILL'));
  await session.raw();
  session.pty.write('\x10x\r');
  await eventually(() => session.screen().includes('^Px'), 15_000, 'ctrl-p x to come back through cat -v');
  session.pty.write('\x10\x11');
  t.is(await session.exited, 0);
  t.is((await inspectState(root, 'catv')).Status, 'running');
  // and once more: attach again after detaching
  const again = berthInPty(root, ['attach', 'catv']);
  t.teardown(() => again.pty.kill('SIGKILL'));
  await again.raw();
  again.pty.write('hello\r');
  await eventually(() => again.screen().includes('hello'), 15_000, 'a second attach to work');
  again.pty.write('\x10\x11');
  t.is(await again.exited, 0);
});

rootTest('SIGKILL of a foreground run -it leaves the container running; stty size follows a resize while attached', async (t) => {
  const root = await containerRoot(t);
  const fg = berthInPty(root, ['run', '-it', '--name', 'fg', 'busybox', 'sh'], { cols: 90, rows: 20 });
  t.teardown(() => fg.pty.kill('SIGKILL'));
  await fg.raw();
  fg.pty.write('stty size\r');
  await eventually(() => fg.screen().includes('20 90'), 15_000, 'stty size to show the first size');
  fg.pty.resize(120, 40);
  await eventually(async () => {
    fg.pty.write('stty size\r');
    return fg.screen().includes('40 120');
  }, 15_000, 'stty size to follow the resize');
  process.kill(fg.pty.pid, 'SIGKILL');
  await fg.exited;
  t.is((await inspectState(root, 'fg')).Status, 'running');
  const attached = berthInPty(root, ['attach', 'fg']);
  t.teardown(() => attached.pty.kill('SIGKILL'));
  await attached.raw();
  attached.pty.write('echo still-$((40+2))\r');
  await eventually(() => attached.screen().includes('still-42'), 15_000, 'the shell to answer after the CLI died');
  attached.pty.write('exit\r');
  t.is(await attached.exited, 0);
  await eventually(async () => (await inspectState(root, 'fg')).Status === 'exited', 15_000, 'the container to exit');
});
