/** Log lines for the Logs tab, with `/` search matches highlighted. */
import type { LogLine } from '../client.js';
import { printable, type Row } from './segments.js';

/** Splits `text` into plain and matching segments (case-insensitive). */
export function highlight(text: string, query: string): Row {
  if (!query) return [{ text }];
  const out: Row = [];
  const lower = text.toLowerCase();
  const q = query.toLowerCase();
  let at = 0;
  for (let i = lower.indexOf(q); i >= 0; i = lower.indexOf(q, i + q.length)) {
    if (i > at) out.push({ text: text.slice(at, i) });
    out.push({ text: text.slice(i, i + q.length), style: 'match' });
    at = i + q.length;
  }
  if (at < text.length) out.push({ text: text.slice(at) });
  return out;
}

/** Log entries as display lines: one per line of output, control characters removed. */
export function logLines(entries: readonly LogLine[]): { text: string; stderr: boolean }[] {
  const out: { text: string; stderr: boolean }[] = [];
  for (const e of entries) {
    for (const piece of e.text.replace(/\r?\n$/, '').split(/\r?\n/)) out.push({ text: printable(piece.replace(/\r/g, '')), stderr: e.stream === 'stderr' });
  }
  return out;
}

/** Indices of lines matching `query`. */
export function matchingLines(lines: readonly { text: string }[], query: string): number[] {
  if (!query) return [];
  const q = query.toLowerCase();
  return lines.flatMap((l, i) => (l.text.toLowerCase().includes(q) ? [i] : []));
}

export function logRow(line: { text: string; stderr: boolean }, query: string): Row {
  const row = highlight(line.text, query);
  return line.stderr ? row.map((s) => (s.style ? s : { ...s, style: 'warning' })) : row;
}
