/**
 * `npm run bench:run`: how long a container takes to start and go, as a user
 * types it, and what an idle container costs in memory.
 *
 * - `run --rm busybox true`, and `run -d busybox sleep 1000` + `rm -f <id>`,
 *   with berth, docker and podman (when they answer), interleaved round-robin
 *   (berth, docker, podman, berth, …) so that load on the machine hits all
 *   alike. Wall time of the whole CLI invocation, spawn to exit.
 * - berth's `run --rm true` again with BERTH_SPARE_SHIM=0 (no pre-started
 *   shim); `run --rm --network none` with berth and docker (what the bridge
 *   setup costs each); the floors `node -e 0` (and without
 *   NODE_EXTRA_CA_CERTS when that is set: bin/berth starts Node without it)
 *   and `berth version`. The "spare waiting" column says in how many
 *   runs a spare shim was listening when berth was started.
 * - Private memory (Private_Clean + Private_Dirty of smaps_rollup) of 10 idle
 *   `sleep 1000` containers after BENCH_IDLE_SETTLE_S (30) seconds idle, and
 *   berth's 1.5 s after start too: berth's shim + berth-init + PID 1, docker's
 *   containerd-shim + PID 1, podman's conmon + PID 1; divided by 10.
 *
 * Warm-up rounds first, then BENCH_RUNS (default 15) measured rounds; prints
 * medians and p90s and exits 0. Non-zero only if berth fails to run a
 * container. Nothing leaves the machine: busybox is berth's own, loaded into docker/podman
 * from `berth save` if they lack it. Everything started here is removed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawn, spawnSync } from 'node:child_process';
import { berthOk, importBusybox, repoRoot, tempDir } from '../test/helpers/berth.js';
import { BERTH, cleanBerth, cleanupOnExit, cmdline, median, prepareDaemon, quiet, sorted, type Daemon } from './common.js';

const RUNS = Number(process.env.BENCH_RUNS || 15);
const WARMUP = Number(process.env.BENCH_WARMUP || 2);
const IDLE_CONTAINERS = Number(process.env.BENCH_IDLE_CONTAINERS || 10);
const IDLE_SETTLE_MS = Number(process.env.BENCH_IDLE_SETTLE_S || 30) * 1000;
const CGROUP_PARENT = `berth-bench-${process.pid}`;
const CA_UNSET = 'NODE_EXTRA_CA_CERTS unset';
const loadAverage = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const START_LOAD = loadAverage();

type Engine = 'berth' | 'docker' | 'podman';

// ---------------------------------------------------------------- processes

interface Timed {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `cmd args…` with stdin closed; `ms` is spawn to exit (not to the close of its pipes). */
function timed(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<Timed> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let ms = 0;
    const start = performance.now();
    const child = spawn(cmd, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('exit', () => (ms = performance.now() - start));
    child.on('close', (code) => resolve({ ms, code, stdout, stderr }));
  });
}

/** The command line that runs `engine`'s CLI: berth through this node, against the bench root. */
function cli(engine: Engine, root: string, args: string[]): [string, string[]] {
  return engine === 'berth' ? [BERTH, ['--root', root, ...args]] : [engine, args];
}

// ---------------------------------------------------------------- statistics


/** Nearest-rank 90th percentile. */
function p90(values: number[]): number {
  const s = sorted(values);
  return s[Math.max(0, Math.ceil(0.9 * s.length) - 1)];
}

// ---------------------------------------------------------------- series

/** One thing measured: a name, one timed attempt, and what it collected. */
interface Series {
  key: string;
  label: string;
  engine: Engine;
  /** runs once per round; returns the times of its parts (one part for a single command) */
  once: () => Promise<Record<string, number>>;
  times: Record<string, number[]>;
  /** berth only: how many measured runs found a spare shim waiting */
  spareHits?: number;
  failed?: string;
}

class BerthFailure extends Error {}

/** State shared by the series and by the cleanup. */
interface Bench {
  root: string;
  work: string;
  daemons: Daemon[];
  /** containers started by docker/podman that are not yet removed */
  foreign: Map<Daemon, Set<string>>;
  measuring: boolean;
}

