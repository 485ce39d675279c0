/**
 * The TUI's pure parts: the keymap table (remapping, key names, help, docs),
 * selection and layout maths, and the view-models of every pane.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { buildKeymap, DEFAULT_KEYMAP, helpSections, keymapMarkdown, resolveKey } from '../src/app/tui/keymap.js';
import { moveSelection, scrollOffset } from '../src/app/tui/view-models/list.js';
import { computeLayout } from '../src/app/tui/view-models/layout.js';
import { containerRows, cpuPercent } from '../src/app/tui/view-models/containers.js';
import { imageRows } from '../src/app/tui/view-models/images.js';
import { fileTree } from '../src/app/tui/view-models/layers.js';
import { processRows } from '../src/app/tui/view-models/processes.js';
import { niceScale, statsLines, statsView } from '../src/app/tui/view-models/stats.js';
import { drawLineChart } from '../src/app/tui/charts.js';
import type { ContainerSample } from '../src/app/tui/client.js';
import { highlight, logLines, matchingLines } from '../src/app/tui/view-models/logs.js';
import { fitSegments, rowText, type Row } from '../src/app/tui/view-models/segments.js';
import { shellWords } from '../src/app/tui/shell-words.js';
import { needsTerminal } from '../src/app/tui/command-line.js';
import { effectiveTheme, DEFAULT_SETTINGS, loadSettings } from '../src/app/tui/settings.js';
import { repoRoot, tempDir } from './helpers/berth.js';
import { container, proc } from '../src/app/tui/memory-client.js';

test('keymap: defaults resolve by scope, most specific first', (t) => {
  const km = buildKeymap();
  t.is(resolveKey(km, ['containers', 'list', 'global'], 's'), 'stop');
  t.is(resolveKey(km, ['images', 'list', 'global'], 's'), undefined);
  t.is(resolveKey(km, ['logs', 'detail', 'list', 'global'], '/'), 'search');
  t.is(resolveKey(km, ['containers', 'list', 'global'], '/'), 'filter');
  t.is(resolveKey(km, ['list', 'global'], 'down'), 'down');
});

test('keymap: a remapped action answers to its new keys only', (t) => {
  const km = buildKeymap({ stop: 'S', down: ['n', 'down'] });
  t.is(resolveKey(km, ['containers', 'list', 'global'], 'S'), 'stop');
  t.is(resolveKey(km, ['containers', 'list', 'global'], 's'), undefined);
  t.is(resolveKey(km, ['list', 'global'], 'n'), 'down');
  t.is(resolveKey(km, ['list', 'global'], 'j'), undefined);
  t.throws(() => buildKeymap({ nosuch: 'x' }), { message: /unknown action "nosuch"/ });
});

test('keymap: every action has a description and shows in help', (t) => {
  const rows = helpSections(DEFAULT_KEYMAP).flatMap((s) => s.rows);
  t.is(rows.length, DEFAULT_KEYMAP.length);
  for (const b of DEFAULT_KEYMAP) t.true(b.description.length > 0, b.action);
});

test('keymap: src/app/tui/KEYS.md is generated from the table and current', (t) => {
  const file = path.join(repoRoot, 'src/app/tui/KEYS.md');
  const expected = `# berth TUI keys\n\nGenerated from src/app/tui/keymap.ts (test/tui-view-models.test.ts checks it). Remap with \`berth config set keybindings '{"stop":"S"}'\`.\n\n${keymapMarkdown()}`;
  if (process.env.BERTH_UPDATE_GOLDEN === '1') fs.writeFileSync(file, expected);
  t.is(fs.readFileSync(file, 'utf8'), expected, 'run with BERTH_UPDATE_GOLDEN=1 to regenerate');
});

test('selection moves and clamps; scrolling keeps the selection visible', (t) => {
  t.is(moveSelection(0, 10, 'up', 5), 0);
  t.is(moveSelection(0, 10, 'down', 5), 1);
  t.is(moveSelection(0, 10, 'bottom', 5), 9);
  t.is(moveSelection(9, 10, 'pageUp', 5), 5);
  t.is(moveSelection(2, 10, 'pageDown', 5), 6);
  t.is(moveSelection(3, 0, 'down', 5), 0);
  t.is(scrollOffset(0, 100, 10), 0);
  t.is(scrollOffset(50, 100, 10), 45);
  t.is(scrollOffset(99, 100, 10), 90);
});

test('layout: wide beside, stacked at 80×24, too small below', (t) => {
  const wide = computeLayout(120, 40, 'containers');
  t.is(wide.mode, 'wide');
  t.is(wide.panes.containers.width + wide.panes.detail.width, 120);
  t.is(['containers', 'images', 'layers', 'processes'].reduce((n, p) => n + wide.panes[p as 'images'].height, 0), 39);
  const small = computeLayout(80, 24, 'images');
  t.is(small.mode, 'stacked');
  t.is(Object.values(small.panes).reduce((n, p) => n + p.height, 0), 23);
  t.true(small.panes.images.height > small.panes.containers.height);
  t.true(small.panes.detail.height >= 3);
  t.is(computeLayout(79, 24, 'images').mode, 'too-small');
  t.is(computeLayout(80, 23, 'images').mode, 'too-small');
});

test('containers: filter, sort, usage only for running ones', (t) => {
  const list = [container({ id: 'a', name: 'web', state: 'running' }), container({ id: 'b', name: 'db', state: 'exited' }), container({ id: 'c', name: 'cache', state: 'running' })];
  const usage = new Map([
    ['a', { cpu: 5, memory: 1e6 }],
    ['c', { cpu: 50, memory: 2e6 }],
  ]);
  t.deepEqual(containerRows(list, usage).map((r) => r.name), ['cache', 'db', 'web']);
  t.deepEqual(containerRows(list, usage, { sort: 'cpu' }).map((r) => r.name), ['cache', 'web', 'db']);
  t.deepEqual(containerRows(list, usage, { sort: 'status' }).map((r) => r.name), ['cache', 'web', 'db']);
  t.deepEqual(containerRows(list, usage, { filter: 'WE' }).map((r) => r.name), ['web']);
  const db = containerRows(list, usage).find((r) => r.name === 'db')!;
  t.is(db.cpu, '');
  t.is(containerRows(list, usage).find((r) => r.name === 'cache')!.cpu, '50.0%');
  const s = { id: 'a', name: 'a', running: true, memoryUsage: 0, memoryLimit: 0, netRx: 0, netTx: 0, blkioRead: 0, blkioWrite: 0, pids: 1 };
  t.is(cpuPercent({ ...s, at: 1000, cpuUsageNs: 0 }, { ...s, at: 2000, cpuUsageNs: 5e8 }), 50);
});

test('images: a row per tag, shared-layer marks', (t) => {
  const rows = imageRows([
    { id: 'sha256:aaaa', repoTags: ['busybox:latest', 'bb:1'], created: undefined, size: 2e6, layers: ['l1'] },
    { id: 'sha256:bbbb', repoTags: [], created: undefined, size: 3e6, layers: ['l1', 'l2'] },
    { id: 'sha256:cccc', repoTags: ['alone:1'], created: undefined, size: 1e6, layers: ['l9'] },
  ]);
  t.deepEqual(rows.map((r) => `${r.repository}:${r.tag} ${r.sharedLayers}/${r.totalLayers}`), ['busybox:latest 1/1', 'bb:1 1/1', '<none>:<none> 1/2', 'alone:1 0/1']);
  t.is(rows[0].size, '2MB');
});

test('layer file tree shows unchanged parents once, for context', (t) => {
  const lines = fileTree([
    { path: 'etc/passwd', mark: 'M', type: 'file', size: 10 },
    { path: 'etc/ssl/cert', mark: 'A', type: 'file', size: 5 },
    { path: 'tmp', mark: 'D', type: 'whiteout', size: 0 },
  ]);
  t.deepEqual(lines.map((l) => `${l.mark || ' '} ${'  '.repeat(l.depth)}${l.name}`), ['  etc/', 'M   passwd', '  ssl/'.replace('  ssl', '    ssl'), 'A     cert', 'D tmp']);
});

test('processes as a tree, host and container PIDs side by side', (t) => {
  const rows = processRows([proc(100, 1, 50, 'sh'), proc(101, 2, 100, 'sleep 1'), proc(102, 3, 100, 'top'), proc(103, 4, 102, 'cat')]);
  t.deepEqual(rows.map((r) => `${r.pid}/${r.containerPid} ${r.command}`), ['100/1 sh', '101/2 ├─ sleep 1', '102/3 └─ top', '103/4    └─ cat']);
});

test('a command line with newlines and tabs stays on one row', (t) => {
  const [row] = processRows([proc(100, 1, 50, 'sh -c n=0\nwhile :;\tdo sleep 1; done')]);
  t.is(row.command, 'sh -c n=0 while :; do sleep 1; done');
});

// ---- stats charts (blessed-contrib's line chart on its braille canvas) ----

const isBraille = (c: string) => c >= '\u2801' && c <= '\u28ff';

/** Where `select`ed cells are, as [row, column] pairs, in rows of runs or segments. */
function cellsWhere<T extends { text: string }>(rows: readonly (readonly T[])[], select: (run: T, char: string) => boolean): [number, number][] {
  const found: [number, number][] = [];
  rows.forEach((row, r) => {
    let col = 0;
    for (const run of row) for (const char of run.text) {
      if (select(run, char)) found.push([r, col]);
      col++;
    }
  });
  return found;
}

