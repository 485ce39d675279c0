/**
 * Issue 11 item 7, crash leftovers: `network create`, `network rm`, `cp` into
 * a stopped container, `run -d`, `rm -f`, `load` and `commit`, each SIGKILLed
 * at 32 points spread over its run time, each kill followed by one engine
 * start (`ps -a`). After it nothing of this store may be left on the host
 * that belongs to nothing committed (bridge, route, firewall rule, mount,
 * veth, network namespace), what is committed must be whole, the store must
 * agree with itself, and the operation must succeed when done again.
 *
 * Networks made here take subnets of 10.200.0.0/16 and 10.201.0.0/16 (no pool
 * of berth's, so no other store on the host uses them): a leaked bridge, route
 * or rule is found by its subnet even when its name died with the process.
 */
import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { hexOf, type Digest } from '../src/engine/digest.js';
import { Engine } from '../src/engine/engine.js';
import {
  berth,
  berthOk,
  berthProcessNiced,
  dockerArchive,
  finished,
  requireRoot,
  syntheticTree,
  tarOf,
  tempDir,
  treeOf,
  type Result,
} from './helpers/berth.js';
import { containerRoot, eventually, removeCgroupParent } from './helpers/containers.js';
import { holdRootfs } from '../src/engine/runtime/rootfs.js';

// One loop at a time: the kill points are spread over run times measured on a machine the other loops would load.
const test = requireRoot(anyTest.serial as unknown as TestFn, 'ip', 'iptables');
anyTest.after.always(removeCgroupParent);

const POINTS = 32;

// ------------------------------------------------------------ kill points

/** Runs `berth args…` once to the end, returning how long it took (ms) and what it said. */
async function timed(root: string, ...args: string[]): Promise<{ ms: number; result: Result }> {
  const started = performance.now();
  const result = await finished(berthProcessNiced(root, ...args));
  return { ms: performance.now() - started, result };
}

/**
 * Delays for the 32 kills: from most of the way through Node's own start-up
 * (a kill before berth's code runs tests nothing) to just past the end of a
 * whole run, evenly spread. Measured on this machine, now (a loaded machine
 * stretches both ends alike), the quicker of two runs: a first one may do
 * work the others find done.
 */
async function killDelays(root: string, measure: (run: number) => Promise<number>): Promise<number[]> {
  const startup = (await timed(root, 'version')).ms;
  const whole = Math.min(await measure(0), await measure(1));
  const from = Math.min(startup * 0.6, whole * 0.5);
  const to = Math.max(whole * 1.1, from + POINTS);
  return Array.from({ length: POINTS }, (_, i) => from + ((to - from) * i) / (POINTS - 1));
}

