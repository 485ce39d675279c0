/**
 * The TUI through ink-testing-library: every pane's frame, key handling
 * (including remapped keys), overlays, layout at 80×24 and below, and no
 * redraw when a refresh finds nothing changed. Driven by the in-memory
 * client; waits are on frames or client reads, never on time.
 */
import test from 'ava';
import { cleanup, render } from 'ink-testing-library';
import { App, type Handoff } from '../src/app/tui/App.js';
import { MemoryClient, container, proc } from '../src/app/tui/memory-client.js';
import { DEFAULT_SETTINGS, type Settings } from '../src/app/tui/settings.js';
import { analyzeLayers } from '../src/engine/images/analysis.js';
import { ContainersPane } from '../src/panes/ContainersPane.js';
import { ImagesPane } from '../src/panes/ImagesPane.js';
import { LayersPane } from '../src/panes/LayersPane.js';
import { ProcessesPane } from '../src/panes/ProcessesPane.js';
import { DetailPane } from '../src/panes/DetailPane.js';
import { HelpOverlay } from '../src/panes/HelpOverlay.js';
import { makeTheme } from '../src/app/tui/theme.js';
import { containerRows } from '../src/app/tui/view-models/containers.js';
import { imageRows } from '../src/app/tui/view-models/images.js';
import { layerRows } from '../src/app/tui/view-models/layers.js';
import { processRows } from '../src/app/tui/view-models/processes.js';
import { buildKeymap } from '../src/app/tui/keymap.js';
import { statsLines, statsView } from '../src/app/tui/view-models/stats.js';
import type { ContainerSample } from '../src/app/tui/client.js';

const theme = makeTheme('monochrome');
test.after.always(cleanup);
const ESC = '\x1b';

/** Lets Ink's input handling, effects and renders run; resolves as soon as `check` holds (at most 500 turns of the event loop). */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`never: ${what}`);
}

function world(Client: typeof MemoryClient = MemoryClient): MemoryClient {
  const client = new Client({
    containers: [
      container({ id: 'c1'.padEnd(64, '0'), name: 'web', state: 'running' }),
      container({ id: 'c2'.padEnd(64, '0'), name: 'db', state: 'exited', status: 'Exited (137) 2 seconds ago' }),
    ],
    images: [
      { id: 'sha256:' + 'a'.repeat(64), repoTags: ['busybox:latest'], created: undefined, size: 2_000_000, layers: ['l1'] },
      { id: 'sha256:' + 'b'.repeat(64), repoTags: ['app:1'], created: undefined, size: 3_000_000, layers: ['l1', 'l2'] },
    ],
  });
  client.processes.set('c1'.padEnd(64, '0'), [proc(4242, 1, 4000, 'sh'), proc(4243, 7, 4242, 'sleep 100')]);
  client.logLines.set('c1'.padEnd(64, '0'), [
    { stream: 'stdout', time: '', text: 'hello world\n' },
    { stream: 'stderr', time: '', text: 'warning: disk\n' },
  ]);
  client.layerData.set('sha256:' + 'a'.repeat(64), {
    imageId: 'sha256:' + 'a'.repeat(64),
    layers: [{ chainId: 'l1', size: 2_000_000, createdBy: '/bin/sh -c #(nop) ADD file:abc in /', created: undefined }],
    analysis: analyzeLayers([[{ path: 'bin', type: 'dir', size: 0 }, { path: 'bin/busybox', type: 'file', size: 2_000_000 }]]),
  });
  return client;
}

function app(client: MemoryClient, options: { settings?: Partial<Settings>; size?: { cols: number; rows: number }; handoffs?: Handoff[]; quit?: () => void } = {}) {
  return render(
    <App
      client={client}
      settings={{ ...DEFAULT_SETTINGS, refreshMs: 0, theme: 'monochrome', ...options.settings }}
      size={options.size ?? { cols: 120, rows: 40 }}
      logPollMs={0}
      onHandoff={(h) => options.handoffs?.push(h)}
      onQuit={options.quit}
    />,
  );
}

// ---- panes on their own ----