/** The row of the leftmost and of the rightmost cell among `cells`. */
function endRows(cells: readonly [number, number][]): { left: number; right: number } {
  const byColumn = [...cells].sort((a, b) => a[1] - b[1]);
  return { left: byColumn[0][0], right: byColumn.at(-1)![0] };
}

/** The y axis labels of a chart, top to bottom, read from the cells left of the axis. */
function yLabels(rows: readonly Row[]): string[] {
  return rows.map((row) => rowText(row).split(/[\u2800-\u28ff]/)[0].trim()).filter((label) => /^[\d.]+$/.test(label));
}

const tenLabels = Array.from({ length: 10 }, (_, i) => `-${9 - i}s`);

test('drawLineChart: a rising series ends higher than it starts; axes and labels are blessed-contrib\'s', (t) => {
  const rows = drawLineChart({ series: [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]], xLabels: tenLabels, width: 40, height: 10, top: 10, step: 2 });
  t.is(rows.length, 10);
  for (const row of rows) t.is([...row.map((r) => r.text).join('')].length, 40);
  const line = cellsWhere(rows, (run) => run.ink === 0);
  t.true(line.length > 10, 'the series is drawn');
  t.true(line.every(([r, c]) => isBraille([...rows[r].map((x) => x.text).join('')][c])), 'in braille');
  const { left, right } = endRows(line);
  t.true(right < left, `rising: rightmost dots on row ${right}, leftmost on row ${left}`);
  const labels = yLabels(rows.map((row) => row.map((run) => ({ text: run.text }))));
  t.deepEqual(labels, ['10', '8', '6', '4', '2', '0'], 'labelled 0…top every step, top first');
  const axis = cellsWhere(rows, (run) => run.ink === 'axis');
  t.true(axis.some(([r]) => r === 8) && axis.filter(([r]) => r === 8).length > 30, 'the x axis runs along the second last row');
  t.regex(rows[9].map((r) => r.text).join(''), /-9s .*-1s/, 'x labels under the axis');
  const falling = drawLineChart({ series: [[9, 8, 7, 6, 5, 4, 3, 2, 1, 0]], xLabels: tenLabels, width: 40, height: 10, top: 10, step: 2 });
  const ends = endRows(cellsWhere(falling, (run) => run.ink === 0));
  t.true(ends.right > ends.left, 'falling: the right end is lower');
});

