/**
 * A row of a pane as styled pieces of text. View-models produce rows of
 * segments with semantic styles; the theme turns styles into colours (or
 * none, for monochrome), and `fitSegments` makes every row exactly the
 * pane's width so nothing wraps and the frame stays straight.
 */
export type Style =
  | 'plain'
  | 'dim'
  | 'accent'
  | 'header'
  | 'running'
  | 'paused'
  | 'exited'
  | 'created'
  | 'added'
  | 'modified'
  | 'deleted'
  | 'match'
  | 'warning'
  | 'error';

export interface Segment {
  text: string;
  style?: Style;
}

export type Row = Segment[];

/** Control characters (escape sequences of container output, tabs) would break the layout. */
export function printable(text: string): string {
  return text
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/\t/g, '    ')
    .replace(/[\x00-\x1f\x7f]/g, '');
}

/** Cuts or pads the row to exactly `width` characters (an ellipsis marks a cut). */
export function fitSegments(row: Row, width: number): Row {
  const out: Row = [];
  let left = width;
  const total = row.reduce((n, s) => n + [...s.text].length, 0);
  const cut = total > width;
  for (const seg of row) {
    if (left <= 0) break;
    const chars = [...seg.text];
    if (chars.length <= left && !(cut && chars.length === left)) {
      out.push(seg);
      left -= chars.length;
    } else {
      const keep = Math.max(0, left - 1);
      out.push({ ...seg, text: `${chars.slice(0, keep).join('')}…` });
      left = 0;
    }
  }
  if (left > 0) out.push({ text: ' '.repeat(left) });
  return out;
}

export function rowText(row: Row): string {
  return row.map((s) => s.text).join('');
}

/** Left-aligns `text` in `width` characters, cutting with an ellipsis. */
export function cell(text: string, width: number): string {
  const chars = [...text];
  if (chars.length > width) return width <= 1 ? chars.slice(0, width).join('') : `${chars.slice(0, width - 1).join('')}…`;
  return text + ' '.repeat(width - chars.length);
}

export function rightCell(text: string, width: number): string {
  const chars = [...text];
  if (chars.length >= width) return chars.slice(0, width).join('');
  return ' '.repeat(width - chars.length) + text;
}
