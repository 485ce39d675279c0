/** Pane 1: containers with state colours, CPU and memory; filter and sort shown in the title. */
import type { Theme } from '../app/tui/theme.js';
import { containerHeader, containerLine, type ContainerRow, type SortKey } from '../app/tui/view-models/containers.js';
import { ListPane } from './ListPane.js';

export interface ContainersPaneProps {
  readonly rows: readonly ContainerRow[];
  readonly selected: number;
  readonly width: number;
  readonly height: number;
  readonly focused: boolean;
  readonly filter: string;
  readonly sort: SortKey;
  readonly theme: Theme;
}

export function ContainersPane({ rows, selected, width, height, focused, filter, sort, theme }: ContainersPaneProps) {
  const inner = width - 2;
  return (
    <ListPane
      title={`[1] Containers ↓${sort}`}
      width={width}
      height={height}
      focused={focused}
      header={containerHeader(inner)}
      rows={rows.map((r) => containerLine(r, inner))}
      selected={selected}
      empty={filter ? 'no container matches the filter' : 'no containers: press 2, then R on an image to run one'}
      filter={filter}
      theme={theme}
    />
  );
}