test('drawLineChart: two series keep their own ink; values beyond the axis are clamped, not drawn off the canvas', (t) => {
  const rows = drawLineChart({ series: [[1, 1, 1, 1], [9, 9, 9, 50]], xLabels: ['a', 'b', 'c', 'd'], width: 30, height: 8, top: 10, step: 5 });
  const low = cellsWhere(rows, (run) => run.ink === 0).map(([r]) => r);
  const high = cellsWhere(rows, (run) => run.ink === 1).map(([r]) => r);
  t.true(Math.min(...low) > Math.max(...high), 'series 0 (1) below series 1 (9)');
  t.true(Math.min(...high) >= 0);
  t.throws(() => drawLineChart({ series: [[1, 2]], xLabels: ['a'], width: 30, height: 8, top: 10, step: 5 }), { message: /one value per x label/ });
});

test('drawLineChart loads blessed-contrib without creating a blessed screen (Ink owns the terminal)', (t) => {
  drawLineChart({ series: [[1, 2]], xLabels: ['a', 'b'], width: 30, height: 6, top: 2, step: 1 });
  const blessed = createRequire(import.meta.url)('blessed') as { Screen: { total: number } };
  t.is(blessed.Screen.total, 0);
});

test('niceScale: 1, 2 or 5 × 10ⁿ steps up to a top at or above the maximum', (t) => {
  t.deepEqual(niceScale(96.3, 3, 0.25), { top: 100, step: 50 });
  t.deepEqual(niceScale(4.9, 3, 0.25), { top: 6, step: 2 });
  t.deepEqual(niceScale(80, 4, 0.25), { top: 80, step: 20 });
  t.deepEqual(niceScale(1000, 4, 1), { top: 1000, step: 500 });
  t.deepEqual(niceScale(0, 3, 0.25), { top: 0.25, step: 0.25 });
  t.deepEqual(niceScale(0.6, 3, 0.25), { top: 0.75, step: 0.25 });
  t.deepEqual(niceScale(3, 3, 1), { top: 3, step: 1 });
});

