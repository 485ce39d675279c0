/**
 * The cgroup drivers against a fake hierarchy (no root needed): an in-memory
 * CgroupFs that behaves like cgroupfs where it matters — interface files
 * appear on mkdir, a controller's files only when the parent enabled it in
 * cgroup.subtree_control, writes go to existing files only, rmdir refuses a
 * cgroup with tasks or children. Mostly the v2 driver, whose limits cannot
 * all be exercised on a hybrid host (its cgroup2 mount offers only hugetlb);
 * the real-mount tests are in cgroups.test.ts.
 */
import test from 'ava';
import path from 'node:path';
import { isBerthError } from '../src/engine/errors.js';
import { createCgroupDriver, type CgroupFs, type DeviceFilterNative } from '../src/engine/cgroups/index.js';
import { compileDeviceFilter } from '../src/engine/cgroups/devices.js';
import { ERR_NO_CFS, WARN_NO_MEMORY, WARN_NO_PIDS, WARN_NO_SHARES, WARN_NO_SWAP, sharesToWeight } from '../src/engine/cgroups/limits.js';

const MiB = 1024 * 1024;
const ROOT = '/fake/cgroup';

const fsError = (code: string, p: string) => Object.assign(new Error(`${code}: ${p}`), { code });

interface FakeOptions {
  /** what the root offers in cgroup.controllers */
  controllers?: string[];
  /** memory.swap.max exists (swap accounting) */
  swap?: boolean;
}

/** An in-memory cgroup2 hierarchy that records every write. */
class FakeCgroupFs implements CgroupFs {
  readonly files = new Map<string, string>();
  readonly dirs = new Set<string>();
  readonly writes: string[] = [];

  constructor(private readonly options: FakeOptions = {}) {
    this.dirs.add(ROOT);
    this.files.set(`${ROOT}/cgroup.controllers`, (options.controllers ?? ['cpuset', 'cpu', 'io', 'memory', 'pids']).join(' '));
    this.files.set(`${ROOT}/cgroup.subtree_control`, '');
    this.files.set(`${ROOT}/cgroup.procs`, '');
  }

  exists(p: string): boolean {
    return this.dirs.has(p) || this.files.has(p);
  }

