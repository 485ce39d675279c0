/**
 * A list pane: a header row, then the rows around the selection that fit.
 * Every list pane (containers, images, layers, processes) is one of these
 * with its own view-model rows.
 */
import type { Theme } from '../app/tui/theme.js';
import type { Row } from '../app/tui/view-models/segments.js';
import { scrollOffset } from '../app/tui/view-models/list.js';
import { Frame } from './Frame.js';

export interface ListPaneProps {
  readonly title: string;
  readonly width: number;
  readonly height: number;
  readonly focused: boolean;
  readonly header?: Row;
  readonly rows: readonly Row[];
  readonly selected: number;
  /** shown instead of rows when there are none */
  readonly empty: string;
  readonly filter?: string;
  readonly theme: Theme;
}

export function ListPane({ title, width, height, focused, header, rows, selected, empty, filter, theme }: ListPaneProps) {
  const inner = height - 2;
  // A one-row pane shows only the selected row; taller ones keep the header.
  const withHeader = header !== undefined && inner >= 3;
  const room = Math.max(0, inner - (withHeader ? 1 : 0));
  const offset = scrollOffset(selected, rows.length, room);
  const visible = rows.slice(offset, offset + room);
  const lines: Row[] = [...(withHeader ? [header] : []), ...(rows.length === 0 ? [[{ text: empty, style: 'dim' as const }]] : visible)];
  const count = rows.length > 0 ? `${selected + 1} of ${rows.length}` : '';
  const info = [filter ? `/${filter}` : '', count].filter(Boolean).join(' · ');
  return (
    <Frame
      title={title}
      width={width}
      height={height}
      focused={focused}
      lines={lines}
      selected={rows.length > 0 ? selected - offset + (withHeader ? 1 : 0) : undefined}
      info={info}
      theme={theme}
    />
  );
}
