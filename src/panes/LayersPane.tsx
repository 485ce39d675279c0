/** Pane 3: the selected image's layers bottom to top, with size and CREATED BY. */
import type { Theme } from '../app/tui/theme.js';
import { layerHeader, layerLine, type LayerRow } from '../app/tui/view-models/layers.js';
import { ListPane } from './ListPane.js';

export interface LayersPaneProps {
  readonly rows: readonly LayerRow[];
  readonly selected: number;
  readonly width: number;
  readonly height: number;
  readonly focused: boolean;
  /** the image the layers belong to, for the title */
  readonly image: string;
  readonly loading: boolean;
  readonly theme: Theme;
}

export function LayersPane({ rows, selected, width, height, focused, image, loading, theme }: LayersPaneProps) {
  const inner = width - 2;
  return (
    <ListPane
      title={`[3] Layers${image ? ` of ${image}` : ''}`}
      width={width}
      height={height}
      focused={focused}
      header={layerHeader()}
      rows={rows.map((r) => layerLine(r, inner))}
      selected={selected}
      empty={loading ? 'reading layers…' : 'no image selected'}
      theme={theme}
    />
  );
}