/** Starts `berth args…` and SIGKILLs it after `delay` ms unless it ended first; true if the kill landed. */
async function killAfter(root: string, delay: number, ...args: string[]): Promise<boolean> {
  const child = berthProcessNiced(root, ...args);
  const done = finished(child);
  await Promise.race([sleep(delay), done]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  return (await done).signal === 'SIGKILL';
}

/** The engine start after a kill: any command reconciles; ps -a lists what the store holds. */
async function engineStart(t: ExecutionContext, root: string): Promise<void> {
  const r = await berth(root, 'ps', '-a');
  t.is(r.code, 0, `engine start after the kill: ${r.stderr}`);
}

// ------------------------------------------------------------ the host

function run(command: string, ...args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8' });
}

/** The host's routes and firewall rules, read once for every check of a moment. */
interface HostTables {
  routes: string[];
  nat: string[];
  forward: string[];
}

function hostTables(): HostTables {
  return {
    routes: run('ip', '-4', '-o', 'route', 'show').split('\n'),
    nat: run('iptables', '-w', '-t', 'nat', '-S', 'POSTROUTING').split('\n'),
    forward: run('iptables', '-w', '-S', 'FORWARD').split('\n'),
  };
}

/** What the host holds for a subnet: the links routed to it, its NAT rule, the FORWARD rules of those links. */
function hostTraces(subnet: string, tables = hostTables()): { links: string[]; routes: string[]; nat: string[]; forward: string[] } {
  const routes = tables.routes.filter((l) => l.startsWith(`${subnet} `));
  const nat = tables.nat.filter((l) => l.includes(` -s ${subnet} `));
  const names = new Set<string>();
  for (const l of routes) names.add(/ dev (\S+)/.exec(l)![1]);
  for (const l of nat) {
    const m = /! -o (\S+)/.exec(l);
    if (m) names.add(m[1]);
  }
  const forward = tables.forward.filter((l) => [...names].some((n) => l.includes(` ${n} `)));
  return { links: [...names].filter((n) => fs.existsSync(`/sys/class/net/${n}`)), routes, nat, forward };
}

/**
 * `count` /24s of 10.<second>.0.0/16 that no route and no NAT rule on the host
 * names now: one an earlier run leaked (as berth before this fix did) would
 * otherwise read as this run's leak.
 */
function freeSubnets(second: number, count: number): string[] {
  const named = run('ip', '-4', '-o', 'route', 'show') + run('iptables', '-w', '-t', 'nat', '-S', 'POSTROUTING');
  const free = Array.from({ length: 256 }, (_, i) => `10.${second}.${i}.0/24`).filter((s) => !named.includes(`${s} `));
  if (free.length < count) throw new Error(`fewer than ${count} free /24s in 10.${second}.0.0/16 on this host`);
  return free.slice(0, count);
}

/** A committed bridge network is whole on the host; anything else of its subnet is gone. */
function assertSubnet(t: ExecutionContext, subnet: string, committed: { bridge: string } | undefined, when: string, tables = hostTables()): void {
  const traces = hostTraces(subnet, tables);
  if (!committed) {
    t.deepEqual(traces, { links: [], routes: [], nat: [], forward: [] }, `${when}: nothing left on the host for ${subnet}, which no network holds`);
    return;
  }
  // Only what names its bridge: a default bridge's subnet is one no route uses, not one no other store ever leaked a rule for.
  const own = (lines: string[]) => lines.filter((l) => l.includes(` ${committed.bridge} `));
  t.true(traces.links.includes(committed.bridge), `${when}: the bridge of ${subnet} is there`);
  t.is(own(traces.routes).length, 1, `${when}: its route`);
  t.is(own(traces.nat).length, 1, `${when}: its NAT rule`);
  t.deepEqual(
    own(traces.forward).map((l) => l.replace(committed.bridge, 'BRIDGE')).sort(),
    ['-A FORWARD -i BRIDGE -j ACCEPT', '-A FORWARD -o BRIDGE -j ACCEPT'],
    `${when}: its FORWARD rules, once each`,
  );
}

/** Mount points at or below dir, unescaped. */
function mountsBelow(dir: string): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8))))
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
}

/** The process exists and is not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function ls(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}

// ------------------------------------------------------------ the store

interface ContainerRow {
  id: string;
  name: string;
  status: string;
  pid: number;
  shim_pid: number;
}

function rows<T>(root: string, sql: string): T[] {
  const engine = Engine.open({ root });
  try {
    return engine.store.db.prepare(sql).all() as T[];
  } finally {
    engine.close();
  }
}

const containerRows = (root: string) => rows<ContainerRow>(root, 'SELECT id, name, status, pid, shim_pid FROM containers');
const networkRows = (root: string) => rows<{ name: string; bridge: string; subnet: string }>(root, "SELECT name, bridge, subnet FROM networks WHERE driver = 'bridge'");

/**
 * The store agrees with itself and with the host after an engine start:
 * no staging left; one layer directory per layer row and one blob file per
 * blob row; a container that is running has a live shim and process, and
 * only running containers have a mounted rootfs, veths, a network
 * namespace or a lease; every bridge network is whole on the host.
 */
