/** Pane 2: images, one row per tag; ●n/m marks n of the image's m layers shared with other images. */
import type { Theme } from '../app/tui/theme.js';
import { imageHeader, imageLine, type ImageRow } from '../app/tui/view-models/images.js';
import { ListPane } from './ListPane.js';

export interface ImagesPaneProps {
  readonly rows: readonly ImageRow[];
  readonly selected: number;
  readonly width: number;
  readonly height: number;
  readonly focused: boolean;
  readonly filter: string;
  readonly theme: Theme;
}

export function ImagesPane({ rows, selected, width, height, focused, filter, theme }: ImagesPaneProps) {
  const inner = width - 2;
  return (
    <ListPane
      title="[2] Images"
      width={width}
      height={height}
      focused={focused}
      header={imageHeader(inner)}
      rows={rows.map((r) => imageLine(r, inner))}
      selected={selected}
      empty={filter ? 'no image matches the filter' : 'no images: berth load -i image.tar'}
      filter={filter}
      theme={theme}
    />
  );
}
