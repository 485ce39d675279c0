/** `?`: every key binding, generated from the keymap table so it cannot fall out of date. */
import type { Theme } from '../app/tui/theme.js';
import type { Binding } from '../app/tui/keymap.js';
import { helpSections } from '../app/tui/keymap.js';
import { cell, fitSegments, type Row } from '../app/tui/view-models/segments.js';
import { Frame } from './Frame.js';

export interface HelpOverlayProps {
  readonly keymap: readonly Binding[];
  readonly detachKeys: string;
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
}

export function helpLines(keymap: readonly Binding[], detachKeys: string): Row[] {
  const lines: Row[] = [];
  for (const section of helpSections(keymap)) {
    lines.push([{ text: section.title, style: 'header' }]);
    for (const [keys, description] of section.rows) lines.push([{ text: `  ${cell(keys, 18)} `, style: 'accent' }, { text: description }]);
  }
  lines.push([{ text: `Attached: ${detachKeys} detaches; the container keeps running.`, style: 'dim' }]);
  return lines;
}

export function HelpOverlay({ keymap, detachKeys, width, height, theme }: HelpOverlayProps) {
  const lines = helpLines(keymap, detachKeys);
  // Two columns when the terminal is wide enough to show everything side by side.
  const inner = height - 2;
  if (lines.length > inner && width >= 100) {
    const half = Math.ceil(lines.length / 2);
    const colWidth = Math.floor((width - 2) / 2);
    const merged: Row[] = [];
    for (let i = 0; i < half; i++) {
      merged.push([...fitSegments(lines[i] ?? [], colWidth - 1), { text: ' ' }, ...(lines[i + half] ?? [])]);
    }
    return <Frame title="Help — any key closes" width={width} height={height} focused lines={merged} theme={theme} />;
  }
  return <Frame title="Help — any key closes" width={width} height={height} focused lines={lines} theme={theme} />;
}