test('containers pane: columns, status, selection count, filter in the title', (t) => {
  const rows = containerRows(world().containerList, new Map([['c1'.padEnd(64, '0'), { cpu: 12.5, memory: 3e6 }]]));
  const { lastFrame } = render(<ContainersPane rows={rows} selected={1} width={90} height={6} focused filter="" sort="name" theme={theme} />);
  const frame = lastFrame()!;
  t.regex(frame, /\[1\] Containers/);
  t.regex(frame, /NAME +IMAGE +STATUS +CPU +MEM/);
  t.regex(frame, /web +busybox:latest +Up 3 minutes +12\.5% +3MB/);
  t.regex(frame, /db .*Exited \(137\) 2 seconds ago/);
  t.regex(frame, /2 of 2/);
  const filtered = render(<ContainersPane rows={[]} selected={0} width={90} height={6} focused={false} filter="zzz" sort="cpu" theme={theme} />).lastFrame()!;
  t.regex(filtered, /\/zzz/);
  t.regex(filtered, /no container matches the filter/);
  t.regex(filtered, /↓cpu/);
});

test('images pane: repository, tag, ID, size, shared-layer mark', (t) => {
  const { lastFrame } = render(<ImagesPane rows={imageRows(world().imageList)} selected={0} width={100} height={6} focused filter="" theme={theme} />);
  const frame = lastFrame()!;
  t.regex(frame, /REPOSITORY +TAG +IMAGE ID +CREATED +SIZE +SHARE/);
  t.regex(frame, /busybox +latest +aaaaaaaaaaaa +N\/A +2MB +●1\/1/);
  t.regex(frame, /app +1 +bbbbbbbbbbbb +N\/A +3MB +●1\/2/);
});

