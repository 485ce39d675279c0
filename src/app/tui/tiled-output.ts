/**
 * Ink's Output composes a frame cell by cell: every line of every text is
 * taken apart into one object per character with its style, written into a
 * grid of width × height such objects, and the grid is turned back into text
 * by diffing each character's style with its neighbour's. That is most of a
 * frame's work and garbage, and the first frame's page faults.
 *
 * The TUI's frames are tiles: panes side by side and a status line, every
 * line one-column characters and colours, no two texts on the same cells.
 * Such a frame is composed here line by line, each text's line kept as it is
 * (its colours closed after it), the gaps filled with spaces. The TUI bundle
 * (scripts/bundle.mjs) makes Ink's Output.get() ask this first; anything
 * else — clipping, overlapping texts, wide characters, other escapes, a text
 * running past the edge — gets undefined and goes Ink's own way.
 */
import { ONE_COLUMN_EACH } from './string-width.js';

/** An operation as Ink's Output records it. */
export interface OutputOperation {
  type: string;
  x?: number;
  y?: number;
  text?: string;
  transformers?: readonly ((line: string, index: number) => string)[];
}

const SGR = /\x1b\[[0-9;]*m/g;
const RESET = '\x1b[0m';

interface Piece {
  x: number;
  end: number;
  text: string;
}

/** Ink's Output.get() for a frame of tiles: the same cells, or undefined when it is not one. */
export function tiledOutput(width: number, height: number, operations: readonly OutputOperation[]): { output: string; height: number } | undefined {
  const rows: Piece[][] = Array.from({ length: height }, () => []);
  for (const op of operations) {
    if (op.type !== 'write' || op.text === undefined || op.x === undefined || op.y === undefined) return undefined;
    const lines = op.text.split('\n');
    for (let index = 0; index < lines.length; index++) {
      const y = op.y + index;
      // as Ink: lines outside the frame are dropped
      if (y < 0 || y >= height) continue;
      let line = lines[index];
      for (const transform of op.transformers ?? []) line = transform(line, index);
      const styled = line.includes('\x1b');
      const plain = styled ? line.replace(SGR, '') : line;
      if (!ONE_COLUMN_EACH.test(plain)) return undefined;
      if (plain.length === 0) continue;
      if (op.x < 0 || op.x + plain.length > width) return undefined;
      rows[y].push({ x: op.x, end: op.x + plain.length, text: styled ? line + RESET : line });
    }
  }
  const out: string[] = [];
  for (const pieces of rows) {
    pieces.sort((a, b) => a.x - b.x);
    let line = '';
    let column = 0;
    for (const piece of pieces) {
      if (piece.x < column) return undefined; // overlapping texts: the later one wins cell by cell, Ink's way
      line += ' '.repeat(piece.x - column) + piece.text;
      column = piece.end;
    }
    out.push(line.trimEnd());
  }
  return { output: out.join('\n'), height };
}
