/**
 * Issue 11 item 10: what start would refuse is refused at create, in one line
 * (Docker's wording where Docker has one), exit 125, leaving no container
 * behind; and a start that does fail never shows a path of the store.
 */
import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { berth, berthOk, requireRoot, type Result } from './helpers/berth.js';
import { containerRoot, eventually, removeCgroupParent } from './helpers/containers.js';
import { Engine } from '../src/engine/engine.js';

const rootTest = requireRoot(test);
test.after.always(removeCgroupParent);

/** Flags and the start of the one line each must be refused with. */
const REFUSED: [string[], RegExp][] = [
  [['--cap-add', 'BOGUS'], /^Error: invalid CapAdd: unknown capability: "CAP_BOGUS"$/],
  [['--cap-drop', 'cap_bogus'], /^Error: invalid CapDrop: unknown capability: "CAP_BOGUS"$/],
  [['--security-opt', 'bogus'], /^Error: Invalid --security-opt: "bogus"$/],
  [['--security-opt', 'bogus=1'], /^Error: Invalid --security-opt: "bogus=1"$/],
  [['--security-opt', 'seccomp='], /^Error: Invalid --security-opt: "seccomp="$/],
  [['--security-opt', 'no-new-privileges=maybe'], /^Error: Invalid --security-opt: "no-new-privileges=maybe"$/],
  // options berth cannot honour: refused, never ignored
  [['--security-opt', 'apparmor=docker-default'], /^Error: Invalid --security-opt: "apparmor=docker-default": berth applies no AppArmor profile/],
  [['--security-opt', 'label=type:svirt_t'], /^Error: Invalid --security-opt: "label=type:svirt_t": berth applies no SELinux labels/],
  [['--security-opt', 'seccomp=/etc/profile.json'], /^Error: Invalid --security-opt: "seccomp=\/etc\/profile.json": berth has only its built-in seccomp profile/],
  [['--stop-signal', 'SIGBOGUS'], /^Error: Invalid signal: SIGBOGUS$/],
  [['--stop-signal', '0'], /^Error: Invalid signal: 0$/],
  [['-w', 'relative'], /^Error: the working directory 'relative' is invalid, it needs to be an absolute path$/],
  [['-e', ''], /^Error: invalid argument "" for "-e, --env" flag: invalid environment variable: $/],
  [['-e', '=x'], /^Error: invalid argument "=x" for "-e, --env" flag: invalid environment variable: =x$/],
  [['--memory', '1000000000g'], /^Error: Memory limit too large: 1073741824000000000 bytes, the most berth can set is 8 PiB$/],
  [['--memory', '100000000000000000g'], /^Error: Memory limit too large: .* bytes, the most berth can set is 8 PiB$/],
  [['--memory', '5m'], /^Error: Minimum memory limit allowed is 6MB$/],
  [['--cpus', '1000'], /^Error: Range of CPUs is from 0\.01 to \d+\.00, as there are only \d+ CPUs available$/],
  [['--cpus', '-1'], /^Error: Range of CPUs is from 0\.01/],
  [['--cpu-shares', '-1'], /^Error: invalid CPU shares: -1$/],
  [['--restart', 'always:3'], /^Error: maximum retry count cannot be used with restart policy 'always'$/],
  [['--restart', 'bogus'], /^Error: invalid restart policy 'bogus'$/],
  [['--restart', 'on-failure:-1'], /^Error: maximum retry count cannot be negative$/],
  [['-h', 'h'.repeat(65)], /^Error: invalid hostname "h{65}": a hostname is at most 64 characters$/],
  // names written into /etc/hosts, the container's own and its peers': a newline or a space would start another entry
  [['-h', 'web\n10.0.0.9 db'], /^Error: invalid argument "web\\n10\.0\.0\.9 db" for "-h, --hostname" flag: invalid host name/],
  [['--add-host', 'db db2:10.0.0.9'], /^Error: invalid argument "db db2:10\.0\.0\.9" for "--add-host" flag: invalid host name "db db2"$/],
  [['--network-alias', 'www#x'], /^Error: invalid argument "www#x" for "--network-alias" flag: invalid host name "www#x"$/],
];

