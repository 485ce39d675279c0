/**
 * Cgroups: the pure parts (layout detection, Docker's limit semantics, the
 * eBPF device program run through a small interpreter) everywhere; the
 * drivers against the host's real hierarchies as root. On a hybrid host the
 * detected driver is the v1 one (with its cgroup2 side), and the v2 driver is
 * exercised on the cgroup2 mount at /sys/fs/cgroup/unified; on a v2 host both
 * groups of real tests use /sys/fs/cgroup. Every test uses its own parent
 * directory and removes what it created. The v2 file writes are checked
 * against a fake hierarchy in cgroups-v2.test.ts.
 */
import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isBerthError } from '../src/engine/errors.js';
import { loadNative } from '../src/engine/native.js';
import {
  createCgroupDriver,
  detectLayout,
  layoutFromMountinfo,
  type CgroupDriver,
  type CgroupDriverOptions,
  type CgroupLayout,
  type ContainerCgroup,
} from '../src/engine/cgroups/index.js';
import {
  DEFAULT_DEVICE_RULES,
  OP,
  compileDeviceFilter,
  deviceFilterProgram,
  type DeviceRule,
} from '../src/engine/cgroups/devices.js';
import { checkLimits, cpuQuota, parseLimit, planMemory, sharesToWeight } from '../src/engine/cgroups/limits.js';
import { DEFAULT_V2_CONTROLLERS } from '../src/engine/cgroups/v2.js';

const MiB = 1024 * 1024;

// --- layout ---------------------------------------------------------------------

const HYBRID_MOUNTINFO = `30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
35 30 0:32 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;

test('layout: hybrid host (v1 controllers beside a cgroup2 mount; named hierarchies ignored)', (t) => {
  t.deepEqual(layoutFromMountinfo(HYBRID_MOUNTINFO), {
    version: 'hybrid',
    controllers: { cpu: '/sys/fs/cgroup/cpu', memory: '/sys/fs/cgroup/memory', devices: '/sys/fs/cgroup/devices' },
    unified: '/sys/fs/cgroup/unified',
  });
});

test('layout: pure v2, v1 with co-mounted controllers, and the best of several mounts', (t) => {
  t.deepEqual(layoutFromMountinfo('25 1 0:22 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n'), {
    version: '2',
    root: '/sys/fs/cgroup',
  });
  const v1 = `1 0 0:1 / /sys/fs/cgroup/cpu,cpuacct rw shared:9 - cgroup cgroup rw,cpu,cpuacct
