/**
 * A pane's frame: a rounded border with the title in the top edge, and
 * exactly `height - 2` content rows, each cut or padded to the inner width
 * so nothing wraps. The selected row is drawn inverse (bold when the pane is
 * not focused).
 */
import { Box, Text } from 'ink';
import type { Theme } from '../app/tui/theme.js';
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
  const top = `╭─${label}${'─'.repeat(fill)}${right}╮`.slice(0, width);
  const body: Row[] = [];
  for (let i = 0; i < height - 2; i++) body.push(fitSegments(lines[i] ?? [], inner));
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text {...edge} wrap="truncate">
        {top}
      </Text>
      {body.map((row, i) => (
        <Text key={i} wrap="truncate">
          <Text {...edge}>│</Text>
          {row.map((seg, j) => {
            const style = seg.style ? theme[seg.style] : {};
            const isSelected = i === selected;
            return (
              <Text key={j} {...style} inverse={isSelected && focused ? true : style.inverse} bold={isSelected && !focused ? true : style.bold}>
                {seg.text}
              </Text>
            );
          })}
          <Text {...edge}>│</Text>
        </Text>
      ))}
      <Text {...edge} wrap="truncate">{`╰${'─'.repeat(inner)}╯`}</Text>
    </Box>
  );
}