function refusedInOneLine(t: ExecutionContext, r: Result, message: RegExp, what: string): void {
  t.is(r.code, 125, `${what}: exit code (stderr: ${r.stderr})`);
  t.is(r.stdout, '', `${what}: nothing on stdout`);
  t.is(r.stderr.split('\n').length, 2, `${what}: one line on stderr, got: ${r.stderr}`);
  t.regex(r.stderr.split('\n')[0], message, what);
}

async function nothingLeft(t: ExecutionContext, root: string, what: string): Promise<void> {
  t.is((await berthOk(root, 'ps', '-a', '-q')).trim(), '', `${what}: no container left`);
  const dirs = fs.existsSync(path.join(root, 'containers')) ? fs.readdirSync(path.join(root, 'containers')) : [];
  t.deepEqual(dirs, [], `${what}: no container directory left`);
}

rootTest('create and run refuse, in one line and exit 125, what start would refuse; nothing is left behind', async (t) => {
  const root = await containerRoot(t);
  for (const verb of ['create', 'run'] as const) {
    for (const [flags, message] of REFUSED) {
      const what = `${verb} ${flags.join(' ')}`;
      refusedInOneLine(t, await berth(root, verb, ...(verb === 'run' ? ['--rm'] : []), ...flags, 'busybox', 'true'), message, what);
      await nothingLeft(t, root, what);
    }
  }
});

rootTest('--env-file entries are checked as -e is', async (t) => {
  const root = await containerRoot(t);
  const file = path.join(root, 'bad.env');
  fs.writeFileSync(file, 'GOOD=1\n=value\n');
  refusedInOneLine(t, await berth(root, 'create', '--env-file', file, 'busybox', 'true'), /^Error: invalid environment variable: =value$/, '--env-file');
  await nothingLeft(t, root, '--env-file');
});

rootTest('the accepted forms still create and run, and do what they say', async (t) => {
  const root = await containerRoot(t);
  const run = (...args: string[]) => berthOk(root, 'run', '--rm', ...args);
  t.is(await run('--security-opt', 'no-new-privileges=1', 'busybox', 'grep', 'NoNewPrivs', '/proc/self/status'), 'NoNewPrivs:\t1\n');
  t.is(await run('--security-opt', 'no-new-privileges:false', 'busybox', 'grep', 'NoNewPrivs', '/proc/self/status'), 'NoNewPrivs:\t0\n');
  t.is(await run('--security-opt', 'seccomp=unconfined', 'busybox', 'grep', 'Seccomp:', '/proc/self/status'), 'Seccomp:\t0\n');
  t.is(await run('--security-opt', 'seccomp=builtin', 'busybox', 'grep', 'Seccomp:', '/proc/self/status'), 'Seccomp:\t2\n');
  // what berth never applies may be asked for: nothing is confined less than asked
  t.is(await run('--security-opt', 'apparmor=unconfined', '--security-opt', 'label=disable', '--security-opt', 'label:disable', 'busybox', 'echo', 'ok'), 'ok\n');
  const masks = 'grep -c " /proc/sys " /proc/self/mountinfo || true';
  t.is(await run('busybox', 'sh', '-c', masks), '1\n');
  t.is(await run('--security-opt', 'systempaths=unconfined', 'busybox', 'sh', '-c', masks), '0\n');
  t.is(await run('--cap-add', 'cap_net_admin', '--cap-drop', 'ALL', '--cap-add', 'chown', 'busybox', 'echo', 'ok'), 'ok\n');
  t.is(await run('--user', ':', 'busybox', 'id', '-u'), '0\n');
  t.is(await run('--user', '1:', 'busybox', 'id', '-g'), '1\n');
  t.is(await run('-w', '/made/here', 'busybox', 'pwd'), '/made/here\n');
  t.is(await run('-e', 'A=1', '-e', 'B=', 'busybox', 'sh', '-c', 'echo "$A/$B"'), '1/\n');
  t.is(await run('-h', 'h'.repeat(64), 'busybox', 'hostname'), `${'h'.repeat(64)}\n`);
  t.is(await run('--cpus', '0', '--memory', '6m', '--pids-limit', '-1', '--stop-signal', 'term', 'busybox', 'echo', 'ok'), 'ok\n');
  t.regex(await berthOk(root, 'create', '--restart', 'on-failure:3', '--stop-signal', '15', 'busybox', 'true'), /^[0-9a-f]{64}\n$/);
});

