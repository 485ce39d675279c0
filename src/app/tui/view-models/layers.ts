/**
 * The layers pane (the stack bottom to top with size and CREATED BY) and the
 * selected layer's file tree: what it adds (A), modifies (M) and removes (D),
 * with the directories above each change shown for context, and the image's
 * wasted space and efficiency.
 */
import type { ImageLayers } from '../client.js';
import type { LayerChange } from '../../../engine/images/analysis.js';
import { humanSize } from '../../cli/format.js';
import { cell, rightCell, type Row, type Style } from './segments.js';

export interface LayerRow {
  index: number;
  chainId: string;
  size: string;
  createdBy: string;
}

export function layerRows(layers: ImageLayers | undefined): LayerRow[] {
  return (layers?.layers ?? []).map((l, index) => ({
    index,
    chainId: l.chainId,
    size: humanSize(l.size),
    createdBy: l.createdBy.replace(/^\/bin\/sh -c #\(nop\)\s*/, '').replace(/^\/bin\/sh -c /, 'RUN ') || '(no history)',
  }));
}

export function layerLine(row: LayerRow, width: number): Row {
  return [{ text: `${rightCell(String(row.index + 1), 3)} ` , style: 'dim' }, { text: `${rightCell(row.size, 8)}  ` }, { text: cell(row.createdBy, Math.max(1, width - 14)) }];
}

export function layerHeader(): Row {
  return [{ text: '  #     SIZE  CREATED BY', style: 'header' }];
}

const MARK_STYLE: Record<string, Style> = { A: 'added', M: 'modified', D: 'deleted' };

export interface FileTreeLine {
  /** '' for a directory shown only as context */
  mark: 'A' | 'M' | 'D' | '';
  depth: number;
  name: string;
  size: number;
  isDir: boolean;
}

/** The layer's changes as an indented tree; unchanged parent directories appear once, unmarked. */
export function fileTree(changes: readonly LayerChange[]): FileTreeLine[] {
  const lines: FileTreeLine[] = [];
  const shown = new Set<string>();
  const changed = new Map(changes.map((c) => [c.path, c]));
  for (const c of [...changes].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    const parts = c.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (shown.has(dir)) continue;
      shown.add(dir);
      const own = changed.get(dir);
      lines.push({ mark: own?.mark ?? '', depth: i - 1, name: `${parts[i - 1]}/`, size: 0, isDir: true });
    }
    if (shown.has(c.path)) continue;
    shown.add(c.path);
    lines.push({ mark: c.mark, depth: parts.length - 1, name: c.type === 'dir' ? `${parts.at(-1)}/` : parts.at(-1)!, size: c.size, isDir: c.type === 'dir' });
  }
  return lines;
}

export function fileTreeLine(line: FileTreeLine, width: number): Row {
  const size = line.isDir || line.mark === 'D' ? '' : humanSize(line.size);
  const style = line.mark ? MARK_STYLE[line.mark] : 'dim';
  return [
    { text: `${line.mark || ' '} `, style },
    { text: cell(`${'  '.repeat(line.depth)}${line.name}`, Math.max(1, width - 11)), style },
    { text: rightCell(size, 9) },
  ];
}

export function efficiencyLine(layers: ImageLayers | undefined): Row {
  if (!layers) return [{ text: 'no image selected', style: 'dim' }];
  const a = layers.analysis;
  const pct = (a.efficiency * 100).toFixed(1);
  return [
    { text: 'Efficiency ', style: 'header' },
    { text: `${pct}%`, style: a.efficiency >= 0.9 ? 'added' : a.efficiency >= 0.7 ? 'modified' : 'deleted' },
    { text: '  Wasted ', style: 'header' },
    { text: humanSize(a.wastedBytes) },
    { text: '  Total ', style: 'header' },
    { text: humanSize(a.totalBytes) },
  ];
}