2 0 0:2 /docker/abc /var/lib/x/memory rw - cgroup cgroup rw,memory
3 0 0:2 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
4 0 0:3 / /mnt/with\\040space rw - cgroup cgroup rw,pids
`;
  t.deepEqual(layoutFromMountinfo(v1), {
    version: '1',
    controllers: {
      cpu: '/sys/fs/cgroup/cpu,cpuacct',
      cpuacct: '/sys/fs/cgroup/cpu,cpuacct',
      memory: '/sys/fs/cgroup/memory',
      pids: '/mnt/with space',
    },
  });
  t.is(layoutFromMountinfo('1 0 8:1 / / rw - ext4 /dev/sda1 rw\n'), undefined);
});

// --- limits ---------------------------------------------------------------------

test('limits: Docker refuses impossible values with its messages', (t) => {
  const refuse = (limits: Parameters<typeof checkLimits>[0], message: RegExp) => {
    const err = t.throws(() => {
      checkLimits(limits, 4);
      planMemory(limits);
    });
    t.true(isBerthError(err, 'invalid-argument'));
    t.regex(err!.message, message);
  };
  refuse({ memory: 4 * MiB }, /^Minimum memory limit allowed is 6MB$/);
  refuse({ memory: 64 * MiB, memorySwap: 32 * MiB }, /Minimum memoryswap limit should be larger than memory limit/);
  refuse({ memorySwap: 64 * MiB }, /You should always set the Memory limit when using Memoryswap limit/);
  refuse({ cpus: 8 }, /Range of CPUs is from 0.01 to 4.00, as there are only 4 CPUs available/);
  refuse({ cpus: 0.001 }, /Range of CPUs/);
  refuse({ memory: 1.5 }, /not an integer/);
  t.deepEqual(checkLimits({ memory: 6 * MiB, cpus: 4, pidsLimit: -1, cpuShares: 0 }, 4), []);
  t.deepEqual(checkLimits({ cpuShares: 1 }, 4), ['Changing requested CPUShares of 1 to minimum allowed of 2']);
});

test('limits: memory and swap follow Docker (default total 2x, -1 unlimited, update keeps the total)', (t) => {
  t.deepEqual(planMemory({ memory: 32 * MiB }), { memory: 32 * MiB, total: 64 * MiB });
  t.deepEqual(planMemory({ memory: 32 * MiB, memorySwap: -1 }), { memory: 32 * MiB, total: 'max' });
  t.deepEqual(planMemory({ memory: 32 * MiB, memorySwap: 32 * MiB }), { memory: 32 * MiB, total: 32 * MiB });
  t.is(planMemory({}), undefined);
  t.is(planMemory({ memorySwap: -1 }), undefined);
  const current = { memory: 32 * MiB, total: 64 * MiB };
  t.deepEqual(planMemory({ memory: 48 * MiB }, current), { memory: 48 * MiB, total: 64 * MiB });
  t.throws(() => planMemory({ memory: 128 * MiB }, current), { message: /update the memoryswap at the same time/ });
  t.deepEqual(planMemory({ memorySwap: 256 * MiB }, current), { memory: 32 * MiB, total: 256 * MiB });
  t.deepEqual(planMemory({ memory: 0 }, current), { memory: 'max', total: 'max' });
  t.deepEqual(planMemory({ memory: 16 * MiB }, { memory: 'max', total: 'max' }), { memory: 16 * MiB, total: 32 * MiB });
  t.is(parseLimit('9223372036854771712\n'), 'max');
  t.is(parseLimit('max\n'), 'max');
  t.is(parseLimit('33554432\n'), 32 * MiB);
});

test('limits: CFS quota and the shares→weight conversion', (t) => {
  t.is(cpuQuota(1.5), 150_000);
  t.is(cpuQuota(0.01), 1000);
  t.is(sharesToWeight(2), 1);
  t.is(sharesToWeight(1024), 39);
  t.is(sharesToWeight(262_144), 10_000);
  t.is(sharesToWeight(1), 1); // clamped to the kernel's minimum first
  t.is(sharesToWeight(1_000_000), 10_000);
});

// --- the eBPF device program ------------------------------------------------------

/** Runs a cgroup device program on one access, as the kernel would (for the opcodes berth emits). */
function runDeviceProgram(code: Buffer, type: 'b' | 'c', access: number, major: number, minor: number): number {
  const ctx = [((access << 16) | (type === 'b' ? 1 : 2)) >>> 0, major, minor];
  const regs = new Array<bigint>(11).fill(0n);
  const u64 = (v: bigint) => BigInt.asUintN(64, v);
  let pc = 0;
  for (let steps = 0; steps < 10_000; steps++) {
    const at = pc * 8;
    if (at >= code.length) throw new Error('fell off the end');
    const op = code.readUInt8(at);
    const dst = code.readUInt8(at + 1) & 0xf;
    const src = code.readUInt8(at + 1) >> 4;
    const off = code.readInt16LE(at + 2);
    const imm = u64(BigInt(code.readInt32LE(at + 4)));
    pc++;
    switch (op) {
      case OP.LDX_MEM_W:
        if (src !== 1 || off % 4 !== 0 || off < 0 || off > 8) throw new Error(`bad load at ${off}`);
        regs[dst] = BigInt(ctx[off / 4]!);
        break;
      case OP.ALU64_AND_K:
        regs[dst] = regs[dst]! & imm;
        break;
      case OP.ALU64_RSH_K:
        regs[dst] = regs[dst]! >> imm;
        break;
      case OP.ALU64_MOV_K:
        regs[dst] = imm;
        break;
      case OP.ALU64_MOV_X:
        regs[dst] = regs[src]!;
        break;
      case OP.JMP_JNE_K:
        if (regs[dst] !== imm) pc += off;
        break;
      case OP.EXIT:
        return Number(regs[0]);
      default:
        throw new Error(`unexpected opcode 0x${op.toString(16)}`);
    }
  }
  throw new Error('no exit');
}

/** The reference semantics: allowed when some rule matches type, numbers and every access bit asked. */
function allowedBy(rules: readonly DeviceRule[], type: 'b' | 'c', access: number, major: number, minor: number): boolean {
  const bits = (s: string) => (s.includes('m') ? 1 : 0) | (s.includes('r') ? 2 : 0) | (s.includes('w') ? 4 : 0);
  return rules.some(
    (r) =>
      (r.type === 'a' || r.type === type) &&
      (r.major === '*' || r.major === major) &&
      (r.minor === '*' || r.minor === minor) &&
      (access & ~bits(r.access)) === 0,
  );
}

test('device program: matches the allowlist semantics on every combination', (t) => {
  const ruleSets: DeviceRule[][] = [
    [...DEFAULT_DEVICE_RULES],
    [
      { type: 'a', major: 8, minor: '*', access: 'r' },
      { type: 'b', major: '*', minor: 3, access: 'rw' },
      { type: 'c', major: 4, minor: 64, access: 'w' },
    ],
    [],
  ];
  const majors = [0, 1, 4, 5, 8, 10, 136, 254];
  const minors = [0, 1, 3, 5, 7, 8, 9, 11, 64, 200];
  let checked = 0;
  for (const rules of ruleSets) {
    const code = compileDeviceFilter(rules);
    t.is(code.length % 8, 0);
    for (const type of ['b', 'c'] as const) {
      for (let access = 1; access <= 7; access++) {
        for (const major of majors) {
          for (const minor of minors) {
            const want = allowedBy(rules, type, access, major, minor) ? 1 : 0;
            const got = runDeviceProgram(code, type, access, major, minor);
            if (got !== want) t.fail(`${type} ${major}:${minor} access ${access}: got ${got}, want ${want}`);
            checked++;
          }
        }
      }
    }
  }
  t.true(checked > 3000);
  // spot checks of the default list
  const code = compileDeviceFilter();
  t.is(runDeviceProgram(code, 'c', 6, 1, 3), 1, '/dev/null rw');
  t.is(runDeviceProgram(code, 'b', 1, 7, 0), 1, 'mknod of a block device');
  t.is(runDeviceProgram(code, 'b', 2, 7, 0), 0, 'reading a block device');
  t.is(runDeviceProgram(code, 'c', 2, 136, 5), 1, '/dev/pts/5');
  t.is(runDeviceProgram(code, 'c', 2, 1, 11), 0, '/dev/kmsg');
  t.throws(() => deviceFilterProgram([{ type: 'c', major: -1, minor: 0, access: 'r' }]), { instanceOf: RangeError });
});

// --- real hierarchies (root) --------------------------------------------------------

const isRoot = process.getuid?.() === 0;
let hostLayout: CgroupLayout | undefined;
try {
  hostLayout = detectLayout();
} catch {
  hostLayout = undefined;
}
const v2Root = hostLayout?.version === '2' ? hostLayout.root : hostLayout?.version === 'hybrid' ? hostLayout.unified : undefined;
const hasPerl = fs.existsSync('/usr/bin/perl');

if (!isRoot) console.log('cgroups tests: not root, so the tests on the real cgroup hierarchies are skipped');
else if (!hostLayout) console.log('cgroups tests: no cgroup file system mounted, so the tests on real hierarchies are skipped');
if (isRoot && hostLayout && !v2Root) console.log('cgroups tests: no cgroup2 mount (pure v1 host), so the real cgroup2 tests are skipped');

const hostTest = isRoot && hostLayout ? test : test.skip;
const v2Test = isRoot && v2Root ? test : test.skip;
const v1Test = isRoot && hostLayout && hostLayout.version !== '2' ? test : test.skip;

/** A driver on its own parent directory; on teardown every cgroup under it and the parent go. */
function driverFor(t: ExecutionContext, options: CgroupDriverOptions = {}): CgroupDriver {
  const driver = createCgroupDriver({ parent: `berth-test-${randomBytes(5).toString('hex')}`, ...options });
  t.teardown(async () => {
    for (const id of driver.list()) await driver.open(id).remove();
    driver.removeParent();
  });
  return driver;
}

/** The cgroup2 driver on the host's cgroup2 mount; `controllers: []` leaves subtree_control of the mount's root alone. */
function v2DriverFor(t: ExecutionContext, options: CgroupDriverOptions = {}): CgroupDriver {
  return driverFor(t, { layout: { version: '2', root: v2Root! }, controllers: [], native: loadNative(), ...options });
}

function tempDir(t: ExecutionContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-cgroup-test-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface Proc {
  child: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs argv inside the cgroup: a shell writes its pid to every procs file
 * (as berth-init does), then execs argv. Resolves once the pid is listed.
 */
async function spawnIn(t: ExecutionContext, cg: ContainerCgroup | undefined, argv: string[]): Promise<Proc> {
  const join = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 99; shift; done; shift; exec "$@"';
  const child = spawn('sh', ['-c', join, 'sh', ...(cg?.procsFiles() ?? []), '--', ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // 'close', not 'exit': the output is complete only once the pipes are drained
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const pid = child.pid!;
  if (cg) await waitFor(`pid ${pid} in the cgroup`, () => cg.pids().includes(pid) || child.exitCode !== null || child.signalCode !== null);
  return { child, pid, stdout: () => out, stderr: () => err, exited };
}

/** Polls until `cond` holds; the long limit only turns a hang into a named failure. */
async function waitFor(what: string, cond: () => boolean, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(5);
  }
}

const read = (file: string) => fs.readFileSync(file, 'utf8').trim();
/** The directory of a v1 controller (or the v2 cgroup) among a cgroup's paths. */
const dirOf = (cg: ContainerCgroup, controller: string) => {
  const layout = hostLayout!;
  if (layout.version === '2') return cg.paths()[0]!;
  const mount = layout.controllers[controller];
  return cg.paths().find((p) => mount !== undefined && p.startsWith(`${mount}/`))!;
};

function assertGone(t: ExecutionContext, cg: ContainerCgroup): void {
  for (const dir of cg.paths()) t.false(fs.existsSync(dir), `${dir} is left`);
}

hostTest('create applies the limits and the device allowlist; create again is idempotent', async (t) => {
  const driver = driverFor(t);
  t.is(driver.version, hostLayout!.version);
  const cg = driver.create('c1', { memory: 32 * MiB, cpus: 1.5, cpuShares: 512, pidsLimit: 20 });
  t.deepEqual(driver.list(), ['c1']);
  for (const dir of cg.paths()) t.true(fs.statSync(dir).isDirectory());
  t.deepEqual(
    cg.procsFiles(),
    cg.paths().map((d) => path.join(d, 'cgroup.procs')),
  );
  if (hostLayout!.version === '2') {
    const dir = cg.paths()[0]!;
    t.is(read(`${dir}/memory.max`), String(32 * MiB));
    t.is(read(`${dir}/cpu.max`), '150000 100000');
    t.is(read(`${dir}/cpu.weight`), String(sharesToWeight(512)));
    t.is(read(`${dir}/pids.max`), '20');
    t.is(loadNative().deviceFilters(dir).length, 1);
  } else {
    t.is(cg.paths().length, new Set(Object.values(hostLayout!.controllers)).size + (hostLayout!.version === 'hybrid' ? 1 : 0));
    const memory = dirOf(cg, 'memory');
    t.is(read(`${memory}/memory.limit_in_bytes`), String(32 * MiB));
    if (fs.existsSync(`${memory}/memory.memsw.limit_in_bytes`)) {
      t.is(read(`${memory}/memory.memsw.limit_in_bytes`), String(64 * MiB));
      t.deepEqual(cg.warnings, []);
    } else {
      t.deepEqual(cg.warnings, [
        'Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.',
      ]);
    }
    t.regex(read(`${memory}/memory.oom_control`), /^oom_kill_disable 0$/m);
    t.is(read(`${dirOf(cg, 'cpu')}/cpu.cfs_period_us`), '100000');
    t.is(read(`${dirOf(cg, 'cpu')}/cpu.cfs_quota_us`), '150000');
    t.is(read(`${dirOf(cg, 'cpu')}/cpu.shares`), '512');
    t.is(read(`${dirOf(cg, 'pids')}/pids.max`), '20');
    t.deepEqual(read(`${dirOf(cg, 'devices')}/devices.list`).split('\n'), [
      'c *:* m',
      'b *:* m',
      'c 1:3 rwm',
      'c 1:5 rwm',
      'c 1:7 rwm',
      'c 1:8 rwm',
      'c 1:9 rwm',
      'c 5:0 rwm',
      'c 5:1 rwm',
      'c 5:2 rwm',
      'c 136:* rwm',
      'c 10:200 rwm',
    ]);
    if (hostLayout!.controllers.cpuset) t.not(read(`${dirOf(cg, 'cpuset')}/cpuset.cpus`), '');
  }
  const again = driver.create('c1', { memory: 32 * MiB, cpus: 1.5, cpuShares: 512, pidsLimit: 20 });
  t.deepEqual(again.paths(), cg.paths());
  t.deepEqual(driver.list(), ['c1']);
  await cg.remove();
  assertGone(t, cg);
  await cg.remove(); // idempotent
});

hostTest('a joined process shows in pids() and in /proc/<pid>/cgroup', async (t) => {
  const driver = driverFor(t);
  const cg = driver.create('joined', {});
  const proc = await spawnIn(t, cg, ['sleep', '1000']);
  t.deepEqual(cg.pids(), [proc.pid]);
  const own = read(`/proc/${proc.pid}/cgroup`);
  const suffix = `/${driver.parent}/joined`;
  if (hostLayout!.version === '2') t.regex(own, new RegExp(`^0::${suffix}$`, 'm'));
  else for (const c of Object.keys(hostLayout!.controllers)) t.regex(own, new RegExp(`^\\d+:[^:]*\\b${c}\\b[^:]*:${suffix}$`, 'm'));
  t.is(cg.stats().pids, 1);
  cg.killAll();
  t.is((await proc.exited).signal, 'SIGKILL');
  await cg.remove();
  assertGone(t, cg);
});

hostTest('a memory hog is OOM-killed at --memory 32m and oomKilled() says so', async (t) => {
  const cg = driverFor(t).create('hog', { memory: 32 * MiB });
  t.false(cg.oomKilled());
  // dd fills a 256 MiB buffer from /dev/zero: far over memory+swap (64 MiB)
  const proc = await spawnIn(t, cg, ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=256M', 'count=1']);
  const { signal } = await proc.exited;
  t.is(signal, 'SIGKILL');
  t.true(cg.oomKilled());
  t.is(cg.stats().memoryLimit, 32 * MiB);
  await cg.remove();
  assertGone(t, cg);
});

(hasPerl ? hostTest : test.skip)('pids limit 20: a fork bomb gets EAGAIN and the cgroup stays killable and removable', async (t) => {
  const cg = driverFor(t).create('bomb', { pidsLimit: 20 });
  const script = `
    $| = 1;
    my ($ok, $eagain, $other) = (0, 0, 0);
    for (1 .. 60) {
      my $pid = fork;
      if (!defined $pid) { if ($!{EAGAIN}) { $eagain++ } else { $other++ } next }
      if ($pid == 0) { sleep 1000; exit 0 }
      $ok++;
    }
    print "forked $ok eagain $eagain other $other\\n";
    sleep 1000;`;
  const proc = await spawnIn(t, cg, ['perl', '-e', script]);
  await waitFor('the fork loop to finish', () => proc.stdout().includes('\n'));
  const [, ok, eagain, other] = /forked (\d+) eagain (\d+) other (\d+)/.exec(proc.stdout())!.map(Number);
  t.is(ok, 19, 'the perl process plus 19 children make 20');
  t.is(eagain, 41);
  t.is(other, 0);
  t.is(cg.pids().length, 20);
  const stats = cg.stats();
  t.is(stats.pids, 20);
  t.is(stats.pidsLimit, 20);
  cg.killAll();
  t.is((await proc.exited).signal, 'SIGKILL');
  await cg.remove();
  assertGone(t, cg);
});

/**
 * Freezes `cg` while a shell in it counts into a file, and checks the count
 * does not move while a control shell outside it counts 2000 further: a
 * measure of elapsed work, not of time. Then thaws and sees it move again.
 */
async function checkFreezeStopsProgress(t: ExecutionContext, cg: ContainerCgroup): Promise<void> {
  const dir = tempDir(t);
  const counter = ['sh', '-c', 'i=0; while :; do i=$((i+1)); echo $i > "$1"; done', 'sh'];
  const inside = path.join(dir, 'inside');
  const control = path.join(dir, 'control');
  const count = (file: string) => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  };
  await spawnIn(t, cg, [...counter, inside]);
  await spawnIn(t, undefined, [...counter, control]);
  await waitFor('the inside counter to run', () => Number(count(inside)) > 10);
  t.false(cg.isFrozen());
  await cg.freeze();
  t.true(cg.isFrozen());
  await cg.freeze(); // idempotent
  const frozenAt = count(inside);
  const controlAt = Number(count(control));
  await waitFor('the control counter to move on', () => Number(count(control)) > controlAt + 2000);
  t.is(count(inside), frozenAt, 'a frozen process made progress');
  await cg.thaw();
  t.false(cg.isFrozen());
  await waitFor('the inside counter to move again', () => Number(count(inside)) > Number(frozenAt));
  t.pass();
}

hostTest('freeze stops a process and thaw lets it go on', async (t) => {
  const cg = driverFor(t).create('freeze', {});
  await checkFreezeStopsProgress(t, cg);
  if (hostLayout!.version !== '2') {
    await cg.freeze();
    t.is(read(`${dirOf(cg, 'freezer')}/freezer.state`), 'FROZEN');
    await cg.thaw();
    t.is(read(`${dirOf(cg, 'freezer')}/freezer.state`), 'THAWED');
  }
  await cg.remove();
  assertGone(t, cg);
});

hostTest('stats() returns plausible numbers', async (t) => {
  const dir = tempDir(t);
  const cg = driverFor(t).create('stats', { memory: 64 * MiB, pidsLimit: 50 });
  t.deepEqual(cg.usage(), { cpuUsageNs: 0, memoryUsage: 0 });
  t.deepEqual(cg.stats(), {
    cpuUsageNs: 0,
    memoryUsage: 0,
    memoryLimit: 64 * MiB,
    pids: 0,
    pidsLimit: 50,
    blkioRead: 0,
    blkioWrite: 0,
  });
  // some CPU work, 1 MiB written and read back with O_DIRECT (so the block layer sees it in this cgroup), then idle
  const script = `i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done
    dd if=/dev/zero of="$1/f" bs=64k count=16 oflag=direct 2>/dev/null
    dd if="$1/f" of=/dev/null bs=64k iflag=direct 2>/dev/null
    echo done; exec sleep 1000`;
  const proc = await spawnIn(t, cg, ['sh', '-c', script, 'sh', dir]);
  await waitFor('the work to finish', () => proc.stdout().includes('done'));
  const stats = cg.stats();
  t.true(stats.cpuUsageNs > 0, `cpu ${stats.cpuUsageNs}`);
  t.true(stats.memoryUsage > 0 && stats.memoryUsage < 64 * MiB, `memory ${stats.memoryUsage}`);
  t.is(stats.memoryLimit, 64 * MiB);
  t.is(stats.pids, 1);
  t.is(stats.pidsLimit, 50);
  // usage() is the same CPU and memory from fewer files; the process is idle now, so they agree (to
  // within cgroup v1's per-CPU charge batches, which make usage_in_bytes move between two reads)
  const usage = cg.usage();
  t.true(usage.memoryUsage > 0 && Math.abs(usage.memoryUsage - stats.memoryUsage) <= 256 * 1024 * os.cpus().length, `memory ${stats.memoryUsage} then ${usage.memoryUsage}`);
  t.true(usage.cpuUsageNs >= stats.cpuUsageNs && usage.cpuUsageNs - stats.cpuUsageNs < 50e6, `cpu ${stats.cpuUsageNs} then ${usage.cpuUsageNs}`);
  // the block layer counts where a real block device backs the temp dir (not on tmpfs or overlay over one)
  if (stats.blkioWrite > 0) t.true(stats.blkioWrite >= MiB, `written ${stats.blkioWrite}`);
  else t.log(`no block I/O accounted (is ${os.tmpdir()} on a block device?)`);
  if (stats.blkioRead > 0) t.true(stats.blkioRead >= MiB, `read ${stats.blkioRead}`);
  const unlimited = driverFor(t).create('unlimited', {}).stats();
  t.is(unlimited.memoryLimit, os.totalmem(), 'no limit shows the host memory, as docker stats');
  t.is(unlimited.pidsLimit, 0);
});

hostTest('update changes limits, raising memory above the old memory+swap in the right order', async (t) => {
  const cg = driverFor(t).create('update', { memory: 32 * MiB, cpus: 0.5, pidsLimit: 10 });
  t.deepEqual(cg.update({ cpus: 1, pidsLimit: 0, cpuShares: 2048 }), []);
  // 256 MiB > the current memory+swap (64 MiB): the total has to be raised first
  cg.update({ memory: 256 * MiB, memorySwap: 512 * MiB });
  t.is(cg.stats().memoryLimit, Math.min(256 * MiB, os.totalmem()));
  t.is(cg.stats().pidsLimit, 0);
  const swapAccounting = cg.paths().some(
    (d) => fs.existsSync(`${d}/memory.memsw.limit_in_bytes`) || fs.existsSync(`${d}/memory.swap.max`),
  );
  if (swapAccounting) {
    // memory alone keeps memory+swap (512 MiB), which may not end up below memory
    const err = t.throws(() => cg.update({ memory: 1024 * MiB }));
    t.true(isBerthError(err, 'invalid-argument'));
  }
  if (hostLayout!.version === '2') {
    const dir = cg.paths()[0]!;
    t.is(read(`${dir}/cpu.max`), '100000 100000');
    t.is(read(`${dir}/pids.max`), 'max');
    if (fs.existsSync(`${dir}/memory.swap.max`)) t.is(read(`${dir}/memory.swap.max`), String(256 * MiB));
  } else {
    t.is(read(`${dirOf(cg, 'cpu')}/cpu.cfs_quota_us`), '100000');
    t.is(read(`${dirOf(cg, 'cpu')}/cpu.shares`), '2048');
    t.is(read(`${dirOf(cg, 'pids')}/pids.max`), 'max');
    const memory = dirOf(cg, 'memory');
    if (fs.existsSync(`${memory}/memory.memsw.limit_in_bytes`)) {
      t.is(read(`${memory}/memory.memsw.limit_in_bytes`), String(512 * MiB));
      // and back down below the old memory: memory has to go first
      cg.update({ memory: 16 * MiB, memorySwap: 24 * MiB });
      t.is(read(`${memory}/memory.limit_in_bytes`), String(16 * MiB));
      t.is(read(`${memory}/memory.memsw.limit_in_bytes`), String(24 * MiB));
    }
  }
  cg.update({ cpus: 0 });
  if (hostLayout!.version !== '2') t.is(read(`${dirOf(cg, 'cpu')}/cpu.cfs_quota_us`), '-1');
});

hostTest('remove() kills a live process tree and leaves no directory in any hierarchy', async (t) => {
  const driver = driverFor(t);
  const cg = driver.create('tree', {});
  driver.create('other', {});
  const proc = await spawnIn(t, cg, ['sh', '-c', 'for i in 1 2 3 4 5; do sleep 1000 & done; echo started; wait']);
  await waitFor('the children', () => proc.stdout().includes('started'));
  t.is(cg.pids().length, 6);
  await cg.remove();
  assertGone(t, cg);
  t.is((await proc.exited).signal, 'SIGKILL');
  t.deepEqual(driver.list(), ['other']);
  await driver.open('other').remove();
  driver.removeParent();
  t.deepEqual(driver.list(), []);
  for (const dir of cg.paths()) t.false(fs.existsSync(path.dirname(dir)), `${path.dirname(dir)} is left`);
});

v1Test('v1 without the cgroup2 side: killAll signals pid by pid, also in a frozen cgroup', async (t) => {
  const layout = hostLayout as Extract<CgroupLayout, { controllers: unknown }>;
  const driver = driverFor(t, { layout: { version: '1', controllers: layout.controllers } });
  const cg = driver.create('v1kill', {});
  t.is(cg.paths().length, new Set(Object.values(layout.controllers)).size);
  const proc = await spawnIn(t, cg, ['sh', '-c', 'for i in 1 2 3; do sleep 1000 & done; echo started; wait']);
  await waitFor('the children', () => proc.stdout().includes('started'));
  await cg.freeze();
  cg.killAll();
  t.is((await proc.exited).signal, 'SIGKILL');
  await waitFor('every task to go', () => cg.pids().length === 0);
  t.false(cg.isFrozen(), 'killAll thaws so frozen tasks can die');
  await cg.remove();
  assertGone(t, cg);
});

test('ids and parents must be plain path components; bad input creates nothing', (t) => {
  // a root that does not exist: every refusal has to come before the first mkdir
  const driver = createCgroupDriver({ parent: 'berth-test-names', layout: { version: '2', root: '/nonexistent/cgroup' } });
  for (const id of ['', '..', 'a/b', '.']) {
    t.true(isBerthError(t.throws(() => driver.create(id, {})), 'invalid-argument'), id);
  }
  t.true(isBerthError(t.throws(() => createCgroupDriver({ parent: '/abs', layout: { version: '2', root: '/x' } })), 'invalid-argument'));
  t.true(isBerthError(t.throws(() => driver.create('x', { memory: MiB })), 'invalid-argument'));
  t.deepEqual(driver.list(), [], 'nothing was created');
});

// --- the cgroup2 driver on the real cgroup2 mount -------------------------------------------

v2Test('cgroup2: path logic, list, procs and remove on the real mount', async (t) => {
  const driver = v2DriverFor(t);
  t.is(driver.version, '2');
  const cg = driver.create('v2a', {});
  t.deepEqual(cg.paths(), [path.join(v2Root!, driver.parent, 'v2a')]);
  t.deepEqual(cg.procsFiles(), [path.join(v2Root!, driver.parent, 'v2a', 'cgroup.procs')]);
  t.deepEqual(driver.list(), ['v2a']);
  const proc = await spawnIn(t, cg, ['sleep', '1000']);
  t.deepEqual(cg.pids(), [proc.pid]);
  t.regex(read(`/proc/${proc.pid}/cgroup`), new RegExp(`^0::/${driver.parent}/v2a$`, 'm'));
  t.true(cg.stats().cpuUsageNs >= 0);
  t.false(cg.oomKilled());
  await cg.remove();
  t.is((await proc.exited).signal, 'SIGKILL');
  assertGone(t, cg);
  t.deepEqual(driver.list(), []);
});

v2Test('cgroup2: freeze via cgroup.freeze stops progress, thaw resumes', async (t) => {
  const cg = v2DriverFor(t).create('v2freeze', {});
  await checkFreezeStopsProgress(t, cg);
  t.regex(read(`${cg.paths()[0]}/cgroup.events`), /^frozen 0$/m);
});

v2Test('cgroup2: killAll uses cgroup.kill and reaches a frozen process tree', async (t) => {
  const cg = v2DriverFor(t).create('v2kill', {});
  t.true(fs.existsSync(`${cg.paths()[0]}/cgroup.kill`));
  const proc = await spawnIn(t, cg, ['sh', '-c', 'for i in 1 2 3; do sleep 1000 & done; echo started; wait']);
  await waitFor('the children', () => proc.stdout().includes('started'));
  t.is(cg.pids().length, 4);
  await cg.freeze();
  cg.killAll();
  t.is((await proc.exited).signal, 'SIGKILL');
  await waitFor('every task to go', () => cg.pids().length === 0);
  await cg.remove();
  assertGone(t, cg);
});

(hasPerl ? v2Test : test.skip)('cgroup2: the eBPF device filter allows the default devices and denies the rest', async (t) => {
  const native = loadNative();
  const dir = tempDir(t);
  native.mknod(path.join(dir, 'loop'), native.S_IFBLK | 0o600, 7, 0);
  native.mknod(path.join(dir, 'kmsg'), native.S_IFCHR | 0o600, 1, 11);
  native.mknod(path.join(dir, 'null'), native.S_IFCHR | 0o666, 1, 3);
  const files = ['null', 'kmsg', 'loop', '/dev/zero', '/dev/urandom'].map((f) => path.resolve(dir, f));
  // prints "<file> <errno>" for an O_RDWR open (0 = opened)
  const probe = [
    'sh',
    '-c',
    'mknod "$1/made" b 7 1 && echo mknod ok; shift; exec perl -e \'for (@ARGV) { my $ok = open(my $f, "+<", $_); printf "%s %d\\n", $_, $ok ? 0 : $! + 0 }\' "$@"',
    'sh',
    dir,
    ...files,
  ];
  const results = async (cg: ContainerCgroup | undefined) => {
    const proc = await spawnIn(t, cg, probe);
    t.is((await proc.exited).code, 0, proc.stderr());
    fs.rmSync(path.join(dir, 'made'), { force: true });
    return proc.stdout();
  };
  const outside = await results(undefined);
  t.notRegex(outside, / 1$/m, 'nothing is denied outside the cgroup');

  const driver = v2DriverFor(t);
  const cg = driver.create('v2dev', {});
  t.is(native.deviceFilters(cg.paths()[0]!).length, 1);
  driver.create('v2dev', {});
  t.is(native.deviceFilters(cg.paths()[0]!).length, 1, 'creating again replaces the program');
  const inside = await results(cg);
  const EPERM = 1;
  t.is(
    inside,
    [
      'mknod ok',
      `${files[0]} 0`,
      `${files[1]} ${EPERM}`,
      `${files[2]} ${EPERM}`,
      `${files[3]} 0`,
      `${files[4]} 0`,
      '',
    ].join('\n'),
  );
  await cg.remove();
  assertGone(t, cg);
});

v2Test('cgroup2: controllers the mount offers are enabled in subtree_control on the way down', async (t) => {
  const rootControl = path.join(v2Root!, 'cgroup.subtree_control');
  const offered = read(path.join(v2Root!, 'cgroup.controllers')).split(/\s+/).filter(Boolean);
  const wanted = offered.filter((c) => (DEFAULT_V2_CONTROLLERS as readonly string[]).includes(c));
  if (wanted.length === 0) return t.pass('the cgroup2 mount offers no controller berth uses');
  const before = read(rootControl).split(/\s+/).filter(Boolean);
  // put back what this test switched on at the mount's root (after the driver's teardown removed its cgroups)
  t.teardown(() => {
    for (const c of wanted.filter((c) => !before.includes(c))) {
      try {
        fs.writeFileSync(rootControl, `-${c}`);
      } catch (err) {
        console.log(`cgroups test: could not disable ${c} again at ${v2Root}: ${(err as Error).message}`);
      }
    }
  });
  const driver = v2DriverFor(t, { controllers: undefined });
  const cg = driver.create('v2ctl', {});
  const parentDir = path.dirname(cg.paths()[0]!);
  const own = read(path.join(cg.paths()[0]!, 'cgroup.controllers')).split(/\s+/).filter(Boolean);
  t.deepEqual(own.sort(), [...wanted].sort());
  t.deepEqual(read(path.join(parentDir, 'cgroup.subtree_control')).split(/\s+/).filter(Boolean).sort(), [...wanted].sort());
  await cg.remove();
  driver.removeParent();
});