function spareWaiting(root: string): boolean {
  return fs.existsSync(path.join(root, 'spare.sock'));
}

function runRmSeries(bench: Bench, engine: Engine, label: string, extraArgs: string[] = [], env?: NodeJS.ProcessEnv): Series {
  const series: Series = { key: `${engine}:run-rm:${label}`, label, engine, times: { run: [] }, spareHits: engine === 'berth' && !env?.BERTH_SPARE_SHIM ? 0 : undefined, once: async () => ({}) };
  series.once = async () => {
    const spare = series.spareHits !== undefined && spareWaiting(bench.root);
    const [cmd, args] = cli(engine, bench.root, ['run', '--rm', ...extraArgs, 'busybox', 'true']);
    const r = await timed(cmd, args, env);
    if (r.code !== 0) fail(engine, `${[cmd, ...args].join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
    if (spare && bench.measuring) series.spareHits!++;
    return { run: r.ms };
  };
  return series;
}

function detachedSeries(bench: Bench, engine: Engine): Series {
  const series: Series = { key: `${engine}:detached`, label: `run -d busybox sleep 1000 + rm -f`, engine, times: { 'run -d': [], 'rm -f': [], pair: [] }, spareHits: engine === 'berth' ? 0 : undefined, once: async () => ({}) };
  series.once = async () => {
    const spare = engine === 'berth' && spareWaiting(bench.root);
    const [cmd, args] = cli(engine, bench.root, ['run', '-d', 'busybox', 'sleep', '1000']);
    const started = await timed(cmd, args);
    const id = started.stdout.trim().split('\n').pop() ?? '';
    if (engine !== 'berth' && /^[0-9a-f]{12,64}$/.test(id)) bench.foreign.get(engine)!.add(id);
    if (started.code !== 0 || !/^[0-9a-f]{12,64}$/.test(id)) fail(engine, `${engine} run -d exited ${started.code}: ${started.stderr.trim()}`);
    // docker's rm -f kills at once; podman 4's waits out a stop timeout of 10 s first unless told -t 0
    const [rmCmd, rmArgs] = cli(engine, bench.root, ['rm', '-f', ...(engine === 'podman' ? ['-t', '0'] : []), id]);
    const removed = await timed(rmCmd, rmArgs);
    if (removed.code !== 0) fail(engine, `${engine} rm -f exited ${removed.code}: ${removed.stderr.trim()}`);
    if (engine !== 'berth') bench.foreign.get(engine)!.delete(id);
    if (spare && bench.measuring) series.spareHits!++;
    return { 'run -d': started.ms, 'rm -f': removed.ms, pair: started.ms + removed.ms };
  };
  return series;
}

function commandSeries(label: string, cmd: string, args: string[], env?: NodeJS.ProcessEnv): Series {
  const series: Series = { key: `floor:${label}`, label, engine: 'berth', times: { run: [] }, once: async () => ({}) };
  series.once = async () => {
    const r = await timed(cmd, args, env);
    if (r.code !== 0) throw new BerthFailure(`${label} exited ${r.code}: ${r.stderr.trim()}`);
    return { run: r.ms };
  };
  return series;
}

function fail(engine: Engine, message: string): never {
  if (engine === 'berth') throw new BerthFailure(message);
  throw new Error(message);
}

/** One round: every live series once, in order; a daemon that fails is dropped with its reason. */
async function round(list: Series[], record: boolean): Promise<void> {
  for (const series of list) {
    if (series.failed) continue;
    try {
      const parts = await series.once();
      if (record) for (const [part, ms] of Object.entries(parts)) series.times[part].push(ms);
    } catch (err) {
      if (err instanceof BerthFailure) throw err;
      series.failed = (err as Error).message;
      console.log(`  ${series.engine} dropped from "${series.label}": ${series.failed}`);
    }
  }
}

// ---------------------------------------------------------------- availability

// ---------------------------------------------------------------- memory

interface Mem {
  privateKb: number;
  pssKb: number;
}

function smaps(pid: number): Mem | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    return { privateKb: field('Private_Clean') + field('Private_Dirty'), pssKb: field('Pss') };
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
}


function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) if (/^\d+$/.test(name) && parentOf(Number(name)) === pid) out.push(Number(name));
  return out;
}

/** One process role in a container's footprint, e.g. 'shim (node shim.js)'. */
type Footprint = Map<string, Mem[]>;

function add(footprint: Footprint, role: string, pid: number): void {
  const mem = smaps(pid);
  if (!mem) return;
  if (!footprint.has(role)) footprint.set(role, []);
  footprint.get(role)!.push(mem);
}

interface MemoryResult {
  engine: Engine;
  containers: number;
  /** after IDLE_SETTLE_MS idle */
  footprint: Footprint;
  /** 1.5 s after the last start */
  early: Footprint;
  notes: string[];
}

async function idleMemory(bench: Bench, engine: Engine): Promise<MemoryResult> {
  const ids: string[] = [];
  const notes: string[] = [];
  const footprint: Footprint = new Map();
  const early: Footprint = new Map();
  try {
    for (let i = 0; i < IDLE_CONTAINERS; i++) {
      const [cmd, args] = cli(engine, bench.root, ['run', '-d', 'busybox', 'sleep', '1000']);
      const r = await timed(cmd, args);
      const id = r.stdout.trim().split('\n').pop() ?? '';
      if (r.code !== 0 || !/^[0-9a-f]{12,64}$/.test(id)) fail(engine, `${engine} run -d exited ${r.code}: ${r.stderr.trim()}`);
      ids.push(id);
      if (engine !== 'berth') bench.foreign.get(engine)!.add(id);
    }
    const [cmd, args] = cli(engine, bench.root, ['inspect', '-f', '{{.State.Pid}}', ...ids]);
    const pids = (await timed(cmd, args)).stdout.trim().split('\n').map(Number);
    const collect = (into: Footprint, note: boolean) => {
      for (const pid1 of pids) {
        if (!(pid1 > 0)) {
          if (note) notes.push(`a container had no PID 1`);
          continue;
        }
        add(into, 'PID 1 (sleep)', pid1);
        if (engine === 'berth') {
          const init = parentOf(pid1);
          const shim = parentOf(init);
          if (!cmdline(init).includes('berth-init')) note && notes.push(`parent of PID 1 ${pid1} is not berth-init: ${cmdline(init)}`);
          else add(into, 'berth-init (outer)', init);
          if (!cmdline(shim).includes('shim.js')) note && notes.push(`parent of berth-init ${init} is not shim.js: ${cmdline(shim)}`);
          else add(into, 'shim (node shim.js)', shim);
        } else {
          const shim = parentOf(pid1);
          const name = engine === 'docker' ? 'containerd-shim' : 'conmon';
          if (!cmdline(shim).includes(name)) note && notes.push(`parent of PID 1 ${pid1} is not ${name}: ${cmdline(shim)}`);
          else add(into, engine === 'docker' ? 'containerd-shim-runc-v2' : 'conmon', shim);
          for (const child of childrenOf(shim)) if (child !== pid1 && cmdline(child).includes('init')) add(into, 'runc init', child);
        }
      }
    };
    // Right after start, then idle: V8 hands start-up pages back to the OS only after some idle seconds.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    collect(early, false);
    await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
    collect(footprint, true);
    if (engine === 'berth') {
      const spare = spareMem(bench.root);
      if (spare) notes.push(`plus one spare shim per store (not per container): ${mb(spare.privateKb)} private, ${mb(spare.pssKb)} PSS`);
    } else if (!footprint.has('runc init')) notes.push('runc init: not running once the container has started (it execs into PID 1)');
    if (engine === 'docker') {
      for (const daemon of ['dockerd', 'containerd']) {
        const pid = pidsByComm(daemon)[0];
        const mem = pid ? smaps(pid) : undefined;
        if (mem) notes.push(`plus the ${daemon} daemon, shared by all containers: ${mb(mem.privateKb)} private`);
      }
    }
  } finally {
    if (ids.length > 0) {
      const [cmd, args] = cli(engine, bench.root, ['rm', '-f', ...(engine === 'podman' ? ['-t', '0'] : []), ...ids]);
      await timed(cmd, args);
      if (engine !== 'berth') for (const id of ids) bench.foreign.get(engine)!.delete(id);
    }
  }
  return { engine, containers: ids.length, footprint, early, notes };
}

function spareMem(root: string): Mem | undefined {
  try {
    return smaps(Number(fs.readFileSync(path.join(root, 'spare.pid'), 'utf8')));
  } catch {
    return undefined;
  }
}

function pidsByComm(comm: string): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (fs.readFileSync(`/proc/${name}/comm`, 'utf8').trim() === comm) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}

function mb(kb: number): string {
  return `${(kb / 1024).toFixed(1)} MB`;
}

// ---------------------------------------------------------------- report

function table(header: string[], rows: string[][]): void {
  const widths = header.map((_, c) => Math.max(...[header, ...rows].map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('   ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('   '));
  for (const r of rows) console.log(line(r));
}

function report(all: Series[], memory: MemoryResult[], skipped: string[]): void {
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  const live = (s?: Series) => (s && !s.failed && Object.values(s.times)[0].length > 0 ? s : undefined);
  const find = (key: string) => live(all.find((s) => s.key === key));
  const ratio = (b: Series | undefined, part: string, d: Series | undefined) =>
    b && d ? `${(median(b.times[part]) / median(d.times[part])).toFixed(2)}x` : '';
  // Both measured in the same round, seconds apart: load that drifts between rounds cancels out.
  const pairs = (b: Series, part: string, d: Series) => (b.times[part].length === d.times[part].length ? b.times[part].map((v, i) => [v, d.times[part][i]]) : []);
  const pairedRatio = (b: Series | undefined, part: string, d: Series | undefined) => {
    const p = b && d ? pairs(b, part, d) : [];
    return p.length ? `${median(p.map(([x, y]) => x / y)).toFixed(2)}x` : '';
  };
  const pairedDiff = (b: Series, part: string, d: Series) => {
    const p = pairs(b, part, d);
    return p.length ? ms(median(p.map(([x, y]) => x - y))) : '?';
  };
  const docker = find('docker:run-rm:run --rm busybox true');
  const podman = find('podman:run-rm:run --rm busybox true');
  const dockerNoNet = find('docker:run-rm:run --rm --network none busybox true');
  const berthNoNet = find('berth:run-rm:run --rm --network none busybox true');

  console.log(`\nrun bench: ${RUNS} measured rounds after ${WARMUP} warm-up rounds, series interleaved round-robin; wall time of the whole CLI invocation, spawn to exit`);
  console.log(`load average at start: ${START_LOAD}, now: ${loadAverage()} (1, 5, 15 min) on ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores\n`);
  const rows: string[][] = [];
  for (const s of all) {
    if (!live(s)) continue;
    for (const part of Object.keys(s.times)) {
      const values = s.times[part];
      const name = Object.keys(s.times).length > 1 ? `${s.engine} ${part}${part === 'pair' ? ' (run -d + rm -f)' : ''}` : s.key.startsWith('floor:') ? s.label : `${s.engine} ${s.label}`;
      const vs: string[] = ['', '', '', ''];
      if (s.engine === 'berth' && !s.key.startsWith('floor:')) {
        const peer = (engine: Daemon) => (s.key.includes(':detached') ? find(`${engine}:detached`) : engine === 'docker' ? docker : podman);
        vs.splice(0, 4, ratio(s, part, peer('docker')), pairedRatio(s, part, peer('docker')), ratio(s, part, peer('podman')), pairedRatio(s, part, peer('podman')));
      }
      const spare = s.spareHits !== undefined ? `${s.spareHits}/${values.length}` : s.key.includes('BERTH_SPARE_SHIM=0') ? 'off' : '';
      rows.push([name, ms(median(values)), ms(p90(values)), ms(sorted(values)[0]), ...vs, spare]);
    }
  }
  table(['series', 'median', 'p90', 'min', 'berth/docker', 'paired', 'berth/podman', 'paired', 'spare waiting'], rows);
  console.log('berth/docker, berth/podman: ratio of the medians; paired: median of the per-round ratios (robust to load that changes between rounds)');

  const berthRm = find('berth:run-rm:run --rm busybox true');
  if (berthRm && docker) {
    const r = median(berthRm.times.run) / median(docker.times.run);
    console.log(`\ngoal (berth run --rm true median at most 0.55x docker's): ${r.toFixed(2)}x — ${r <= 0.55 ? 'met' : 'NOT met'} (paired: ${pairedRatio(berthRm, 'run', docker)})`);
  }
  const berthPair = find('berth:detached');
  const dockerPair = find('docker:detached');
  if (berthPair && dockerPair) {
    const r = median(berthPair.times.pair) / median(dockerPair.times.pair);
    console.log(`goal (berth run -d + rm -f median at most 0.55x docker's): ${r.toFixed(2)}x — ${r <= 0.55 ? 'met' : 'NOT met'} (paired: ${pairedRatio(berthPair, 'pair', dockerPair)})`);
  }
  if (berthNoNet && dockerNoNet) console.log(`run --rm --network none, berth vs docker (no bridge setup either way): ${ratio(berthNoNet, 'run', dockerNoNet)} (paired: ${pairedRatio(berthNoNet, 'run', dockerNoNet)})`);
  if (berthRm && berthNoNet) console.log(`berth's bridge setup costs ${pairedDiff(berthRm, 'run', berthNoNet)} per run (median of per-round differences)`);
  const spareOff = find('berth:run-rm:run --rm busybox true  [BERTH_SPARE_SHIM=0]');
  if (berthRm && spareOff) console.log(`spare shim saves ${pairedDiff(spareOff, 'run', berthRm)} on run --rm (median of per-round differences; spare waiting in ${berthRm.spareHits}/${berthRm.times.run.length} runs)`);
  const floorNode = find(`floor:node -e 0  [${CA_UNSET}]`) ?? find('floor:node -e 0');
  const floorVersion = find('floor:berth version');
  if (berthRm && floorNode && floorVersion) {
    const total = median(berthRm.times.run);
    const node = median(floorNode.times.run);
    const version = median(floorVersion.times.run);
    console.log(`breakdown of berth run --rm (medians): node start ${ms(node)}, + berth CLI load ${ms(version - node)}, + create/start/attach/exit ${ms(total - version)} = ${ms(total)}`);
  }
  for (const s of all) if (s.failed) console.log(`dropped: ${s.engine} ${s.label}: ${s.failed}`);

  if (memory.length > 0) {
    console.log(`\nidle memory per running container (${IDLE_CONTAINERS} × \`run -d busybox sleep 1000\`, ${IDLE_SETTLE_MS / 1000} s idle; Private_Clean+Private_Dirty from /proc/<pid>/smaps_rollup, PSS alongside)`);
    const memRows: string[][] = [];
    for (const m of memory) {
      let privateTotal = 0;
      let pssTotal = 0;
      for (const [role, mems] of m.footprint) {
        const p = mems.reduce((a, x) => a + x.privateKb, 0);
        const q = mems.reduce((a, x) => a + x.pssKb, 0);
        privateTotal += p;
        pssTotal += q;
        memRows.push([`${m.engine}  ${role}`, `${mems.length}`, mb(p / m.containers), mb(q / m.containers)]);
      }
      memRows.push([`${m.engine}  per container`, '', mb(privateTotal / m.containers), mb(pssTotal / m.containers)]);
    }
    table(['process', 'count', 'private/container', 'PSS/container'], memRows);
    const berthMem = memory.find((m) => m.engine === 'berth');
    if (berthMem) {
      const total = [...berthMem.footprint.values()].flat().reduce((a, x) => a + x.privateKb, 0) / berthMem.containers;
      const early = [...berthMem.early.values()].flat().reduce((a, x) => a + x.privateKb, 0) / berthMem.containers;
      console.log(`goal (under 10 MB private per idle berth container): ${mb(total)} — ${total < 10 * 1024 ? 'met' : 'NOT met'} (1.5 s after start: ${mb(early)})`);
    }
    for (const m of memory) for (const note of m.notes) console.log(`  ${m.engine}: ${note}`);
  }
  for (const reason of skipped) console.log(`not measured: ${reason}`);
}

// ---------------------------------------------------------------- cleanup

function cleanForeign(bench: Bench): void {
  for (const [daemon, ids] of bench.foreign) {
    if (ids.size === 0) continue;
    quiet(daemon, ['rm', '-f', ...(daemon === 'podman' ? ['-t', '0'] : []), ...ids]);
    ids.clear();
  }
}

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  if (process.getuid?.() !== 0) {
    console.log('run bench: needs root (berth mounts overlays and creates cgroups)');
    return 1;
  }
  // this bench's own cgroup parent, so a user's containers are never touched
  process.env.BERTH_CGROUP_PARENT = CGROUP_PARENT;
  delete process.env.BERTH_ROOT;
  delete process.env.BERTH_SPARE_SHIM;

  const { teardowns: cleanup, cleanAll } = cleanupOnExit();

  const bench: Bench = { root: '', work: '', daemons: [], foreign: new Map([['docker', new Set()], ['podman', new Set()]]), measuring: false };
  try {
    bench.work = tempDir(cleanup, 'berth-bench-run-');
    bench.root = tempDir(cleanup, 'berth-bench-root-');
    cleanup.teardown(() => cleanBerth(bench.root, CGROUP_PARENT));
    cleanup.teardown(() => cleanForeign(bench));
    await importBusybox(bench.root);
    await berthOk(bench.root, 'run', '--rm', 'busybox', 'true'); // berth must work at all

    const skipped: string[] = [];
    for (const daemon of ['docker', 'podman'] as const) {
      const reason = prepareDaemon(daemon, bench.root, bench.work);
      if (reason) {
        console.log(`${daemon}: skipped: ${reason}`);
        skipped.push(reason);
      } else bench.daemons.push(daemon);
    }
    const engines: Engine[] = ['berth', ...bench.daemons];
    // Node parses this bundle at every start-up when it is set (as on this kind of host); bin/berth and the shims leave it out.
    const caCerts = process.env.NODE_EXTRA_CA_CERTS;
    const withoutCa = { ...process.env };
    delete withoutCa.NODE_EXTRA_CA_CERTS;
    if (caCerts) console.log(`NODE_EXTRA_CA_CERTS=${caCerts} is set: a node process parses it at start-up; bin/berth hands it on as BERTH_EXTRA_CA_CERTS instead`);

    const series: Series[] = [
      ...engines.map((e) => runRmSeries(bench, e, 'run --rm busybox true')),
      ...engines.map((e) => detachedSeries(bench, e)),
      runRmSeries(bench, 'berth', 'run --rm busybox true  [BERTH_SPARE_SHIM=0]', [], { ...process.env, BERTH_SPARE_SHIM: '0' }),
      runRmSeries(bench, 'berth', 'run --rm --network none busybox true', ['--network', 'none']),
      ...(bench.daemons.includes('docker') ? [runRmSeries(bench, 'docker', 'run --rm --network none busybox true', ['--network', 'none'])] : []),
      commandSeries('node -e 0', process.execPath, ['-e', '0']),
      ...(caCerts ? [commandSeries(`node -e 0  [${CA_UNSET}]`, process.execPath, ['-e', '0'], withoutCa)] : []),
      commandSeries('berth version', BERTH, ['version']),
    ];

    console.log(`measuring: ${engines.join(', ')}; ${WARMUP} warm-up + ${RUNS} measured rounds of ${series.length} series`);
    for (let i = 0; i < WARMUP; i++) await round(series, false);
    bench.measuring = true;
    for (let i = 0; i < RUNS; i++) {
      await round(series, true);
      process.stdout.write(`  round ${i + 1}/${RUNS}${process.stdout.isTTY ? '\r' : '\n'}`);
    }
    bench.measuring = false;

    console.log(`\nmeasuring idle memory of ${IDLE_CONTAINERS} containers each`);
    const memory: MemoryResult[] = [];
    for (const engine of engines) {
      try {
        memory.push(await idleMemory(bench, engine));
      } catch (err) {
        if (err instanceof BerthFailure) throw err;
        skipped.push(`${engine} idle memory: ${(err as Error).message}`);
      }
    }
    report(series, memory, skipped);
    return 0;
  } catch (err) {
    if (err instanceof BerthFailure) {
      console.error(`berth failed to run a container: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    await cleanAll();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
