/** Semantic styles to Ink text props; monochrome keeps only bold and inverse. */
import chalk, { type BackgroundColorName, type ForegroundColorName } from 'chalk';
import type { Style } from './view-models/segments.js';
import type { ThemeName } from './settings.js';

export interface TextStyle {
  color?: ForegroundColorName;
  backgroundColor?: ForegroundColorName;
  bold?: boolean;
  dimColor?: boolean;
  inverse?: boolean;
}

/**
 * `text` drawn in `style` as Ink's <Text> with those props draws it: the same
 * chalk (Ink's), so the same codes and the same colour support (none on a
 * terminal without colours). A pane is drawn as one text of such pieces
 * rather than one <Text> per piece, a tenth of the work of a frame.
 */
export function paint(text: string, style: TextStyle): string {
  let out = text;
  if (style.dimColor) out = chalk.dim(out);
  if (style.color) out = chalk[style.color](out);
  if (style.backgroundColor) out = chalk[`bg${style.backgroundColor[0].toUpperCase()}${style.backgroundColor.slice(1)}` as BackgroundColorName](out);
  if (style.bold) out = chalk.bold(out);
  if (style.inverse) out = chalk.inverse(out);
  return out;
}

export type Theme = { name: ThemeName } & Record<Style, TextStyle>;

const COLOURS: Record<Style, TextStyle> = {
  plain: {},
  dim: { color: 'gray' },
  accent: { color: 'cyan', bold: true },
  header: { bold: true },
  running: { color: 'green' },
  paused: { color: 'yellow' },
  exited: { color: 'red' },
  created: { color: 'blue' },
  added: { color: 'green' },
  modified: { color: 'yellow' },
  deleted: { color: 'red' },
  match: { color: 'black', backgroundColor: 'yellow' },
  warning: { color: 'yellow' },
  error: { color: 'red', bold: true },
};

const MONO: Record<Style, TextStyle> = {
  plain: {},
  dim: {},
  accent: { bold: true },
  header: { bold: true },
  running: {},
  paused: {},
  exited: {},
  created: {},
  added: {},
  modified: {},
  deleted: {},
  match: { inverse: true },
  warning: { bold: true },
  error: { bold: true },
};

export function makeTheme(name: ThemeName): Theme {
  return { name, ...(name === 'monochrome' ? MONO : COLOURS) };
}
