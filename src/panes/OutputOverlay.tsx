/** What a `:` command printed, when it is more than one line. Any key closes it. */
import type { Theme } from '../app/tui/theme.js';
import { printable, type Row } from '../app/tui/view-models/segments.js';
import { Frame } from './Frame.js';

export interface OutputOverlayProps {
  readonly title: string;
  readonly text: string;
  readonly width: number;
  readonly height: number;
  readonly theme: Theme;
}

export function OutputOverlay({ title, text, width, height, theme }: OutputOverlayProps) {
  const lines: Row[] = text.replace(/\n$/, '').split('\n').map((l) => [{ text: printable(l) }]);
  return <Frame title={`${title} — any key closes`} width={width} height={height} focused lines={lines.slice(-(height - 2))} theme={theme} />;
}