function assertStoreSound(t: ExecutionContext, root: string, when: string): void {
  // tmp/ first: opening the store with staging left in it would collect it before we could see it
  t.deepEqual(ls(path.join(root, 'tmp')), [], `${when}: no staging left in tmp/`);
  const engine = Engine.open({ root });
  try {
    const all = <T>(sql: string) => engine.store.db.prepare(sql).all() as T[];
    const hex = (sql: string) => all<{ d: Digest }>(sql).map((r) => hexOf(r.d)).sort();
    t.deepEqual(ls(path.join(root, 'overlay')).filter((n) => n !== 'l' && n !== 'empty'), hex('SELECT chain_id AS d FROM layers'), `${when}: one overlay dir per layer row`);
    t.deepEqual(ls(path.join(root, 'blobs/sha256')), hex('SELECT digest AS d FROM blobs'), `${when}: one blob file per blob row`);
    for (const link of ls(path.join(root, 'overlay/l'))) t.true(fs.existsSync(path.join(root, 'overlay/l', link)), `${when}: overlay/l/${link} resolves`);

    const containers = all<ContainerRow>('SELECT id, name, status, pid, shim_pid FROM containers');
    const running = new Set<string>();
    for (const c of containers) {
      t.true(fs.existsSync(path.join(root, 'containers', c.id, 'config.json')), `${when}: ${c.name} has its directory`);
      if (['running', 'paused', 'restarting'].includes(c.status)) {
        t.true(c.shim_pid > 0 && alive(c.shim_pid) && c.pid > 0 && alive(c.pid), `${when}: ${c.name} is ${c.status} with a live shim and process`);
        running.add(c.id);
      } else {
        t.is(c.shim_pid, 0, `${when}: ${c.name} (${c.status}) has no keeper`);
      }
    }
    const runningRootfs = (m: string) => m.endsWith('/rootfs') && running.has(path.basename(path.dirname(m)));
    t.deepEqual(mountsBelow(root).filter((m) => !runningRootfs(m)), [], `${when}: nothing mounted under the store but running containers' rootfs`);
    const ours = [...new Set([...containers.map((c) => c.id), ...ls(path.join(root, 'containers'))])];
    const strays = (names: string[], prefix: string, length: number) =>
      names.filter((n) => ours.some((id) => n.startsWith(`${prefix}${id.slice(0, length)}`) && !running.has(id)));
    t.deepEqual(strays(ls('/sys/class/net'), 'vb', 10), [], `${when}: no veth of a container that is not running`);
    t.deepEqual(strays(ls('/run/netns'), 'berth-', 16), [], `${when}: no network namespace of a container that is not running`);
    const leases = all<{ container_id: string }>('SELECT container_id FROM endpoints WHERE address IS NOT NULL').filter((e) => !running.has(e.container_id));
    t.deepEqual(leases, [], `${when}: no lease held by a container that is not running`);
    const tables = hostTables();
    for (const n of all<{ name: string; bridge: string; subnet: string }>("SELECT name, bridge, subnet FROM networks WHERE driver = 'bridge'")) {
      assertSubnet(t, n.subnet, n, `${when}, network ${n.name}`, tables);
    }
  } finally {
    engine.close();
  }
}

/** Removes a container through the engine in this process (faster than a CLI run per point). */
async function removeContainer(root: string, name: string): Promise<void> {
  const engine = Engine.open({ root });
  try {
    await engine.containers.remove(name, { force: true });
  } finally {
    engine.close();
  }
}

function logKills(t: ExecutionContext, what: string, delays: number[], landed: number): void {
  t.log(`${what}: ${landed} of ${POINTS} kills landed mid-run (delays ${Math.round(delays[0])}–${Math.round(delays.at(-1)!)} ms)`);
}

// ------------------------------------------------------------ the loops

test('network create killed at 32 points leaks no bridge, route or rule, and can be done again', async (t) => {
  t.timeout(600_000);
  const root = await containerRoot(t);
  const subnets = freeSubnets(200, POINTS + 3);
  await berthOk(root, 'network', 'create', '--subnet', subnets[POINTS + 2], 'probe'); // the default bridge is made by the first
  const delays = await killDelays(root, async (run) => {
    const { ms, result } = await timed(root, 'network', 'create', '--subnet', subnets[POINTS + run], `measure${run}`);
    t.is(result.code, 0, result.stderr);
    return ms;
  });
  await berthOk(root, 'network', 'rm', 'probe', 'measure0', 'measure1');
  let landed = 0;
  for (const [i, delay] of delays.entries()) {
    const name = `cnet${i}`;
    const subnet = subnets[i];
    const when = `kill ${i} (${Math.round(delay)} ms)`;
    if (await killAfter(root, delay, 'network', 'create', '--subnet', subnet, name)) landed++;
    await engineStart(t, root);
    assertStoreSound(t, root, when);
    const committed = networkRows(root).find((n) => n.name === name);
    assertSubnet(t, subnet, committed, when);
    if (!committed) {
      const again = await berth(root, 'network', 'create', '--subnet', subnet, name);
      t.is(again.code, 0, `${when}: created again: ${again.stderr}`);
      assertSubnet(t, subnet, networkRows(root).find((n) => n.name === name), `${when}, created again`);
    }
  }
  logKills(t, 'network create', delays, landed);
});

