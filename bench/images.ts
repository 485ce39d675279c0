/**
 * `npm run bench:images`: how long `berth load -i` and `berth save -o` take
 * for a ~30 MB, 3000-file image, as a user runs them (a fresh process each,
 * each load into a fresh store root), and the same archive with docker and
 * podman when their daemons answer. Prints medians of 5 runs; asserts nothing.
 * No network: the image is generated here, deterministically.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import { humanSize } from '../src/app/cli/format.js';
import {
  berth,
  daemonAnswers,
  dockerArchive,
  hasCommand,
  syntheticTree,
  tarOf,
  tempDir,
  type Teardowns,
} from '../test/helpers/berth.js';

const RUNS = 5;
const FILES = 3000;
const BYTES = 30e6;

type Tool = 'berth' | 'docker' | 'podman';
type Timings = Partial<Record<Tool, { load: number[]; save: number[] }>>;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function benchBerth(cleanup: Teardowns, archive: string, tag: string, work: string) {
  const load: number[] = [];
  const save: number[] = [];
  let root = '';
  for (let i = 0; i < RUNS; i++) {
    root = tempDir(cleanup, 'berth-bench-root-');
    const start = performance.now();
    const r = await berth(root, 'load', '-q', '-i', archive);
    load.push((performance.now() - start) / 1000);
    if (r.code !== 0) throw new Error(`berth load exited ${r.code}: ${r.stderr}`);
  }
  for (let i = 0; i < RUNS; i++) {
    const out = path.join(work, `berth-save-${i}.tar`);
    const start = performance.now();
    const r = await berth(root, 'save', '-o', out, tag);
    save.push((performance.now() - start) / 1000);
    if (r.code !== 0) throw new Error(`berth save exited ${r.code}: ${r.stderr}`);
    fs.rmSync(out);
  }
  return { load, save };
}

/** docker and podman take the same verbs; the image is removed before each load so every load does the full work. */
function benchDaemon(cli: 'docker' | 'podman', archive: string, tag: string, work: string) {
  const run = (...args: string[]) => execFileSync(cli, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const remove = () => {
    try {
      run('rmi', '-f', tag);
    } catch {
      // not there
    }
  };
  const load: number[] = [];
  const save: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      remove();
      const start = performance.now();
      run('load', '-q', '-i', archive);
      load.push((performance.now() - start) / 1000);
    }
    for (let i = 0; i < RUNS; i++) {
      const out = path.join(work, `${cli}-save-${i}.tar`);
      const start = performance.now();
      run('save', '-o', out, tag);
      save.push((performance.now() - start) / 1000);
      fs.rmSync(out);
    }
  } finally {
    remove();
  }
  return { load, save };
}

function whyNot(cli: 'docker' | 'podman'): string | undefined {
  if (!hasCommand(cli)) return `${cli} is not installed`;
  if (!daemonAnswers(cli)) return `${cli} is installed but \`${cli} info\` fails (no daemon or service running)`;
  return undefined;
}

function report(timings: Timings, skipped: string[], archiveBytes: number): void {
  const tools = (['berth', 'docker', 'podman'] as const).filter((tool) => timings[tool]);
  const seconds = (s: number) => `${s.toFixed(3)} s`;
  const header = ['operation', ...tools.flatMap((tool) => (tool === 'berth' ? ['berth'] : [tool, `berth/${tool}`]))];
  const rows = (['load', 'save'] as const).map((op) => [
    op,
    ...tools.flatMap((tool) => {
      const m = median(timings[tool]![op]);
      return tool === 'berth' ? [seconds(m)] : [seconds(m), `${(median(timings.berth![op]) / m).toFixed(2)}x`];
    }),
  ]);
  const widths = header.map((_, c) => Math.max(...[header, ...rows].map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c])).join('   ').trimEnd();
  console.log(`\nimages bench: 1 image, 1 layer, ${FILES} files, ${humanSize(archiveBytes)} archive; median of ${RUNS} runs, wall time of the whole command`);
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  for (const tool of tools) {
    for (const op of ['load', 'save'] as const) console.log(`  ${tool} ${op} runs: ${timings[tool]![op].map((s) => s.toFixed(3)).join(' ')}`);
  }
  for (const reason of skipped) console.log(`not measured: ${reason}`);
}

async function main(): Promise<void> {
  const cleanups: (() => void | Promise<void>)[] = [];
  const cleanup: Teardowns = { teardown: (fn) => cleanups.push(fn) };
  try {
    const work = tempDir(cleanup, 'berth-bench-');
    const src = path.join(work, 'src');
    syntheticTree(src, { top: 'data', files: FILES, totalBytes: BYTES, seed: 'bench images' });
    const layer = tarOf(path.join(work, 'layer.tar'), src, ['data']);
    // a name of our own, so a daemon's real images are left alone
    const tag = `berth-bench:${process.pid}`;
    const archive = path.join(work, 'image.tar');
    dockerArchive(archive, { tag, layers: [layer] });
    fs.rmSync(src, { recursive: true });
    fs.rmSync(layer);

    const timings: Timings = {};
    const skipped: string[] = [];
    console.log('berth: measuring load and save');
    timings.berth = await benchBerth(cleanup, archive, tag, work);
    for (const cli of ['docker', 'podman'] as const) {
      const reason = whyNot(cli);
      if (reason) {
        skipped.push(reason);
        continue;
      }
      console.log(`${cli}: measuring load and save`);
      timings[cli] = benchDaemon(cli, archive, tag, work);
    }
    report(timings, skipped, fs.statSync(archive).size);
  } finally {
    for (const fn of cleanups.reverse()) await fn();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