function sample(i: number, over: Partial<ContainerSample> = {}): ContainerSample {
  return { id: 'x', name: 'x', at: i * 2000, running: true, cpuUsageNs: 0, memoryUsage: 1e6, memoryLimit: 1e9, netRx: 0, netTx: 0, blkioRead: 0, blkioWrite: 0, pids: 1, ...over };
}

test('statsView: CPU % and byte rates per interval, ages as x labels', (t) => {
  const view = statsView([sample(0), sample(1, { cpuUsageNs: 1e9, netRx: 2000, blkioWrite: 500 }), sample(2, { cpuUsageNs: 1.5e9, netRx: 1000, pids: 3 })]);
  t.deepEqual(view.xLabels, ['-2s', 'now']);
  t.deepEqual(view.cpu, [50, 25]);
  t.deepEqual(view.netRx, [1000, 0], 'a counter going down (a restart) is 0, not negative');
  t.deepEqual(view.blkioWrite, [250, 0]);
  t.deepEqual(view.pids, [1, 3]);
});

/** The rows between a header starting with `title` and the next header. */
function chartOf(rows: readonly Row[], title: string): Row[] {
  const start = rows.findIndex((row) => row[0]?.style === 'header' && row[0].text === title);
  const end = rows.findIndex((row, i) => i > start && row[0]?.style === 'header');
  return rows.slice(start + 1, end < 0 ? undefined : end);
}

test('statsLines: CPU rising to 90% draws higher at the right, labelled up to 100; everything fits the pane', (t) => {
  // CPU % per 2 s interval: 0, 10, …, 90
  const samples = Array.from({ length: 11 }, (_, i) => sample(i, { cpuUsageNs: 2e9 * (i * (i - 1)) * 0.05, memoryUsage: 1e6 * (11 - i), pids: 2 }));
  const rows = statsLines(statsView(samples), 58, 36);
  t.true(rows.length <= 36);
  t.regex(rowText(rows[0]), /^CPU \(%\) +90\.0% · peak 90\.0%/);
  const cpu = chartOf(rows, 'CPU');
  t.is(cpu.length, 6);
  const labels = yLabels(cpu);
  t.is(labels[0], '100', 'the top label is the maximum rounded up to a step');
  t.is(labels.at(-1), '0');
  const { left, right } = endRows(cellsWhere(cpu, (seg, char) => seg.style === 'running' && isBraille(char)));
  t.true(right < left, 'rising');
  const memory = chartOf(rows, 'MEMORY');
  const falling = endRows(cellsWhere(memory, (seg, char) => seg.style === 'running' && isBraille(char)));
  t.true(falling.right > falling.left, 'memory falls from 10MB to 1MB');
  t.regex(rows.map(rowText).join('\n'), /MEMORY \(MB\) +1MB of 1GB/);
  for (const title of ['NETWORK', 'BLOCK I/O', 'PIDS']) t.true(chartOf(rows, title).length >= 5, title);
  t.true(rows.every((row) => row.every((seg) => !seg.text.includes('\x1b'))), 'styles, not escape codes: the theme decides colour (NO_COLOR → monochrome)');
  t.true(rows.flat().some((seg) => seg.style === 'dim' && /[\u2800-\u28ff]/.test(seg.text)), 'axes drawn dim');
});

test('statsLines: a short pane charts the first metrics and gives the rest one line; nothing to chart yet', (t) => {
  const samples = Array.from({ length: 5 }, (_, i) => sample(i, { cpuUsageNs: i * 1e9 }));
  const short = statsLines(statsView(samples), 78, 12);
  t.is(short.length, 12);
  t.deepEqual(short.filter((row) => row[0]?.style === 'header').map((row) => row[0].text), ['CPU', 'MEMORY', 'NETWORK', 'BLOCK I/O', 'PIDS']);
  t.is(chartOf(short, 'CPU').length, 7);
  t.is(chartOf(short, 'MEMORY').length, 0);
  t.is(statsLines(statsView(samples), 78, 5).length, 5, 'headers only');
  t.regex(statsLines(statsView([sample(0)]), 78, 20).map(rowText).join('\n'), /charts start with the next sample/);
  t.regex(rowText(statsLines(statsView([]), 78, 20)[0]), /no samples yet/);
  t.regex(rowText(statsLines(statsView([sample(0, { running: false })]), 78, 20)[0]), /not running/);
});

