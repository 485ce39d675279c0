/** Pane 4: the selected container's processes as a tree, host PID and container PID side by side. */
import type { Theme } from '../app/tui/theme.js';
import { processHeader, processLine, type ProcessRow } from '../app/tui/view-models/processes.js';
import { ListPane } from './ListPane.js';

export interface ProcessesPaneProps {
  readonly rows: readonly ProcessRow[];
  readonly selected: number;
  readonly width: number;
  readonly height: number;
  readonly focused: boolean;
  readonly container: string;
  /** why there are no rows (container not running, error) */
  readonly note: string;
  readonly theme: Theme;
}

export function ProcessesPane({ rows, selected, width, height, focused, container, note, theme }: ProcessesPaneProps) {
  const inner = width - 2;
  return (
    <ListPane
      title={`[4] Processes${container ? ` of ${container}` : ''}`}
      width={width}
      height={height}
      focused={focused}
      header={processHeader(inner)}
      rows={rows.map((r) => processLine(r, inner))}
      selected={selected}
      empty={note || 'no container selected'}
      theme={theme}
    />
  );
}
