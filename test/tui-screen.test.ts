/**
 * The FrameWriter's diff (src/app/tui/screen.ts): applied to a screen showing
 * one frame, an update must leave exactly the next frame, characters and
 * styles, while writing only what changed.
 */
import test from 'ava';
import { Chalk } from 'chalk';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cellsOf, FrameWriter, frameUpdate, lineUpdate, widthOf } from '../src/app/tui/screen.js';
import { ONE_COLUMN_EACH } from '../src/app/tui/string-width.js';
import { tiledOutput, type OutputOperation } from '../src/app/tui/tiled-output.js';
import { repoRoot } from './helpers/berth.js';

const COLS = 40;

/** Enough of a terminal for what screen.ts writes: cursor positions, erases, SGR, text. */
class Screen {
  cells: { ch: string; sgr: string }[][];
  private row = 0;
  private col = 0;
  private style = '';

  constructor(rows: number) {
    this.cells = Array.from({ length: rows }, () => this.blankRow());
  }

  private blankRow() {
    return Array.from({ length: COLS }, () => ({ ch: ' ', sgr: '' }));
  }

  feed(s: string): void {
    for (let i = 0; i < s.length; ) {
      const m = /^\x1b\[([?0-9;]*)([A-Za-z])/.exec(s.slice(i));
      if (m) {
        const [all, params, final] = m;
        const n = params.split(';').map(Number);
        if (final === 'H') [this.row, this.col] = params ? [n[0] - 1, n[1] - 1] : [0, 0];
        else if (final === 'J') this.cells = this.cells.map(() => this.blankRow());
        else if (final === 'K' && params === '2') this.cells[this.row] = this.blankRow();
        else if (final === 'K') for (let c = this.col; c < COLS; c++) this.cells[this.row][c] = { ch: ' ', sgr: '' };
        else if (final === 'm') this.style = params === '0' || params === '' ? '' : this.style + all;
        i += all.length;
        continue;
      }
      const ch = String.fromCodePoint(s.codePointAt(i)!);
      this.cells[this.row][this.col] = { ch, sgr: cellsOf(`${this.style}x`)![0].sgr };
      this.col = Math.min(this.col + 1, COLS - 1);
      i += ch.length;
    }
  }

  /** The screen as text, each styled run marked with its SGR parameters. */
  dump(): string[] {
    return this.cells.map((row) => row.map((c) => (c.sgr ? `{${c.sgr}}${c.ch}` : c.ch)).join('').trimEnd());
  }
}

function dumpOf(frame: string[]): string[] {
  const s = new Screen(frame.length);
  s.feed(frameUpdate(undefined, frame));
  return s.dump();
}

const bold = (t: string) => `\x1b[1m${t}\x1b[22m`;
const cyan = (t: string) => `\x1b[36m${t}\x1b[39m`;
const inverse = (t: string) => `\x1b[7m${t}\x1b[27m`;
const grey = (t: string) => `\x1b[90m${t}\x1b[39m`;

function frame(selected: number, names: string[], info: string): string[] {
  return [
    bold(cyan(`╭─ [1] Containers ${'─'.repeat(10)} ${info} ╮`)),
    ...names.map((n, i) => `${bold(cyan('│'))}${i === selected ? inverse(`${n.padEnd(12)}${grey('busybox')}`) : `${n.padEnd(12)}${grey('busybox')}`}  ${bold(cyan('│'))}`),
    bold(cyan(`╰${'─'.repeat(23)}╯`)),
  ];
}

test('SGR: attributes and colours are tracked; 22 ends bold and dim, 0 ends everything', (t) => {
  const cells = cellsOf('a\x1b[1;2mb\x1b[38;5;208mc\x1b[22md\x1b[0me')!;
  t.deepEqual(
    cells.map((c) => c.sgr),
    ['', '1;2', '1;2;38;5;208', '38;5;208', ''],
  );
  t.is(cellsOf('wide 漢字'), undefined, 'a wide character: the line is not taken apart');
  t.is(cellsOf('\x1b]8;;https://x\x07link'), undefined, 'an escape other than SGR');
});

test('an unchanged frame writes nothing', (t) => {
  const f = frame(1, ['alpha', 'beta', 'gamma'], '2 of 3');
  t.is(frameUpdate(f, [...f]), '');
});

test('moving the selection rewrites only the cells that change, and leaves the next frame on screen', (t) => {
  const names = ['alpha', 'beta', 'gamma', 'delta'];
  let shown = frame(0, names, '1 of 4');
  const screen = new Screen(shown.length);
  screen.feed(frameUpdate(undefined, shown));
  t.deepEqual(screen.dump(), dumpOf(shown));
  for (let i = 1; i < names.length; i++) {
    const next = frame(i, names, `${i + 1} of 4`);
    const update = frameUpdate(shown, next);
    screen.feed(update);
    t.deepEqual(screen.dump(), dumpOf(next), `after move ${i}`);
    t.true(update.length < 160, `move ${i} wrote ${update.length} bytes`);
    shown = next;
  }
});

test('lines that get shorter, longer, lose their styles or cannot be taken apart end up right', (t) => {
  const before = ['short', bold('styled line here'), 'plain text that is long', 'ascii', ''];
  const after = ['much longer line now', 'styled line here', 'plain', '漢字 wide', 'new'];
  const screen = new Screen(before.length);
  screen.feed(frameUpdate(undefined, before));
  screen.feed(frameUpdate(before, after));
  t.deepEqual(screen.dump(), dumpOf(after));
  t.regex(lineUpdate(3, 'ascii', '漢字 wide'), /\x1b\[4;1H\x1b\[2K漢字 wide/, 'the wide line is written whole');
});

test('a frame with fewer lines erases the rest', (t) => {
  const screen = new Screen(3);
  const before = ['one', 'two', 'three'];
  screen.feed(frameUpdate(undefined, before));
  screen.feed(frameUpdate(before, ['one']));
  t.deepEqual(screen.dump(), ['one', '', '']);
});

test('FrameWriter: updates after the first frame; a frame laid out for a bigger terminal is cut, and the next is drawn whole', (t) => {
  const out = Object.assign(new EventEmitter(), { columns: 10, rows: 2, written: [] as string[] });
  const stream = out as unknown as { write: (s: string) => boolean };
  stream.write = (s: string) => {
    out.written.push(s);
    return true;
  };
  const writer = new FrameWriter(out as unknown as NodeJS.WriteStream);
  writer.stream.write('hello\nworld');
  t.regex(out.written[0], /\x1b\[2J/, 'the first frame is drawn whole');
  writer.stream.write('hello\nworld');
  t.is(out.written.length, 1, 'an unchanged frame writes nothing');
  writer.stream.write('hello\nworlds');
  t.notRegex(out.written[1], /\x1b\[2J/);
  t.is(out.written[1].replace(/\x1b\[\?2026[hl]/g, ''), '\x1b[2;6Hs');
  writer.stream.write('a line far wider than ten\nb\nc');
  t.regex(out.written[2], /\x1b\[2J/);
  t.notRegex(out.written[2], /\x1b\[3;1H/, 'no row below the screen');
  writer.stream.write('fits\nnow');
  t.regex(out.written[3], /\x1b\[2J/, 'drawn whole after a frame that did not fit');
  out.emit('resize');
  writer.stream.write('fits\nnow');
  t.regex(out.written[4], /\x1b\[2J/, 'drawn whole after a resize');
  writer.close();
  writer.stream.write('after close');
  t.is(out.written.length, 5);
});

test('widthOf: lines of one-column characters measure as many cells as cellsOf takes them apart into', (t) => {
  const chars: string[] = [];
  for (let cp = 0x20; cp <= 0x3000; cp++) if (ONE_COLUMN_EACH.test(String.fromCodePoint(cp))) chars.push(String.fromCodePoint(cp));
  const lines = [chars.join(''), '\x1b[90m│\x1b[39m\x1b[1m\x1b[36mNAME\x1b[39m\x1b[22m ⣀⣤ ● ≥ 3× …\x1b[0m', ''];
  for (const line of lines) t.is(widthOf(line), cellsOf(line)!.length, JSON.stringify(line.slice(0, 30)));
  // what cellsOf refuses is still measured
  t.is(widthOf('日本 e\u0301'), 5);
  t.is(widthOf('\x1b]8;;http://x\x07link\x1b]8;;\x07'), 4);
});

test('tiledOutput: a frame of tiles is composed with the same cells as Ink composes it; anything else is left to Ink', async (t) => {
  const { default: Output } = (await import(pathToFileURL(path.join(repoRoot, 'node_modules/ink/build/output.js')).href)) as {
    default: new (o: { width: number; height: number }) => { operations: OutputOperation[]; write(x: number, y: number, text: string, o: { transformers: OutputOperation['transformers'] }): void; clip(c: object): void; get(): { output: string; height: number } };
  };
  const c = new Chalk({ level: 2 });
  const pane = (title: string, rows: string[], selected: number) =>
    [c.bold.cyan(`╭─ ${title} ─╮`), ...rows.map((r, i) => c.gray('│') + (i === selected ? c.inverse(r) : c.green(r.slice(0, 4)) + r.slice(4)) + c.gray('│')), c.gray('╰──────────╯')].join('\n');
  const identity = (line: string) => line;
  const cases: [number, number, [number, number, string, ((line: string, index: number) => string)[]][]][] = [
    // two panes side by side, one under the first, a dim status line (its style a transformer, as <Text dimColor> makes it)
    [
      40,
      12,
      [
        [0, 0, pane('[1] C', ['web  Up 3 min', 'db   Exited  ', ''.padEnd(13)], 1), [identity]],
        [16, 0, pane('[5] logs', ['hello world  ', '⣀⣤⣶⣿ ● ≥ 3× …', 'x'.repeat(13)], -1), [identity]],
        [0, 5, pane('[2] I', ['busybox late…'], 0), [identity]],
        [0, 11, 'q quit  ? help  : command', [(line) => c.dim(line)]],
      ],
    ],
    // a line with nothing on it, a text that ends short of the edge, unstyled text
    [20, 3, [[2, 1, 'plain', [identity]], [10, 2, c.red('red') + ' and ' + c.bgYellow.black('m'), [identity]]]],
  ];
  for (const [width, height, writes] of cases) {
    const ink = new Output({ width, height });
    for (const [x, y, text, transformers] of writes) ink.write(x, y, text, { transformers });
    const ours = tiledOutput(width, height, ink.operations);
    t.truthy(ours);
    const expected = ink.get();
    t.is(ours!.height, expected.height);
    t.deepEqual(ours!.output.split('\n').map(visibleCells), expected.output.split('\n').map(visibleCells));
  }
  // what only Ink composes
  const leftToInk = (width: number, build: (o: InstanceType<typeof Output>) => void) => {
    const o = new Output({ width, height: 3 });
    build(o);
    return tiledOutput(width, 3, o.operations);
  };
  t.is(leftToInk(20, (o) => (o.write(0, 0, 'abcdef', { transformers: [] }), o.write(3, 0, 'XY', { transformers: [] }))), undefined, 'overlapping texts');
  t.is(leftToInk(20, (o) => o.write(0, 0, '日本', { transformers: [] })), undefined, 'wide characters');
  t.is(leftToInk(20, (o) => o.write(0, 0, '\x1b]8;;http://x\x07link\x1b]8;;\x07', { transformers: [] })), undefined, 'escapes other than colours');
  t.is(leftToInk(4, (o) => o.write(2, 0, 'long', { transformers: [] })), undefined, 'a text past the edge');
  t.is(leftToInk(20, (o) => (o.clip({ x1: 0, x2: 5 }), o.write(0, 0, 'clipped', { transformers: [] }))), undefined, 'clipping');
});

/** A frame line's cells as a terminal shows them: a space in no colour of its own is blank, and blanks at the end are dropped. */
function visibleCells(line: string): string[] {
  const cells = cellsOf(line)!.map((cell) => (cell.ch === ' ' && !/(^|;)(7|4[0-7]|10[0-7]|48;[0-9;]+)(;|$)/.test(cell.sgr) ? ' ' : `${cell.ch}${cell.sgr}`));
  while (cells.at(-1) === ' ') cells.pop();
  return cells;
}
