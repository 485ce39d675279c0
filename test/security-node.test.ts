/**
 * Issue 11, item 2: nothing meant for berth or for a container reaches Node's
 * own option parsing, and no caller's NODE_* variable changes how berth's
 * processes (CLI, shim) run. Each attack plants an env file whose
 * NODE_OPTIONS line requires a script that leaves a mark: a mark means host
 * code ran as root.
 */
import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { finished, repoRoot, requireRoot, tempDir } from './helpers/berth.js';
import { containerRoot, eventually, removeCgroupParent } from './helpers/containers.js';
import { Engine } from '../src/engine/engine.js';
import { shimArgs, shimEnv } from '../src/engine/runtime/shim-options.js';

const rootTest = requireRoot(test);
test.after.always(removeCgroupParent);

interface Trap {
  /** written (with the process's argv) by any Node process that loads the payload */
  mark: string;
  payload: string;
  envFile: string;
}

function trap(t: ExecutionContext): Trap {
  const dir = tempDir(t, 'berth-node-trap-');
  const mark = path.join(dir, 'ran');
  const payload = path.join(dir, 'payload.cjs');
  fs.writeFileSync(payload, `require('node:fs').appendFileSync(${JSON.stringify(mark)}, process.argv.join(' ') + '\\n');\n`);
  const envFile = path.join(dir, 'app.env');
  fs.writeFileSync(envFile, `NODE_OPTIONS=--require ${payload}\n`);
  return { mark, payload, envFile };
}

const ran = (trap: Trap) => (fs.existsSync(trap.mark) ? fs.readFileSync(trap.mark, 'utf8') : '');

/** bin/berth with exactly the caller environment given (plus PATH), as a user's shell would start it. */
function berthWithEnv(root: string, env: Record<string, string>, ...args: string[]) {
  return finished(
    spawn(path.join(repoRoot, 'bin/berth'), ['--root', root, ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', BERTH_CGROUP_PARENT: process.env.BERTH_CGROUP_PARENT ?? '', ...env },
    }),
  );
}

rootTest('--env-file after the image is the container\'s argument, never a file Node loads', async (t) => {
  const root = await containerRoot(t);
  const bait = trap(t);
  const joined = await berthWithEnv(root, {}, 'run', '--rm', 'busybox', 'echo', `--env-file=${bait.envFile}`);
  t.is(joined.stdout, `--env-file=${bait.envFile}\n`);
  t.is(joined.code, 0);
  const split = await berthWithEnv(root, {}, 'run', '--rm', 'busybox', 'echo', '--env-file', bait.envFile);
  t.is(split.stdout, `--env-file ${bait.envFile}\n`);
  // before the verb it is berth's to refuse, as docker refuses an unknown flag
  const global = await berthWithEnv(root, {}, `--env-file=${bait.envFile}`, 'ps');
  t.is(global.code, 125);
  t.is(global.stderr.split('\n')[0], `unknown flag: --env-file=${bait.envFile}`);
  t.is(ran(bait), '', 'no berth process loaded the env file');
});

rootTest('the caller\'s NODE_OPTIONS reaches neither the CLI nor the shim; run -e NODE_OPTIONS still passes it on', async (t) => {
  const root = await containerRoot(t);
  const bait = trap(t);
  const options = `--require ${bait.payload}`;
  const env = { NODE_OPTIONS: options, NODE_PATH: path.dirname(bait.payload) };
  const id = (await berthWithEnv(root, env, 'run', '-d', 'busybox', 'sleep', '60')).stdout.trim();
  t.regex(id, /^[0-9a-f]{64}$/);
  const passed = await berthWithEnv(root, env, 'run', '--rm', '-e', 'NODE_OPTIONS', '-e', 'NODE_PATH', 'busybox', 'sh', '-c', 'echo "$NODE_OPTIONS|$NODE_PATH"');
  t.is(passed.stdout, `${options}|${path.dirname(bait.payload)}\n`);
  const shimPid = Engine.open({ root }).containers.get(id).shimPid;
  t.true(shimPid > 0);
  const shimEnviron = fs.readFileSync(`/proc/${shimPid}/environ`, 'latin1').split('\0');
  t.false(shimEnviron.some((e) => e.startsWith('NODE_')), 'the shim runs without NODE_* variables');
  t.is(ran(bait), '', 'no berth process loaded the payload');
});

rootTest('a shim started by the engine as a library ignores NODE_* in the caller\'s environment', async (t) => {
  const root = await containerRoot(t);
  const bait = trap(t);
  const saved = { ...process.env };
  process.env.NODE_OPTIONS = `--require ${bait.payload}`;
  process.env.NODE_DEBUG = 'net';
  t.teardown(() => {
    delete process.env.NODE_OPTIONS;
    delete process.env.NODE_DEBUG;
    Object.assign(process.env, saved);
  });
  t.false(Object.keys(shimEnv()).some((k) => k.startsWith('NODE_')));
  const engine = Engine.open({ root });
  t.teardown(() => engine.close());
  const container = await engine.containers.create({ image: 'busybox', cmd: ['sleep', '60'] });
  await engine.containers.start(container.id);
  await eventually(() => engine.containers.get(container.id).state.Status === 'running', 15_000, 'the container to run');
  t.is(ran(bait), '');
});

test('shim arguments end Node\'s options before the script', (t) => {
  const args = shimArgs('/x/shim.js', ['--env-file=/tmp/a', 'id']);
  t.deepEqual(args.slice(args.indexOf('--')), ['--', '/x/shim.js', '--env-file=/tmp/a', 'id']);
  t.true(args.slice(0, args.indexOf('--')).every((a) => a.startsWith('--') && !a.startsWith('--env-file')));
});
