/**
 * What reaches the terminal: only the cells that changed since the last frame.
 *
 * Ink draws a full-screen app by clearing the terminal and writing every
 * line again on each render (once its output is as tall as the terminal,
 * log-update's erase-and-rewrite is skipped for `clearTerminal` + frame):
 * about 8 KB a frame at 120×40, twice per key. So Ink runs in debug mode,
 * where each render is written as one plain frame (its documented
 * behaviour: "each update will be rendered as separate output"), into a
 * stream of ours that compares the frame with the previous one, line by
 * line and then cell by cell, and writes only the changed runs of cells,
 * each placed with a cursor position and drawn with its full SGR style.
 * Nothing is written when nothing changed. Each frame is written as Ink
 * produces it: deferring it (to coalesce frames of one tick) would put it
 * behind the passive effects React has queued, such as the polls that run
 * when the selection changes, and so add their time to a key's latency.
 *
 * Lines are taken apart only when every character is one cell wide and the
 * only escapes are SGR; anything else (wide characters, combining marks,
 * other escapes) makes that line be written whole.
 */

import { ONE_COLUMN_EACH } from './string-width.js';

const ESC = '\x1b';
const SGR = /\x1b\[[0-9;]*m/g;
/** synchronized output (mode 2026): the terminal shows the update at once; ignored by terminals without it */
const BEGIN_SYNC = `${ESC}[?2026h`;
const END_SYNC = `${ESC}[?2026l`;
const RESET = `${ESC}[0m`;
const ERASE_LINE = `${ESC}[2K`;
const ERASE_TO_END = `${ESC}[K`;
/** while the TUI draws: no cursor, and no autowrap, so a line wider than the terminal (a frame laid out before a resize) is cut, never scrolls the screen */
export const DRAW_MODES = `${ESC}[?25l${ESC}[?7l`;
/** what a shell or a container expects back */
export const NORMAL_MODES = `${ESC}[?7h${ESC}[?25h`;

/** Unchanged cells between two changed runs that are cheaper to rewrite than to jump over. */
const MERGE_GAP = 8;

const at = (row: number, col: number) => `${ESC}[${row + 1};${col + 1}H`;

/** One cell: its character and the full SGR parameters it is drawn with ('' for none). */
interface Cell {
  ch: string;
  sgr: string;
}

interface Style {
  flags: Set<number>;
  fg: string;
  bg: string;
}

const FLAG_ON: Record<number, true> = { 1: true, 2: true, 3: true, 4: true, 5: true, 7: true, 8: true, 9: true, 53: true };
/** SGR codes that switch attributes off, and what each switches off */
const FLAG_OFF: Record<number, number[]> = { 21: [1], 22: [1, 2], 23: [3], 24: [4], 25: [5], 27: [7], 28: [8], 29: [9], 55: [53] };

/** Applies one SGR sequence's parameters to `style`; false when it holds something not understood. */
function applySgr(style: Style, params: string): boolean {
  const codes = params === '' ? [0] : params.split(';').map(Number);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (Number.isNaN(c)) return false;
    if (c === 0) {
      style.flags.clear();
      style.fg = '';
      style.bg = '';
    } else if (FLAG_ON[c]) style.flags.add(c);
    else if (FLAG_OFF[c]) for (const f of FLAG_OFF[c]) style.flags.delete(f);
    else if ((c >= 30 && c <= 37) || (c >= 90 && c <= 97)) style.fg = String(c);
    else if (c === 39) style.fg = '';
    else if ((c >= 40 && c <= 47) || (c >= 100 && c <= 107)) style.bg = String(c);
    else if (c === 49) style.bg = '';
    else if (c === 38 || c === 48) {
      const n = codes[i + 1] === 5 ? 3 : codes[i + 1] === 2 ? 5 : 0;
      if (n === 0 || i + n > codes.length) return false;
      const value = codes.slice(i, i + n).join(';');
      if (c === 38) style.fg = value;
      else style.bg = value;
      i += n - 1;
    } else return false;
  }
  return true;
}

function sgrOf(style: Style): string {
  return [...[...style.flags].sort((a, b) => a - b), style.fg, style.bg].filter((p) => p !== '').join(';');
}

/** True for a code point a terminal draws in exactly one cell. */
function narrow(cp: number): boolean {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return false;
  if (cp < 0x300) return true;
  if (cp <= 0x36f) return false; // combining marks
  if (cp >= 0x1100 && cp <= 0x115f) return false; // Hangul Jamo: wide
  if ((cp >= 0x1ab0 && cp <= 0x1aff) || (cp >= 0x1dc0 && cp <= 0x1dff) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x20d0 && cp <= 0x20ff)) return false;
  return cp < 0x2e80; // box drawing, arrows, blocks, geometric shapes, … are narrow; CJK and beyond may not be
}