/** Rewrites a created container's recorded Config as a berth before these checks would have let through. */
function recordConfig(root: string, name: string, change: Record<string, unknown>): void {
  const engine = Engine.open({ root });
  try {
    const row = engine.store.db.prepare('SELECT config FROM containers WHERE name = ?').get(name) as { config: string };
    engine.store.db.prepare('UPDATE containers SET config = ? WHERE name = ?').run(JSON.stringify({ ...JSON.parse(row.config), ...change }), name);
  } finally {
    engine.close();
  }
}

rootTest('a start that fails on what berth-init refuses says so in one line, without the store path of the init spec', async (t) => {
  const root = await containerRoot(t);
  await berthOk(root, 'create', '--name', 'old', 'busybox', 'true');
  recordConfig(root, 'old', { WorkingDir: 'relative' });
  // Docker's codes: start reports each container that failed and exits 1; start -a is the run family's 125
  for (const [args, code] of [[['start', 'old'], 1], [['start', '-a', 'old'], 125]] as const) {
    const r = await berth(root, ...args);
    const what = args.join(' ');
    t.is(r.code, code, `${what}: exit code (stderr: ${r.stderr})`);
    t.is(r.stderr.split('\n').length, 2, `${what}: one line, got: ${r.stderr}`);
    t.regex(r.stderr, /^Error: invalid init spec, line \d+: cwd must be an absolute path: relative\n$/, what);
    t.false(r.stderr.includes(root) || r.stderr.includes('init.spec'), `${what}: no internal path: ${r.stderr}`);
    t.is(r.stdout, '', `${what}: nothing of berth-init's on the container's output`);
  }
  t.is((await berthOk(root, 'logs', 'old')), '', "berth-init's error is not in the container's log");
});

rootTest('exec reports a spec the helper refuses in one line, without its path', async (t) => {
  const root = await containerRoot(t);
  await berthOk(root, 'run', '-d', '--name', 'box', 'busybox', 'sleep', '1000');
  recordConfig(root, 'box', { WorkingDir: 'relative' });
  const r = await berth(root, 'exec', 'box', 'true');
  t.is(r.code, 125, r.stderr);
  t.regex(r.stderr, /^Error: invalid init spec, line \d+: cwd must be an absolute path: relative\n$/);
  const relative = await berth(root, 'exec', '-w', 'relative', 'box', 'true');
  t.regex(relative.stderr, /^Error: the working directory 'relative' is invalid, it needs to be an absolute path\n$/);
  const env = await berth(root, 'exec', '-e', '', 'box', 'true');
  t.regex(env.stderr, /^Error: invalid argument "" for "-e, --env" flag: invalid environment variable: \n$/);
});

rootTest("stop falls back to SIGTERM when the image's stop signal names none, as Docker does", async (t) => {
  const root = await containerRoot(t);
  await berthOk(root, 'commit', '--change', 'STOPSIGNAL SIGBOGUS', (await berthOk(root, 'create', 'busybox', 'true')).trim(), 'oddsignal:1');
  const id = (await berthOk(root, 'run', '-d', 'oddsignal:1', 'sh', '-c', "trap 'exit 42' TERM; while true; do sleep 0.1; done")).trim();
  await eventually(async () => (await berthOk(root, 'top', id)).includes('sleep'), 15_000, 'the trap to be set');
  const stop = await berth(root, 'stop', id);
  t.is(stop.code, 0, stop.stderr);
  t.is((await berthOk(root, 'wait', id)).trim(), '42');
});