test('network rm killed at 32 points leaves the network whole or gone from the host, and can be done again', async (t) => {
  t.timeout(600_000);
  const root = await containerRoot(t);
  const subnets = freeSubnets(201, POINTS + 2);
  const engine = Engine.open({ root });
  try {
    for (let i = 0; i < POINTS + 2; i++) await engine.networks.create({ name: `rnet${i}`, subnet: subnets[i] });
  } finally {
    engine.close();
  }
  const delays = await killDelays(root, async (run) => {
    const { ms, result } = await timed(root, 'network', 'rm', `rnet${POINTS + run}`);
    t.is(result.code, 0, result.stderr);
    return ms;
  });
  let landed = 0;
  for (const [i, delay] of delays.entries()) {
    const name = `rnet${i}`;
    const subnet = subnets[i];
    const when = `kill ${i} (${Math.round(delay)} ms)`;
    if (await killAfter(root, delay, 'network', 'rm', name)) landed++;
    await engineStart(t, root);
    assertStoreSound(t, root, when);
    const committed = networkRows(root).find((n) => n.name === name);
    assertSubnet(t, subnet, committed, when);
    if (committed) {
      const again = await berth(root, 'network', 'rm', name);
      t.is(again.code, 0, `${when}: removed again: ${again.stderr}`);
      assertSubnet(t, subnet, undefined, `${when}, removed again`);
    }
  }
  logKills(t, 'network rm', delays, landed);
});

test('cp into a stopped container killed at 32 points leaves its rootfs unmounted, and copies again', async (t) => {
  t.timeout(600_000);
  const root = await containerRoot(t);
  const src = tempDir(t, 'berth-cp-src-');
  syntheticTree(src, { top: 'payload', files: 200, totalBytes: 2e6, seed: 'security-crash cp' });
  const payload = path.join(src, 'payload');
  const want = treeOf(payload);
  const id = (await berthOk(root, 'create', '--name', 'box', 'busybox', 'sleep', '1000')).trim();
  const upper = path.join(root, 'containers', id, 'upper');
  const delays = await killDelays(root, async (run) => {
    const { ms, result } = await timed(root, 'cp', payload, `box:/measure${run}`);
    t.is(result.code, 0, result.stderr);
    return ms;
  });
  let landed = 0;
  for (const [i, delay] of delays.entries()) {
    const when = `kill ${i} (${Math.round(delay)} ms)`;
    if (await killAfter(root, delay, 'cp', payload, `box:/killed${i}`)) landed++;
    await engineStart(t, root);
    assertStoreSound(t, root, when);
    const again = await berth(root, 'cp', payload, `box:/again${i}`);
    t.is(again.code, 0, `${when}: copied again: ${again.stderr}`);
    t.deepEqual(treeOf(path.join(upper, `again${i}`)), want, `${when}: the copy made again is whole`);
    assertStoreSound(t, root, `${when}, copied again`);
    // straight from the upper dir, which nothing has mounted now, so the copies do not pile up
    for (const copy of [`killed${i}`, `again${i}`]) fs.rmSync(path.join(upper, copy), { recursive: true, force: true });
  }
  logKills(t, 'cp', delays, landed);
});