/** A line as cells, or undefined when it cannot safely be taken apart. */
export function cellsOf(line: string): Cell[] | undefined {
  const cells: Cell[] = [];
  const style: Style = { flags: new Set(), fg: '', bg: '' };
  let sgr = '';
  for (let i = 0; i < line.length; ) {
    if (line[i] === ESC) {
      const m = /^\x1b\[([0-9;]*)m/.exec(line.slice(i, i + 40));
      if (!m || !applySgr(style, m[1])) return undefined;
      sgr = sgrOf(style);
      i += m[0].length;
      continue;
    }
    const cp = line.codePointAt(i)!;
    if (!narrow(cp)) return undefined;
    const ch = String.fromCodePoint(cp);
    cells.push({ ch, sgr });
    i += ch.length;
  }
  return cells;
}

const BLANK: Cell = { ch: ' ', sgr: '' };

/** Cells a line takes; for a line that cannot be taken apart, its characters without escapes (wide ones count once). */
export function widthOf(line: string): number {
  // the TUI's lines: one-column characters and colours, measured without taking them apart
  const text = line.replace(SGR, '');
  if (ONE_COLUMN_EACH.test(text)) return text.length;
  return cellsOf(line)?.length ?? [...line.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g, '')].length;
}

/** Writes cells [from, to) of `cells` at row `row`, each run in its own full style, ending unstyled. */
function drawRun(row: number, cells: readonly Cell[], from: number, to: number): string {
  let out = at(row, from);
  let sgr = '';
  for (let i = from; i < to; i++) {
    const cell = cells[i] ?? BLANK;
    if (cell.sgr !== sgr) {
      out += `${ESC}[0${cell.sgr ? `;${cell.sgr}` : ''}m`;
      sgr = cell.sgr;
    }
    out += cell.ch;
  }
  return sgr ? out + RESET : out;
}

/** What turns row `row` from `before` into `after`: changed runs of cells, or the whole line. */
export function lineUpdate(row: number, before: string, after: string): string {
  if (before === after) return '';
  const a = cellsOf(before);
  const b = cellsOf(after);
  if (!a || !b) return `${at(row, 0)}${ERASE_LINE}${after}${RESET}`;
  const same = (i: number) => {
    const x = a[i] ?? BLANK;
    const y = b[i] ?? BLANK;
    return x.ch === y.ch && x.sgr === y.sgr;
  };
  const width = Math.max(a.length, b.length);
  const runs: [number, number][] = [];
  for (let i = 0; i < width; i++) {
    if (same(i)) continue;
    let j = i + 1;
    while (j < width && !same(j)) j++;
    const last = runs.at(-1);
    if (last && i - last[1] <= MERGE_GAP) last[1] = j;
    else runs.push([i, j]);
    i = j;
  }
  let out = '';
  for (const [from, to] of runs) {
    // past the end of the new line: erase rather than draw blanks
    if (to > b.length && from >= b.length) out += `${at(row, from)}${ERASE_TO_END}`;
    else if (to > b.length) out += drawRun(row, b, from, b.length) + ERASE_TO_END;
    else out += drawRun(row, b, from, to);
  }
  return out;
}

/** What turns the screen showing `before` (undefined: unknown) into `after`, lines split on "\n". */
export function frameUpdate(before: readonly string[] | undefined, after: readonly string[]): string {
  let out = '';
  if (!before) {
    out = `${RESET}${ESC}[H${ESC}[2J`;
    after.forEach((line, row) => {
      if (line) out += `${at(row, 0)}${line}${RESET}`;
    });
  } else {
    for (let row = 0; row < Math.max(before.length, after.length); row++) {
      if (row >= after.length) out += `${at(row, 0)}${ERASE_LINE}`;
      else out += lineUpdate(row, before[row] ?? '', after[row]);
    }
  }
  return out ? BEGIN_SYNC + out + END_SYNC : '';
}

/**
 * A stand-in for `out` to give Ink (in debug mode): everything Ink writes is
 * taken as a whole frame and drawn as an update of the one before.
 * Everything else (size, resize events, isTTY) is `out`'s.
 */
export class FrameWriter {
  readonly stream: NodeJS.WriteStream;
  private shown: string[] | undefined;
  private closed = false;
  private readonly onResize = () => this.invalidate();

  constructor(private readonly out: NodeJS.WriteStream) {
    // before Ink subscribes: on a resize the terminal has reflowed what it showed, so the next frame is drawn whole
    out.on('resize', this.onResize);
    const write = (chunk: string | Uint8Array, encoding?: unknown, callback?: unknown): boolean => {
      const done = typeof encoding === 'function' ? encoding : typeof callback === 'function' ? callback : undefined;
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      if (text && !this.closed) this.frame(text);
      // Ink waits on an empty write as a barrier before it resolves waitUntilExit
      if (done) out.write('', done as () => void);
      return true;
    };
    this.stream = new Proxy(out, {
      get(target, prop) {
        if (prop === 'write') return write;
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /** The next frame is drawn whole (the screen was changed behind our back). */
  invalidate(): void {
    this.shown = undefined;
  }

  /** Stops drawing (before the screen is handed over or restored). */
  close(): void {
    this.closed = true;
    this.out.off('resize', this.onResize);
  }

  private frame(text: string): void {
    const lines = text.split('\n');
    const rows = this.out.rows || lines.length;
    const cols = this.out.columns || Infinity;
    // Ink draws once more at the old size when the terminal is resized: such a frame is drawn whole,
    // cut to the screen, and the next one (laid out for the new size) is drawn whole again.
    const fits = lines.length <= rows && lines.every((line) => widthOf(line) <= cols);
    const update = frameUpdate(fits ? this.shown : undefined, lines.slice(0, rows));
    this.shown = fits ? lines : undefined;
    if (update) this.out.write(update);
  }
}
