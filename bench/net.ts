/**
 * `npm run bench:net`: network throughput, berth against docker when docker
 * answers, in the same run.
 *
 * - Published port: a busybox httpd serving a BENCH_NET_MB file (default
 *   300) behind `-p 127.0.0.1:<port>:80`, downloaded over loopback with curl
 *   (Node's http client if there is no curl), BENCH_NET_RUNS times (default 7),
 *   engines interleaved. docker relays loopback through docker-proxy, berth
 *   through its shim: both user-space proxies.
 * - Container to container: the same server on a user network, and a second
 *   container that fetches it by name with busybox wget, timed inside with
 *   the shell's `time` (10 ms resolution).
 *
 * Medians in MB/s and the ratio berth/docker (higher is better). Traffic
 * stays on loopback and inside the networks this bench creates; everything
 * it starts is removed. Exit 0 unless berth fails.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { berth, berthOk, freePort, hasCommand, importBusybox, tempDir } from '../test/helpers/berth.js';
import { cleanBerth, cleanupOnExit, median, prepareDaemon, quiet } from './common.js';

const RUNS = Number(process.env.BENCH_NET_RUNS || 7);
const SIZE_MB = Number(process.env.BENCH_NET_MB || 300);
const CGROUP_PARENT = `berth-bench-net-${process.pid}`;
const SERVER = `mkdir -p /www && dd if=/dev/zero of=/www/big bs=1M count=${SIZE_MB} 2>/dev/null && exec httpd -f -p 80 -h /www`;

type Engine = 'berth' | 'docker';

const CURL = hasCommand('curl');

/**
 * Downloads url, returning bytes and milliseconds. With curl when the host
 * has it: Node's own http client tops out near 300 MB/s here, below either
 * proxy, and would measure itself.
 */
