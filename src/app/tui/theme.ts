/** Semantic styles to Ink text props; monochrome keeps only bold and inverse. */
import type { Style } from './view-models/segments.js';
import type { ThemeName } from './settings.js';

export interface TextStyle {
  color?: string;
  backgroundColor?: string;
  bold?: boolean;
  dimColor?: boolean;
  inverse?: boolean;
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