test('run -d killed at 32 points leaves a container running whole or stopped clean, and runs again', async (t) => {
  t.timeout(600_000);
  const root = await containerRoot(t);
  await berthOk(root, 'run', '-d', '--name', 'warm', 'busybox', 'sleep', '1000'); // default bridge, spare shim
  await removeContainer(root, 'warm');
  const delays = await killDelays(root, async () => {
    const { ms, result } = await timed(root, 'run', '-d', '--name', 'measure', 'busybox', 'sleep', '1000');
    t.is(result.code, 0, result.stderr);
    await removeContainer(root, 'measure');
    return ms;
  });
  let landed = 0;
  for (const [i, delay] of delays.entries()) {
    const name = `r${i}`;
    const when = `kill ${i} (${Math.round(delay)} ms)`;
    if (await killAfter(root, delay, 'run', '-d', '--name', name, 'busybox', 'sleep', '1000')) landed++;
    await engineStart(t, root);
    assertStoreSound(t, root, when);
    if (containerRows(root).some((c) => c.name === name)) await removeContainer(root, name);
    const again = await berth(root, 'run', '-d', '--name', name, 'busybox', 'sleep', '1000');
    t.is(again.code, 0, `${when}: ran again: ${again.stderr}`);
    t.is(containerRows(root).find((c) => c.name === name)?.status, 'running', `${when}: running again`);
    assertStoreSound(t, root, `${when}, ran again`);
    await removeContainer(root, name);
  }
  logKills(t, 'run -d', delays, landed);
});

test('rm -f killed at 32 points leaves the container whole or gone, and removes again', async (t) => {
  t.timeout(600_000);
  const root = await containerRoot(t);
  const runDetached = (name: string) => berthOk(root, 'run', '-d', '--name', name, 'busybox', 'sleep', '1000');
  const delays = await killDelays(root, async (run) => {
    await runDetached(`measure${run}`);
    const { ms, result } = await timed(root, 'rm', '-f', `measure${run}`);
    t.is(result.code, 0, result.stderr);
    return ms;
  });
  let landed = 0;
  for (const [i, delay] of delays.entries()) {
    const name = `x${i}`;
    const when = `kill ${i} (${Math.round(delay)} ms)`;
    const id = (await runDetached(name)).trim();
    if (await killAfter(root, delay, 'rm', '-f', name)) landed++;
    // A kill after rm's SIGKILL to PID 1 leaves the shim to record the exit (or delete the row it took), within moments.
    const settled = () => {
      const c = containerRows(root).find((row) => row.id === id);
      return !c || c.shim_pid === 0 || (c.status === 'running' && alive(c.pid));
    };
    await eventually(settled, 15_000, `${name} settled`);
    await engineStart(t, root);
    assertStoreSound(t, root, when);
    if (containerRows(root).some((c) => c.id === id)) {
      const again = await berth(root, 'rm', '-f', name);
      t.is(again.code, 0, `${when}: removed again: ${again.stderr}`);
    }
    t.false(containerRows(root).some((c) => c.id === id), `${when}: the row is gone`);
    await eventually(() => !fs.existsSync(path.join(root, 'containers', id)), 15_000, `${name}'s directory gone`).catch((err: Error) => {
      t.log(`${when}: ${name}'s directory holds ${ls(path.join(root, 'containers', id)).join(' ')}; mounted: ${mountsBelow(root).join(' ')}`);
      throw err;
    });
    assertStoreSound(t, root, `${when}, removed again`);
  }
  logKills(t, 'rm -f', delays, landed);
});

test('load killed at 32 points leaves the image whole or absent, and loads again', async (t) => {
  t.timeout(600_000);
  const root = await containerRoot(t);
  const dir = tempDir(t, 'berth-crash-load-');
  for (const top of ['a', 'b']) {
    syntheticTree(path.join(dir, top), { top, files: 100, totalBytes: 2e6, seed: `security-crash load ${top}` });
    tarOf(path.join(dir, `${top}.tar`), path.join(dir, top), [top]);
  }
  const archive = path.join(dir, 'image.tar');
  const imageId = dockerArchive(archive, { tag: 'crash:1', layers: [path.join(dir, 'a.tar'), path.join(dir, 'b.tar')] });
  const removeImage = () => {
    const engine = Engine.open({ root });
    try {
      engine.images.remove('crash:1');
      engine.store.collectGarbage();
    } finally {
      engine.close();
    }
  };
  const delays = await killDelays(root, async () => {
    const { ms, result } = await timed(root, 'load', '-i', archive);
    t.is(result.code, 0, result.stderr);
    removeImage();
    return ms;
  });
  let landed = 0;
  for (const [i, delay] of delays.entries()) {
    const when = `kill ${i} (${Math.round(delay)} ms)`;
    if (await killAfter(root, delay, 'load', '-i', archive)) landed++;
    await engineStart(t, root);
    assertStoreSound(t, root, when);
    const tagged = rows<{ image_id: string }>(root, "SELECT image_id FROM tags WHERE name = 'docker.io/library/crash:1'");
    t.true(tagged.length === 0 || tagged[0].image_id === imageId, `${when}: the image is absent or whole`);
    const again = await berth(root, 'load', '-i', archive);
    t.is(again.code, 0, `${when}: loaded again: ${again.stderr}`);
    t.is(again.stdout, 'Loaded image: crash:1\n');
    assertStoreSound(t, root, `${when}, loaded again`);
    removeImage();
  }
  logKills(t, 'load', delays, landed);
});