test('layers pane: size and CREATED BY bottom to top', async (t) => {
  const layers = await world().layers('sha256:' + 'a'.repeat(64));
  const frame = render(<LayersPane rows={layerRows(layers)} selected={0} width={80} height={5} focused image="busybox:latest" loading={false} theme={theme} />).lastFrame()!;
  t.regex(frame, /\[3\] Layers of busybox:latest/);
  t.regex(frame, /1 +2MB +ADD file:abc in \//);
});

test('processes pane: host PID and container PID side by side, as a tree', (t) => {
  const rows = processRows([proc(4242, 1, 4000, 'sh'), proc(4243, 7, 4242, 'sleep 100')]);
  const frame = render(<ProcessesPane rows={rows} selected={0} width={80} height={6} focused container="web" note="" theme={theme} />).lastFrame()!;
  t.regex(frame, /PID +CPID +USER/);
  t.regex(frame, /4242 +1 +root .* sh/);
  t.regex(frame, /4243 +7 +root .*└─ sleep 100/);
  const none = render(<ProcessesPane rows={[]} selected={0} width={80} height={6} focused={false} container="db" note="db is not running" theme={theme} />).lastFrame()!;
  t.regex(none, /db is not running/);
});

test('detail pane: tabs, follows the end, scrolls', (t) => {
  const lines = Array.from({ length: 30 }, (_, i) => [{ text: `line ${i}` }]);
  const follow = render(<DetailPane title="web" tabs={['logs', 'inspect']} activeTab="logs" lines={lines} scroll={undefined} width={60} height={8} focused theme={theme} />).lastFrame()!;
  t.regex(follow, /\[logs\] │ inspect/);
  t.regex(follow, /line 29/);
  t.notRegex(follow, /line 20\b/);
  t.regex(follow, /26-30 of 30/);
  const top = render(<DetailPane title="web" lines={lines} scroll={0} width={60} height={8} focused={false} theme={theme} />).lastFrame()!;
  t.regex(top, /line 0/);
  t.notRegex(top, /line 29/);
});

test('help overlay lists the keymap, remapped keys included', (t) => {
  const frame = render(<HelpOverlay keymap={buildKeymap({ stop: 'S' })} detachKeys="ctrl-x,x" width={100} height={40} theme={theme} />).lastFrame()!;
  t.regex(frame, /S +stop/);
  t.regex(frame, /a +attach/);
  t.regex(frame, /ctrl-x,x detaches/);
});

/** A client whose containers use 10 percentage points more CPU at every refresh (one second apart). */
class RisingCpuClient extends MemoryClient {
  private tick = 0;
  override stats(id: string): ContainerSample {
    const i = this.tick++;
    return { ...super.stats(id), at: i * 1000, cpuUsageNs: 0.05e9 * i * (i - 1), memoryUsage: 2e6 };
  }
}

function risingSamples(count: number): ContainerSample[] {
  const client = new RisingCpuClient();
  return Array.from({ length: count }, () => client.stats('web'));
}

/** The chart under the header `title` in a pane's text: its rows, without the frame's borders. */
function chartText(lines: readonly string[], title: string): string[] {
  const start = lines.findIndex((l) => l.startsWith(title));
  const end = lines.findIndex((l, i) => i > start && /^[A-Z][A-Z /]+( \(|  )/.test(l));
  return lines.slice(start + 1, end);
}

/** Rows of the chart's line (braille minus the axes), leftmost and rightmost. */
function lineEnds(chart: readonly string[]): { left: number; right: number } {
  const braille = /[\u2800-\u28ff]/;
  const counts = chart.map((l) => [...l].filter((c) => braille.test(c)).length);
  const xAxis = counts.indexOf(Math.max(...counts));
  const yAxis = Math.min(...chart.map((l) => [...l].findIndex((c) => braille.test(c))).filter((c) => c >= 0));
  const dots: [number, number][] = [];
  chart.forEach((l, r) => [...l].forEach((c, col) => r !== xAxis && col > yAxis && braille.test(c) && dots.push([r, col])));
  dots.sort((a, b) => a[1] - b[1]);
  return { left: dots[0][0], right: dots.at(-1)![0] };
}

test('detail pane shows the stats charts as text: colours from the theme, none in monochrome', (t) => {
  const lines = statsLines(statsView(risingSamples(8)), 58, 36);
  const mono = render(<DetailPane title="web" tabs={['logs', 'stats']} activeTab="stats" lines={lines} scroll={undefined} width={60} height={39} focused theme={theme} />).lastFrame()!;
  t.false(mono.includes('\x1b'), 'no escape codes leak from the canvas');
  const text = mono.split('\n').map((l) => [...l].slice(1, -1).join(''));
  t.regex(text[1], /\[stats\]/);
  const cpu = chartText(text, 'CPU');
  t.is(cpu.length, 6);
  const ends = lineEnds(cpu);
  t.true(ends.right < ends.left, `rising: right end on row ${ends.right}, left end on row ${ends.left}`);
  t.regex(cpu[0], /^ *60 *[\u2800-\u28ff]/, 'the top y label is the peak: 60%');
  // ink-testing-library's output has no colours (not a TTY), so check what the theme makes of the chart's styles
  const chartStyles = new Set(lines.flat().filter((seg) => /[\u2800-\u28ff]/.test(seg.text)).map((seg) => seg.style));
  t.deepEqual([...chartStyles].sort(), ['accent', 'dim', 'running'], 'two series and the axes');
  for (const style of chartStyles) {
    t.truthy(makeTheme('default')[style!].color, `${style} is coloured by default`);
    t.is(theme[style!].color, undefined, `${style} has no colour in monochrome`);
  }
});

// ---- the whole TUI ----

test('80×24: all four list panes and the detail pane show, stacked', (t) => {
  const { lastFrame } = app(world(), { size: { cols: 80, rows: 24 } });
  const frame = lastFrame()!;
  for (const title of ['[1] Containers', '[2] Images', '[3] Layers', '[4] Processes', '[5] db']) t.true(frame.includes(title), title);
  const lines = frame.split('\n');
  t.is(lines.length, 24);
  t.true(lines.every((l) => [...l].length <= 80));
});

test('below 80×24 a clear message instead of panes; q still quits', async (t) => {
  let quit = false;
  const { lastFrame, stdin } = app(world(), { size: { cols: 60, rows: 20 }, quit: () => (quit = true) });
  t.regex(lastFrame()!, /Terminal too small: 60×20\. berth needs at least 80×24/);
  stdin.write('q');
  await until(() => quit, 'quit');
  t.pass();
});

test('j/k, Tab and 1–4 move selection and focus; the detail pane follows the selection', async (t) => {
  const client = world();
  const { lastFrame, stdin } = app(client);
  t.regex(lastFrame()!, /\[5\] db/); // sorted by name: db first
  stdin.write('j');
  await until(() => lastFrame()!.includes('[5] web'), 'web selected');
  await until(() => lastFrame()!.includes('hello world'), 'logs of web');
  t.regex(lastFrame()!, /4242 +1 +root/);
  stdin.write('k');
  await until(() => lastFrame()!.includes('[5] db'), 'back to db');
  stdin.write('G');
  await until(() => lastFrame()!.includes('[5] web'), 'G: last row');
  stdin.write('2');
  await until(() => lastFrame()!.includes('Layer 1 contents'), 'images focus shows layer files');
  await until(() => lastFrame()!.includes('busybox'), 'layer file tree');
  t.regex(lastFrame()!, /Efficiency 100\.0%/);
  t.regex(lastFrame()!, /A +bin\//);
  stdin.write('\t'); // → layers
  stdin.write('\t'); // → processes: the container's detail again
  await until(() => lastFrame()!.includes('[5] web'), 'processes focus shows the container');
  stdin.write(`${ESC}[Z`); // shift-tab → layers
  await until(() => lastFrame()!.includes('Layer 1 contents'), 'shift-tab back to layers');
});

test('detail tabs: ] cycles logs → inspect → stats → diff', async (t) => {
  const client = world();
  const { lastFrame, stdin } = app(client);
  stdin.write('j');
  await until(() => lastFrame()!.includes('[logs]'), 'logs tab');
  stdin.write(']');
  await until(() => lastFrame()!.includes('[inspect]'), 'inspect tab');
  await until(() => lastFrame()!.includes('"Status": "running"'), 'inspect JSON');
  stdin.write(']');
  await until(() => lastFrame()!.includes('[stats]'), 'stats tab');
  stdin.write(']');
  await until(() => lastFrame()!.includes('A /tmp/new'), 'diff');
  t.pass();
});

test('stats tab: blessed-contrib line charts of the samples so far; rising CPU is drawn higher at the right', async (t) => {
  const client = world(RisingCpuClient);
  const { lastFrame, stdin } = app(client, { settings: { refreshMs: 5 } });
  stdin.write('j');
  await until(() => lastFrame()!.includes('[5] web'), 'web');
  stdin.write(']');
  stdin.write(']');
  await until(() => lastFrame()!.includes('[stats]'), 'stats tab');
  await client.nextReads(6);
  await until(() => Number(/peak ([\d.]+)%/.exec(lastFrame()!)?.[1]) >= 10, 'a CPU peak of 10% or more');
  const frame = lastFrame()!;
  const detail = frame.split('\n').map((l) => [...l].slice(61, 119).join(''));
  for (const title of ['CPU (%)', 'MEMORY (MB)', 'NETWORK (B/s)', 'BLOCK I/O (B/s)', 'PIDS']) t.true(detail.some((l) => l.startsWith(title)), title);
  const cpu = chartText(detail, 'CPU');
  const ends = lineEnds(cpu);
  t.true(ends.right < ends.left, `rising: right end on row ${ends.right}, left end on row ${ends.left}`);
  const peak = Number(/peak ([\d.]+)%/.exec(detail.find((l) => l.startsWith('CPU'))!)![1]);
  const top = Number(cpu[0].trim().split(/[\u2800-\u28ff]/)[0]);
  t.true(top >= peak && top < peak * 2.5, `top label ${top} for a peak of ${peak}`);
  t.true(frame.split('\n').every((l) => [...l].length <= 120));
});

test('logs: / searches and highlights, n jumps to a match', async (t) => {
  const client = world();
  const { lastFrame, stdin } = app(client);
  stdin.write('j');
  stdin.write('l'); // logs: focus the detail pane on the Logs tab
  await until(() => lastFrame()!.includes('hello world'), 'logs');
  stdin.write('/');
  await until(() => lastFrame()!.includes('search logs:'), 'search prompt');
  stdin.write('disk');
  stdin.write('\r');
  await until(() => lastFrame()!.includes('/disk: 1 matching line'), 'search result');
  stdin.write('n');
  await until(() => !lastFrame()!.includes('no match'), 'n');
  t.pass();
});

test('container verbs go to the client; d asks first', async (t) => {
  const client = world();
  const { lastFrame, stdin } = app(client);
  const web = 'c1'.padEnd(64, '0');
  stdin.write('j');
  await until(() => lastFrame()!.includes('[5] web'), 'web');
  for (const key of ['s', 'r', 'p', 'K']) stdin.write(key);
  await until(() => client.calls.length === 4, 'four calls');
  t.deepEqual(client.calls, [`stop ${web}`, `restart ${web}`, `pause ${web}`, `kill ${web}`]);
  stdin.write('d');
  await until(() => lastFrame()!.includes('delete container web (running: it will be killed)? (y/n)'), 'confirmation');
  stdin.write('n');
  await until(() => lastFrame()!.includes('cancelled'), 'cancelled');
  t.is(client.calls.length, 4);
  stdin.write('d');
  await until(() => lastFrame()!.includes('(y/n)'), 'confirmation again');
  stdin.write('y');
  await until(() => client.calls.length === 5, 'rm');
  t.is(client.calls[4], `rm ${web}`);
});

test('remapped keys: stop on S, s does nothing; down on n', async (t) => {
  const client = world();
  const { lastFrame, stdin } = app(client, { settings: { keybindings: { stop: 'S', down: 'n' } } });
  stdin.write('j');
  stdin.write('n');
  await until(() => lastFrame()!.includes('[5] web'), 'n moves down');
  stdin.write('s');
  stdin.write('S');
  await until(() => client.calls.length > 0, 'stop');
  t.deepEqual(client.calls, [`stop ${'c1'.padEnd(64, '0')}`]);
  stdin.write('?');
  await until(() => lastFrame()!.includes('Help'), 'help');
  t.regex(lastFrame()!, /S +stop/);
});

test('a and e hand the terminal over; e asks for the command, /bin/sh by default', async (t) => {
  const handoffs: Handoff[] = [];
  const { lastFrame, stdin } = app(world(), { handoffs });
  stdin.write('j');
  await until(() => lastFrame()!.includes('[5] web'), 'web');
  stdin.write('a');
  await until(() => handoffs.length === 1, 'attach');
  t.like(handoffs[0], { kind: 'attach', name: 'web' });
  stdin.write('e');
  await until(() => lastFrame()!.includes('exec in web: /bin/sh'), 'exec prompt');
  stdin.write('\r');
  await until(() => handoffs.length === 2, 'exec');
  t.deepEqual(handoffs[1], { kind: 'exec', id: 'c1'.padEnd(64, '0'), name: 'web', cmd: ['/bin/sh'] });
  stdin.write('k'); // db is exited
  stdin.write('a');
  await until(() => lastFrame()!.includes('db is not running'), 'refused');
  t.is(handoffs.length, 2, JSON.stringify(handoffs));
});

test('R runs from the selected image through a form', async (t) => {
  const client = world();
  const handoffs: Handoff[] = [];
  const { lastFrame, stdin } = app(client, { handoffs });
  stdin.write('2');
  stdin.write('R');
  await until(() => lastFrame()!.includes('Run busybox:latest'), 'form');
  stdin.write('box');
  stdin.write('\t');
  stdin.write('sleep 9');
  stdin.write('\t');
  await until(() => lastFrame()!.includes('▶ ports'), 'the ports field');
  stdin.write('8080:80');
  stdin.write('\t');
  stdin.write('data:/data');
  stdin.write('\t');
  stdin.write('A=1');
  stdin.write('\t');
  stdin.write(' '); // -it → -d
  await until(() => lastFrame()!.includes('(•) -d background'), 'detached mode');
  stdin.write('\r');
  await until(() => client.calls.length === 1, 'run');
  t.deepEqual(JSON.parse(client.calls[0].slice(4)), {
    image: 'busybox:latest', name: 'box', command: 'sleep 9', ports: '8080:80', volumes: 'data:/data', env: 'A=1', interactive: false,
  });
  t.is(handoffs.length, 0);
});

test(': runs CLI commands; interactive ones hand the terminal over', async (t) => {
  const client = world();
  const handoffs: Handoff[] = [];
  const { lastFrame, stdin } = app(client, { handoffs });
  stdin.write(':');
  await until(() => lastFrame()!.includes(':█'), 'command prompt');
  stdin.write('run -dit --name x busybox sh');
  stdin.write('\r');
  await until(() => client.calls.includes('command run -dit --name x busybox sh'), 'run verb');
  await until(() => lastFrame()!.includes('done'), 'output in the status line');
  stdin.write(':');
  stdin.write('ps');
  stdin.write('\r');
  await until(() => lastFrame()!.includes('berth ps (exit 0)'), 'multi-line output overlay');
  stdin.write('x');
  stdin.write(':');
  stdin.write('attach x');
  stdin.write('\r');
  await until(() => handoffs.length === 1, 'attach handed over');
  t.deepEqual(handoffs[0], { kind: 'command', argv: ['attach', 'x'] });
});

test('/ filters the focused list; escape clears it; o cycles the sort', async (t) => {
  const { lastFrame, stdin } = app(world());
  stdin.write('/');
  stdin.write('we');
  stdin.write('\r');
  await until(() => lastFrame()!.includes('/we'), 'filter shown');
  const containerLines = () => lastFrame()!.split('\n').slice(2, 4).join('\n');
  t.notRegex(containerLines(), /│db /);
  stdin.write(ESC);
  await until(() => /│db /.test(containerLines()), 'filter cleared');
  stdin.write('o');
  await until(() => lastFrame()!.includes('↓status'), 'sorted by status');
});

test('a refresh that finds nothing changed draws nothing; a change draws once', async (t) => {
  const client = world();
  const { frames, lastFrame } = app(client, { settings: { refreshMs: 5 } });
  await client.nextReads(3);
  await until(() => lastFrame()!.includes('[5] db'), 'settled');
  const before = frames.length;
  await client.nextReads(5);
  t.is(frames.length, before, 'unchanged data, no new frames');
  client.containerList[0] = { ...client.containerList[0], status: 'Up 4 minutes' };
  await until(() => lastFrame()!.includes('Up 4 minutes'), 'change drawn');
  t.true(frames.length > before);
});
