/**
 * The TUI's pure parts: the keymap table (remapping, key names, help, docs),
 * selection and layout maths, and the view-models of every pane.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { buildKeymap, DEFAULT_KEYMAP, helpSections, keymapMarkdown, resolveKey } from '../src/app/tui/keymap.js';
import { moveSelection, scrollOffset } from '../src/app/tui/view-models/list.js';
import { computeLayout } from '../src/app/tui/view-models/layout.js';
import { containerRows, cpuPercent } from '../src/app/tui/view-models/containers.js';
import { imageRows } from '../src/app/tui/view-models/images.js';
import { fileTree } from '../src/app/tui/view-models/layers.js';
import { processRows } from '../src/app/tui/view-models/processes.js';
import { chart, sparkline } from '../src/app/tui/view-models/stats.js';
import { highlight, logLines, matchingLines } from '../src/app/tui/view-models/logs.js';
import { fitSegments, rowText } from '../src/app/tui/view-models/segments.js';
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

test('sparkline and chart scale to the maximum', (t) => {
  t.is(sparkline([0, 4, 8], 5), '  ' + ' ▄█');
  t.deepEqual(chart([0, 8, 16], 3, 2), [' ▁█'.replace('▁', ' '), ' ██']);
  t.is(sparkline([], 3), '   ');
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

test('settings: defaults, a file of their own, validation, NO_COLOR', (t) => {
  const dir = tempDir(t);
  const loaded = loadSettings(dir);
  t.deepEqual(loaded.settings, DEFAULT_SETTINGS);
  t.is(loaded.path, path.join(dir, 'config.json'));
  loaded.set('keybindings', { stop: 'S' });
  loaded.set('refreshMs', 500);
  t.deepEqual(loadSettings(dir).settings.keybindings, { stop: 'S' });
  t.is(loadSettings(dir).settings.refreshMs, 500);
  t.throws(() => loaded.set('keybindings', { nope: 'x' }), { message: /unknown action/ });
  t.throws(() => loaded.set('detachKeys', 'ctrl-'), { message: /Invalid detach keys/ });
  t.is(effectiveTheme(DEFAULT_SETTINGS, { NO_COLOR: '1' }), 'monochrome');
  t.is(effectiveTheme(DEFAULT_SETTINGS, {}), 'default');
});