  mkdir(p: string): boolean {
    if (this.dirs.has(p)) return false;
    const parent = path.dirname(p);
    if (!this.dirs.has(parent)) throw fsError('ENOENT', p);
    this.dirs.add(p);
    const enabled = this.files.get(`${parent}/cgroup.subtree_control`)!.split(' ').filter(Boolean);
    const add = (name: string, value: string) => this.files.set(`${p}/${name}`, value);
    add('cgroup.procs', '');
    add('cgroup.controllers', enabled.join(' '));
    add('cgroup.subtree_control', '');
    add('cgroup.events', 'populated 0\nfrozen 0\n');
    add('cgroup.freeze', '0');
    add('cgroup.kill', '');
    add('cpu.stat', 'usage_usec 0\nuser_usec 0\nsystem_usec 0\n');
    if (enabled.includes('memory')) {
      add('memory.max', 'max');
      add('memory.current', '0');
      add('memory.stat', 'anon 0\nfile 0\ninactive_file 0\n');
      add('memory.events', 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n');
      if (this.options.swap !== false) add('memory.swap.max', 'max');
    }
    if (enabled.includes('cpu')) {
      add('cpu.max', 'max 100000');
      add('cpu.weight', '100');
    }
    if (enabled.includes('pids')) {
      add('pids.max', 'max');
      add('pids.current', '0');
    }
    if (enabled.includes('io')) add('io.stat', '');
    return true;
  }

  rmdir(p: string): void {
    if (!this.dirs.has(p)) throw fsError('ENOENT', p);
    if (this.subdirs(p).length > 0 || this.files.get(`${p}/cgroup.procs`)) throw fsError('EBUSY', p);
    this.dirs.delete(p);
    for (const f of [...this.files.keys()]) if (path.dirname(f) === p) this.files.delete(f);
  }

  subdirs(p: string): string[] {
    if (!this.dirs.has(p)) throw fsError('ENOENT', p);
    return [...this.dirs].filter((d) => path.dirname(d) === p && d !== p).map((d) => path.basename(d));
  }

  read(p: string): string {
    const v = this.files.get(p);
    if (v === undefined) throw fsError('ENOENT', p);
    return v;
  }

  write(p: string, data: string): void {
    if (!this.files.has(p)) throw fsError('ENOENT', p);
    this.writes.push(`${path.relative(ROOT, p)} ${data}`);
    const dir = path.dirname(p);
    switch (path.basename(p)) {
      case 'cgroup.subtree_control': {
        const offered = this.files.get(`${dir}/cgroup.controllers`)!.split(' ');
        const enabled = new Set(this.files.get(p)!.split(' ').filter(Boolean));
        for (const word of data.split(' ')) {
          const name = word.slice(1);
          if (!offered.includes(name)) throw fsError('EINVAL', p);
          if (word.startsWith('+')) enabled.add(name);
          else enabled.delete(name);
        }
        this.files.set(p, [...enabled].join(' '));
        break;
      }
      case 'cgroup.freeze':
        this.files.set(p, data);
        this.files.set(`${dir}/cgroup.events`, `populated 0\nfrozen ${data}\n`);
        break;
      default:
        this.files.set(p, data);
    }
  }

  /** Test setup: sets a file's content without recording a write. */
  set(p: string, value: string): void {
    this.files.set(p, value);
  }
}

class RecordingNative implements DeviceFilterNative {
  readonly calls: Array<{ dir: string; insns: Buffer }> = [];
  attachDeviceFilter(cgroupDir: string, insns: Buffer): void {
    this.calls.push({ dir: cgroupDir, insns });
  }
}

function fakeDriver(options: FakeOptions & { parent?: string } = {}) {
  const fs = new FakeCgroupFs(options);
  const native = new RecordingNative();
  const driver = createCgroupDriver({ layout: { version: '2', root: ROOT }, fs, native, parent: options.parent });
  return { fs, native, driver };
}

test('v2 create: controllers enabled level by level, limits written, the device filter attached', (t) => {
  const { fs, native, driver } = fakeDriver();
  const cg = driver.create('c1', { memory: 32 * MiB, cpus: 1.5, cpuShares: 512, pidsLimit: 20 });
  t.deepEqual(cg.warnings, []);
  t.deepEqual(cg.paths(), [`${ROOT}/berth/c1`]);
  t.deepEqual(cg.procsFiles(), [`${ROOT}/berth/c1/cgroup.procs`]);
  t.deepEqual(fs.writes, [
    'cgroup.subtree_control +cpuset',
    'cgroup.subtree_control +cpu',
    'cgroup.subtree_control +io',
    'cgroup.subtree_control +memory',
    'cgroup.subtree_control +pids',
    'berth/cgroup.subtree_control +cpuset',
    'berth/cgroup.subtree_control +cpu',
    'berth/cgroup.subtree_control +io',
    'berth/cgroup.subtree_control +memory',
    'berth/cgroup.subtree_control +pids',
    `berth/c1/memory.max ${32 * MiB}`,
    `berth/c1/memory.swap.max ${32 * MiB}`, // Docker's default: memory+swap = 2 × memory
    'berth/c1/cpu.max 150000 100000',
    `berth/c1/cpu.weight ${sharesToWeight(512)}`,
    'berth/c1/pids.max 20',
  ]);
  t.deepEqual(native.calls, [{ dir: `${ROOT}/berth/c1`, insns: compileDeviceFilter() }]);
  t.deepEqual(driver.list(), ['c1']);

  // again: nothing to enable any more, the same limits, the filter replaced
  fs.writes.length = 0;
  driver.create('c1', { memory: 32 * MiB });
  t.deepEqual(fs.writes, [`berth/c1/memory.max ${32 * MiB}`, `berth/c1/memory.swap.max ${32 * MiB}`]);
  t.is(native.calls.length, 2);
});

test('v2 create: a nested parent enables controllers at every level', (t) => {
  const { fs, driver } = fakeDriver({ controllers: ['memory'], parent: 'a/b' });
  driver.create('x', {});
  t.deepEqual(fs.writes, [
    'cgroup.subtree_control +memory',
    'a/cgroup.subtree_control +memory',
    'a/b/cgroup.subtree_control +memory',
  ]);
  t.true(fs.exists(`${ROOT}/a/b/x/memory.max`));
  t.deepEqual(driver.list(), ['x']);
});

test('v2 create: missing controllers give Docker warnings, --cpus without CFS fails', (t) => {
  const { fs, driver } = fakeDriver({ controllers: ['hugetlb'] });
  const cg = driver.create('w', { memory: 32 * MiB, cpuShares: 512, pidsLimit: 10 });
  t.deepEqual(cg.warnings, [WARN_NO_MEMORY, WARN_NO_SHARES, WARN_NO_PIDS]);
  t.deepEqual(fs.writes, ['cgroup.subtree_control +hugetlb', 'berth/cgroup.subtree_control +hugetlb']);
  const err = t.throws(() => driver.create('w', { cpus: 1 }));
  t.true(isBerthError(err, 'unavailable'));
  t.is(err!.message, ERR_NO_CFS);
  t.true(fs.exists(`${ROOT}/berth/w`), 'a refused re-create keeps the existing cgroup');
  t.true(isBerthError(t.throws(() => driver.create('new', { cpus: 1 })), 'unavailable'));
  t.false(fs.exists(`${ROOT}/berth/new`), 'a refused create leaves nothing behind');
  t.deepEqual(driver.list(), ['w']);
});

test('v2 update of a cgroup that does not exist is not-found', async (t) => {
  const { driver } = fakeDriver();
  t.true(isBerthError(t.throws(() => driver.open('ghost').update({ pidsLimit: 5 })), 'not-found'));
  const cg = driver.create('gone', {});
  await cg.remove();
  t.true(isBerthError(t.throws(() => cg.update({ pidsLimit: 5 })), 'not-found'));
  t.false(cg.isFrozen());
  t.deepEqual(cg.pids(), []);
  cg.killAll(); // nothing to kill, no error
  await t.throwsAsync(cg.freeze(), { message: /cannot freeze cgroup gone/ });
});

test('v2 create: without swap accounting memory is limited alone, with Docker\'s warning', (t) => {
  const { fs, driver } = fakeDriver({ swap: false });
  const cg = driver.create('s', { memory: 32 * MiB });
  t.deepEqual(cg.warnings, [WARN_NO_SWAP]);
  t.deepEqual(
    fs.writes.filter((w) => w.startsWith('berth/s/')),
    [`berth/s/memory.max ${32 * MiB}`],
  );
  t.deepEqual(driver.create('s2', { memory: 32 * MiB, memorySwap: -1 }).warnings, [], 'no warning when swap is asked unlimited');
});

test('v2 memory-swap: -1 is unlimited swap, equal to memory is no swap, swap = total − memory', (t) => {
  const { fs, driver } = fakeDriver();
  driver.create('a', { memory: 32 * MiB, memorySwap: -1 });
  driver.create('b', { memory: 32 * MiB, memorySwap: 32 * MiB });
  driver.create('c', { memory: 32 * MiB, memorySwap: 100 * MiB });
  t.is(fs.read(`${ROOT}/berth/a/memory.swap.max`), 'max');
  t.is(fs.read(`${ROOT}/berth/b/memory.swap.max`), '0');
  t.is(fs.read(`${ROOT}/berth/c/memory.swap.max`), String(68 * MiB));
});

test('v2 update: only the given limits change; memory alone keeps memory+swap', (t) => {
  const { fs, driver } = fakeDriver();
  const cg = driver.create('u', { memory: 32 * MiB, cpus: 1, cpuShares: 512, pidsLimit: 20 });
  const file = (name: string) => fs.read(`${ROOT}/berth/u/${name}`);
  fs.writes.length = 0;
  t.deepEqual(cg.update({ memory: 48 * MiB }), []);
  t.deepEqual(fs.writes, [`berth/u/memory.max ${48 * MiB}`, `berth/u/memory.swap.max ${16 * MiB}`]);
  t.is(file('cpu.max'), '100000 100000');
  const err = t.throws(() => cg.update({ memory: 100 * MiB }));
  t.true(isBerthError(err, 'invalid-argument'));
  t.regex(err!.message, /update the memoryswap at the same time/);
  cg.update({ memory: 100 * MiB, memorySwap: 300 * MiB });
  t.is(file('memory.swap.max'), String(200 * MiB));
  cg.update({ memorySwap: -1 });
  t.is(file('memory.max'), String(100 * MiB));
  t.is(file('memory.swap.max'), 'max');
  cg.update({ memory: 0, cpus: 0, cpuShares: 0, pidsLimit: -1 });
  t.is(file('memory.max'), 'max');
  t.is(file('memory.swap.max'), 'max');
  t.is(file('cpu.max'), 'max 100000');
  t.is(file('cpu.weight'), '100');
  t.is(file('pids.max'), 'max');
  t.true(isBerthError(t.throws(() => cg.update({ memorySwap: 64 * MiB })), 'invalid-argument'), 'swap without a memory limit');
});

test('v2 freeze, thaw and kill write cgroup.freeze and cgroup.kill', async (t) => {
  const { fs, driver } = fakeDriver();
  const cg = driver.create('f', {});
  fs.writes.length = 0;
  await cg.freeze();
  t.true(cg.isFrozen());
  await cg.thaw();
  t.false(cg.isFrozen());
  cg.killAll();
  t.deepEqual(fs.writes, ['berth/f/cgroup.freeze 1', 'berth/f/cgroup.freeze 0', 'berth/f/cgroup.kill 1']);
});

test('v2 stats, oomKilled and pids read the kernel\'s files', (t) => {
  const { fs, driver } = fakeDriver();
  const cg = driver.create('st', { memory: 32 * MiB, pidsLimit: 20 });
  const dir = `${ROOT}/berth/st`;
  fs.set(`${dir}/cpu.stat`, 'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n');
  fs.set(`${dir}/memory.current`, String(10 * MiB));
  fs.set(`${dir}/memory.stat`, `anon ${8 * MiB}\nfile ${2 * MiB}\ninactive_file ${2 * MiB}\n`);
  fs.set(`${dir}/pids.current`, '3');
  fs.set(`${dir}/io.stat`, '8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n254:0 rbytes=1 wbytes=2 rios=1 wios=1\n');
  fs.set(`${dir}/cgroup.procs`, '12\n7\n');
  fs.mkdir(`${dir}/inner`);
  fs.set(`${dir}/inner/cgroup.procs`, '30\n');
  t.deepEqual(cg.stats(), {
    cpuUsageNs: 1_500_000,
    memoryUsage: 8 * MiB,
    memoryLimit: 32 * MiB,
    pids: 3,
    pidsLimit: 20,
    blkioRead: 4097,
    blkioWrite: 8194,
  });
  t.deepEqual(cg.usage(), { cpuUsageNs: 1_500_000, memoryUsage: 8 * MiB });
  t.deepEqual(cg.pids(), [7, 12, 30], 'the whole subtree, ascending');
  t.false(cg.oomKilled());
  fs.set(`${dir}/memory.events`, 'low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n');
  t.true(cg.oomKilled());
});

test('v2 remove: children first, idempotent; removeParent only when empty', async (t) => {
  const { fs, driver } = fakeDriver();
  const cg = driver.create('r', {});
  driver.create('keep', {});
  fs.mkdir(`${ROOT}/berth/r/nested`);
  fs.mkdir(`${ROOT}/berth/r/nested/deeper`);
  await cg.remove();
  t.false(fs.exists(`${ROOT}/berth/r`));
  await cg.remove();
  driver.removeParent();
  t.true(fs.exists(`${ROOT}/berth`), 'the parent still holds keep');
  await driver.open('keep').remove();
  driver.removeParent();
  t.false(fs.exists(`${ROOT}/berth`));
  t.deepEqual(driver.list(), []);
});

test('v1 stats parse cpuacct, memory, pids and blkio (fake hierarchy)', (t) => {
  const fs = new FakeCgroupFs();
  const controllers = Object.fromEntries(['cpuacct', 'memory', 'pids', 'blkio'].map((c) => [c, `${ROOT}/${c}`]));
  const driver = createCgroupDriver({ layout: { version: '1', controllers }, fs, native: new RecordingNative() });
  const cg = driver.open('v1');
  const put = (controller: string, name: string, value: string) => {
    for (const d of [`${ROOT}/${controller}`, `${ROOT}/${controller}/berth`, `${ROOT}/${controller}/berth/v1`]) fs.dirs.add(d);
    fs.set(`${ROOT}/${controller}/berth/v1/${name}`, value);
  };
  put('cpuacct', 'cpuacct.usage', '123456789\n');
  put('memory', 'memory.usage_in_bytes', `${20 * MiB}\n`);
  put('memory', 'memory.stat', `cache ${6 * MiB}\ninactive_file 1\ntotal_inactive_file ${4 * MiB}\n`);
  put('memory', 'memory.limit_in_bytes', '9223372036854771712\n');
  put('memory', 'memory.oom_control', 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
  put('pids', 'pids.current', '5\n');
  put('pids', 'pids.max', 'max\n');
  put('blkio', 'blkio.throttle.io_service_bytes_recursive',
    '254:0 Read 4096\n254:0 Write 1048576\n254:0 Sync 1048576\n254:0 Async 0\n254:0 Discard 0\n254:0 Total 1052672\nTotal 1052672\n');
  const stats = cg.stats();
  t.is(stats.cpuUsageNs, 123456789);
  t.is(stats.memoryUsage, 16 * MiB);
  t.true(stats.memoryLimit > 0 && stats.memoryLimit < 2 ** 53, 'unlimited shows the host memory');
  t.is(stats.pids, 5);
  t.is(stats.pidsLimit, 0);
  t.is(stats.blkioRead, 4096);
  t.is(stats.blkioWrite, 1048576);
  t.deepEqual(cg.usage(), { cpuUsageNs: 123456789, memoryUsage: 16 * MiB });
  t.true(cg.oomKilled());
});
