/**
 * Output formatting shared by the CLI verbs, matching Docker's: tab-aligned
 * tables (3 spaces between columns), decimal sizes with 3 significant digits,
 * "2 hours ago" durations, and `--format` Go-template-like strings.
 */
import { invalidArgument } from '../../engine/errors.js';

/**
 * Docker's tabwriter (minwidth 10, padding 3): a column is its widest cell
 * plus 3 spaces, and at least 10 wide; the last column is not padded.
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(10, 3 + Math.max(...all.map((r) => (r[c] ?? '').length))));
  return all
    .map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('').trimEnd())
    .join('\n');
}

/** Docker's units.HumanSizeWithPrecision(n, 3): 0B, 999B, 1.23kB, 4.26MB, 12.8MB, 123GB. */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${Number(value.toPrecision(3))}${units[unit]}`;
}

/** Docker's units.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}

/** "3 weeks ago", or "N/A" for an unknown time, relative to `now`. */
export function ago(iso: string | undefined, now = Date.now()): string {
  const t = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(t) || t <= 0) return 'N/A';
  return `${humanDuration(Math.max(0, now - t))} ago`;
}

/** The first 12 hex digits of an ID, without its algorithm. */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** Shortens to `max` characters with an ellipsis, as Docker's CREATED BY column does. */
export function ellipsis(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * A `--format` value: "table …" keeps a header row, "json" prints one JSON
 * object a line, anything else is a template applied per item. Supported:
 * {{.Field}}, {{.Field.Sub}}, {{json .}}, {{json .Field}}, {{upper .F}},
 * {{lower .F}}, {{join .List ", "}}, {{println}} and \t, \n escapes.
 */
export function renderFormat(format: string, items: readonly object[], headers: Record<string, string> = {}): string {
  if (format === 'json') return items.map((i) => JSON.stringify(i)).join('\n');
  const isTable = format.startsWith('table');
  const template = (isTable ? format.slice(5).trimStart() : format).replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  const lines = items.map((item) => renderTemplate(template, item));
  if (!isTable) return lines.join('\n');
  const header = renderTemplate(template, new Proxy({}, { get: (_t, key) => headers[String(key)] ?? String(key).toUpperCase() }));
  const rows = [header, ...lines].map((l) => l.split('\t'));
  return table(rows[0], rows.slice(1));
}

export function renderTemplate(template: string, data: object): string {
  return template.replace(/\{\{\s*(.*?)\s*\}\}/g, (_m, expr: string) => evaluate(expr, data));
}

function evaluate(expr: string, data: object): string {
  const words = expr.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
  const value = (word: string): unknown => {
    if (word.startsWith('"')) return JSON.parse(word);
    if (word === '.') return data;
    if (!word.startsWith('.')) throw invalidArgument(`template: unknown function or value "${word}"`);
    return word
      .slice(1)
      .split('.')
      .reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), data);
  };
  const [head, ...rest] = words;
  switch (head) {
    case 'json':
      return JSON.stringify(value(rest[0] ?? '.'));
    case 'upper':
      return show(value(rest[0] ?? '.')).toUpperCase();
    case 'lower':
      return show(value(rest[0] ?? '.')).toLowerCase();
    case 'join': {
      const list = value(rest[0] ?? '.');
      return Array.isArray(list) ? list.map(show).join(String(value(rest[1] ?? '" "'))) : show(list);
    }
    case 'println':
      return `${rest.map((w) => show(value(w))).join(' ')}\n`;
    default:
      if (words.length !== 1) throw invalidArgument(`template: cannot evaluate "{{${expr}}}"`);
      return show(value(head ?? "."));
  }
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '<no value>';
  if (Array.isArray(value)) return `[${value.map(show).join(' ')}]`;
  if (typeof value === 'object') return `map[${Object.entries(value).map(([k, v]) => `${k}:${show(v)}`).join(' ')}]`;
  return String(value);
}
