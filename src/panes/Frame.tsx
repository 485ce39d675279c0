/**
 * A pane's frame: a rounded border with the title in the top edge, and
 * exactly `height - 2` content rows, each cut or padded to the inner width
 * so nothing wraps. The selected row is drawn inverse (bold when the pane is
 * not focused).
 */
import { Box, Text } from 'ink';
import { paint, type Theme } from '../app/tui/theme.js';
import { fitSegments, type Row } from '../app/tui/view-models/segments.js';

export interface FrameProps {
  readonly title: string;
  readonly width: number;
  readonly height: number;
  readonly focused: boolean;
  readonly lines: readonly Row[];
  /** index into `lines` of the selected row */
  readonly selected?: number;
  /** right side of the top edge, e.g. "3 of 12" or a filter */
  readonly info?: string;
  readonly theme: Theme;
}

export function Frame({ title, width, height, focused, lines, selected, info, theme }: FrameProps) {
  if (height < 2 || width < 4) return null;
  const inner = width - 2;
  const edge = focused ? theme.accent : theme.dim;
  const label = ` ${title} `;
  const right = info ? ` ${info} ` : '';
  const fill = Math.max(0, inner - 1 - [...label].length - [...right].length);
  const side = paint('│', edge);
  // One text, its lines painted here: a <Text> per row and per piece would be ten times
  // the work for React, Yoga and Ink on every frame, for the same output.
  const text = [paint(`╭─${label}${'─'.repeat(fill)}${right}╮`.slice(0, width), edge)];
  for (let i = 0; i < height - 2; i++) {
    const row = fitSegments(lines[i] ?? [], inner);
    const isSelected = i === selected;
    const pieces = row.map((seg) => {
      const style = seg.style ? theme[seg.style] : {};
      return paint(seg.text, isSelected ? { ...style, inverse: focused || style.inverse, bold: !focused || style.bold } : style);
    });
    text.push(side + pieces.join('') + side);
  }
  text.push(paint(`╰${'─'.repeat(inner)}╯`, edge));
  return (
    <Box width={width} height={height}>
      <Text wrap="truncate">{text.join('\n')}</Text>
    </Box>
  );
}