function download(url: string): Promise<{ bytes: number; ms: number }> {
  if (CURL) {
    const r = quiet('curl', ['-s', '-o', '/dev/null', '-w', '%{size_download} %{time_total}', url]);
    if (!r.ok) return Promise.reject(new Error(`curl ${url}: ${r.err.trim()}`));
    const [bytes, seconds] = r.out.trim().split(' ').map(Number);
    return Promise.resolve({ bytes, ms: seconds * 1000 });
  }
  return new Promise((resolve, reject) => {
    const start = performance.now();
    http
      .get(url, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => resolve({ bytes, ms: performance.now() - start }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

async function until(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const mbps = (bytes: number, ms: number) => bytes / 1024 / 1024 / (ms / 1000);

interface Engines {
  root: string;
  docker: boolean;
  dockerContainers: string[];
  dockerNetwork?: string;
}

/** `engine run …`, returning stdout; throws with stderr on failure. */
async function run(engine: Engine, env: Engines, args: string[]): Promise<string> {
  if (engine === 'berth') return berthOk(env.root, ...args);
  const r = quiet('docker', args);
  if (!r.ok) throw new Error(`docker ${args.join(' ')}: ${r.err.trim()}`);
  return r.out;
}

async function publishedPort(env: Engines, engines: Engine[]): Promise<Map<Engine, number[]>> {
  const urls = new Map<Engine, string>();
  for (const engine of engines) {
    const port = await freePort();
    const id = (await run(engine, env, ['run', '-d', '-p', `127.0.0.1:${port}:80`, 'busybox', 'sh', '-c', SERVER])).trim();
    if (engine === 'docker') env.dockerContainers.push(id);
    const url = `http://127.0.0.1:${port}/big`;
    await until(`${engine}'s httpd behind the published port`, async () => (await download(url)).bytes === SIZE_MB * 1024 * 1024);
    urls.set(engine, url);
  }
  const results = new Map<Engine, number[]>(engines.map((e) => [e, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const engine of engines) {
      const { bytes, ms } = await download(urls.get(engine)!);
      if (bytes !== SIZE_MB * 1024 * 1024) throw new Error(`${engine}: short download (${bytes} bytes)`);
      results.get(engine)!.push(mbps(bytes, ms));
    }
  }
  return results;
}

async function containerToContainer(env: Engines, engines: Engine[]): Promise<Map<Engine, number[]>> {
  const results = new Map<Engine, number[]>(engines.map((e) => [e, []]));
  const network = `benchnet${process.pid}`;
  for (const engine of engines) {
    await run(engine, env, ['network', 'create', network]);
    if (engine === 'docker') env.dockerNetwork = network;
    const id = (await run(engine, env, ['run', '-d', '--network', network, '--name', `${network}-srv`, 'busybox', 'sh', '-c', SERVER])).trim();
    if (engine === 'docker') env.dockerContainers.push(id);
  }
  const script = [
    `until wget -qO /dev/null http://${network}-srv/big 2>/dev/null; do sleep 0.1; done`,
    `for i in $(seq ${RUNS}); do time wget -qO /dev/null http://${network}-srv/big; done`,
  ].join('; ');
  for (const engine of engines) {
    const args = ['run', '--rm', '--network', network, 'busybox', 'sh', '-c', script];
    // busybox's `time` reports on stderr
    const text = engine === 'berth' ? (await berth(env.root, ...args)).stderr : quiet('docker', args).err;
    for (const match of text.matchAll(/real\s+(\d+)m\s*([\d.]+)s/g)) {
      const seconds = Number(match[1]) * 60 + Number(match[2]);
      results.get(engine)!.push(mbps(SIZE_MB * 1024 * 1024, Math.max(seconds, 0.01) * 1000));
    }
    if (results.get(engine)!.length === 0) throw new Error(`${engine}: no timings from the client container: ${text.trim()}`);
  }
  return results;
}

function report(title: string, results: Map<Engine, number[]>): void {
  console.log(`\n${title}`);
  const b = results.get('berth');
  for (const [engine, values] of results) {
    const sorted = [...values].sort((x, y) => x - y);
    console.log(`  ${engine.padEnd(7)} median ${median(values).toFixed(0).padStart(6)} MB/s   min ${sorted[0].toFixed(0)}   max ${sorted[sorted.length - 1].toFixed(0)}   (${values.length} runs)`);
  }
  const d = results.get('docker');
  if (b && d) console.log(`  berth/docker: ${(median(b) / median(d)).toFixed(2)}x (higher is better)`);
}

async function main(): Promise<number> {
  if (process.getuid?.() !== 0) {
    console.log('net bench: needs root');
    return 1;
  }
  process.env.BERTH_CGROUP_PARENT = CGROUP_PARENT;
  const { teardowns, cleanAll } = cleanupOnExit();
  const env: Engines = { root: tempDir(teardowns, 'berth-bench-net-'), docker: false, dockerContainers: [] };
  const work = tempDir(teardowns, 'berth-bench-net-work-');
  teardowns.teardown(() => cleanBerth(env.root, CGROUP_PARENT));
  teardowns.teardown(() => {
    if (env.dockerContainers.length > 0) quiet('docker', ['rm', '-f', ...env.dockerContainers]);
    if (env.dockerNetwork) quiet('docker', ['network', 'rm', env.dockerNetwork]);
  });
  try {
    await importBusybox(env.root);
    const reason = prepareDaemon('docker', env.root, work);
    if (reason) console.log(`docker: skipped: ${reason}`);
    env.docker = !reason;
    const engines: Engine[] = env.docker ? ['berth', 'docker'] : ['berth'];
    console.log(`net bench: ${SIZE_MB} MB per transfer, ${RUNS} runs each, engines: ${engines.join(', ')}`);
    report(`published port, host → container over 127.0.0.1 (${CURL ? 'curl' : 'Node http client'} → proxy → busybox httpd)`, await publishedPort(env, engines));
    report('container → container on a user network (busybox wget → busybox httpd, by name)', await containerToContainer(env, engines));
    return 0;
  } catch (err) {
    console.error(`net bench failed: ${(err as Error).message}`);
    return 1;
  } finally {
    await cleanAll();
  }
}

main().then((code) => (process.exitCode = code));