test('commit killed at 32 points leaves the image whole or absent, and commits again', async (t) => {
  t.timeout(600_000);
  const root = await containerRoot(t);
  const src = tempDir(t, 'berth-commit-src-');
  syntheticTree(src, { top: 'payload', files: 200, totalBytes: 2e6, seed: 'security-crash commit' });
  await berthOk(root, 'create', '--name', 'box', 'busybox', 'sleep', '1000');
  await berthOk(root, 'cp', path.join(src, 'payload'), 'box:/payload');
  const delays = await killDelays(root, async (run) => {
    const { ms, result } = await timed(root, 'commit', 'box', `measure:${run}`);
    t.is(result.code, 0, result.stderr);
    return ms;
  });
  let landed = 0;
  for (const [i, delay] of delays.entries()) {
    const when = `kill ${i} (${Math.round(delay)} ms)`;
    if (await killAfter(root, delay, 'commit', 'box', `killed:${i}`)) landed++;
    await engineStart(t, root);
    assertStoreSound(t, root, when);
    const again = await berth(root, 'commit', 'box', `again:${i}`);
    t.is(again.code, 0, `${when}: committed again: ${again.stderr}`);
    const image = again.stdout.trim();
    t.is(rows<{ n: number }>(root, `SELECT count(*) AS n FROM image_layers WHERE image_id = '${image}'`)[0]?.n, 2, `${when}: the commit has busybox's layer and its own`);
    assertStoreSound(t, root, `${when}, committed again`);
  }
  logKills(t, 'commit', delays, landed);
});

test('engine start leaves a stopped container\'s rootfs mounted while a copy in another process holds it', async (t) => {
  const root = await containerRoot(t);
  const id = (await berthOk(root, 'create', 'busybox', 'true')).trim();
  const engine = Engine.open({ root });
  try {
    // this process stands for a cp in progress: it mounted the rootfs and holds it
    const held = await holdRootfs(engine.store, engine.images, id, engine.containers.get(id).imageId);
    await engineStart(t, root);
    t.deepEqual(mountsBelow(root), [held.merged], 'still mounted for the copy in progress');
    held.release(() => true);
    t.deepEqual(mountsBelow(root), [], 'unmounted by its holder once done');
  } finally {
    engine.close();
  }
});

test('a default bridge left without its row is torn down and made again as recorded, not adopted with its old address', async (t) => {
  const root = await containerRoot(t);
  await berthOk(root, 'network', 'ls');
  const old = networkRows(root).find((n) => n.name === 'bridge')!;
  // what berth before bridge intents left when killed between making the default bridge and committing its rows
  const engine = Engine.open({ root });
  try {
    engine.store.write(() => engine.store.db.prepare('DELETE FROM networks').run());
  } finally {
    engine.close();
  }
  await berthOk(root, 'network', 'ls');
  const made = networkRows(root).find((n) => n.name === 'bridge')!;
  t.is(made.bridge, old.bridge, 'the same name: it is the root\'s');
  t.not(made.subnet, old.subnet, 'the leftover\'s route kept its subnet off the list');
  assertSubnet(t, made.subnet, made, 'made again');
  const tables = hostTables();
  const ofOld = (lines: string[]) => lines.filter((l) => l.includes(`${old.subnet} `) && l.includes(` ${old.bridge} `));
  t.deepEqual([...ofOld(tables.routes), ...ofOld(tables.nat)], [], 'nothing of the old subnet is left on the bridge');
});