test('logs: lines split, control codes gone, matches highlighted', (t) => {
  const lines = logLines([{ stream: 'stdout', time: '', text: 'a\x1b[31mred\x1b[0m\r\nsecond\n' }]);
  t.deepEqual(lines.map((l) => l.text), ['ared', 'second']);
  t.deepEqual(matchingLines(lines, 'SEC'), [1]);
  t.deepEqual(highlight('one two one', 'one'), [{ text: 'one', style: 'match' }, { text: ' two ' }, { text: 'one', style: 'match' }]);
});

test('rows are fitted to the width exactly', (t) => {
  t.is(rowText(fitSegments([{ text: 'abc' }, { text: 'def' }], 4)), 'abc…');
  t.is(rowText(fitSegments([{ text: 'ab' }], 4)), 'ab  ');
  t.is(rowText(fitSegments([{ text: 'abcd' }], 4)), 'abcd');
});

test('command line: shell words, and which commands need the terminal', (t) => {
  t.deepEqual(shellWords(`run -dit --name "a b" busybox sh -c 'echo $x'`), ['run', '-dit', '--name', 'a b', 'busybox', 'sh', '-c', 'echo $x']);
  t.throws(() => shellWords('echo "x'));
  t.false(needsTerminal(['run', '-dit', '--name', 'x', 'busybox', 'sh']));
  t.true(needsTerminal(['run', '-it', 'busybox', 'sh']));
  t.true(needsTerminal(['run', 'busybox', 'echo', '-d']));
  t.true(needsTerminal(['attach', 'x']));
  t.true(needsTerminal(['exec', '-it', 'x', 'sh']));
  t.false(needsTerminal(['exec', 'x', 'ls', '-it']));
  t.false(needsTerminal(['ps', '-a']));
  t.true(needsTerminal(['container', 'attach', 'x']));
  t.false(needsTerminal(['start', 'x']));
  t.true(needsTerminal(['start', '-ai', 'x']));
});

test('berth config set, run after run: the CLI bundle loads conf with its code cache in use', (t) => {
  const dir = tempDir(t);
  for (const value of ['500', '600', '700']) {
    const run = spawnSync(path.join(repoRoot, 'bin/berth'), ['config', 'set', 'refreshMs', value], { env: { ...process.env, BERTH_CONFIG_DIR: dir }, encoding: 'utf8' });
    t.is(run.status, 0, run.stderr);
    t.is(run.stderr, '');
  }
  t.is(loadSettings(dir).settings.refreshMs, 700);
});

test('settings: defaults, a file of their own, validation, NO_COLOR', async (t) => {
  const dir = tempDir(t);
  const loaded = loadSettings(dir);
  t.deepEqual(loaded.settings, DEFAULT_SETTINGS);
  t.is(loaded.path, path.join(dir, 'config.json'));
  await loaded.set('keybindings', { stop: 'S' });
  await loaded.set('refreshMs', 500);
  t.deepEqual(loadSettings(dir).settings.keybindings, { stop: 'S' });
  t.is(loadSettings(dir).settings.refreshMs, 500);
  await t.throwsAsync(loaded.set('keybindings', { nope: 'x' }), { message: /unknown action/ });
  await t.throwsAsync(loaded.set('detachKeys', 'ctrl-'), { message: /Invalid detach keys/ });
  await t.throwsAsync(loaded.set('refreshMs', 5), { message: /refreshMs. must be >= 100/ });
  // A file conf would refuse is refused on reading too, with conf's wording.
  fs.writeFileSync(loaded.path, JSON.stringify({ theme: 'neon' }));
  t.throws(() => loadSettings(dir), { message: /Config schema violation: `theme` must be equal to one of the allowed values/ });
  t.is(effectiveTheme(DEFAULT_SETTINGS, { NO_COLOR: '1' }), 'monochrome');
  t.is(effectiveTheme(DEFAULT_SETTINGS, {}), 'default');
});
