/**
 * The images pane: one row per tag (a dangling image gets one <none> row),
 * with the ID, created, size, and a mark when the image shares layers with
 * another image (● shares its base, the count of shared layers beside it).
 */
import type { ImageSnapshot } from '../client.js';
import { ago, humanSize, shortId } from '../../cli/format.js';
import { cell, rightCell, type Row } from './segments.js';

export interface ImageRow {
  id: string;
  repository: string;
  tag: string;
  shortId: string;
  created: string;
  size: string;
  /** layers this image shares with at least one other image */
  sharedLayers: number;
  totalLayers: number;
}

export function imageRows(images: readonly ImageSnapshot[], options: { filter?: string; now?: number } = {}): ImageRow[] {
  const users = new Map<string, number>();
  for (const image of images) for (const layer of new Set(image.layers)) users.set(layer, (users.get(layer) ?? 0) + 1);
  const rows: ImageRow[] = [];
  for (const image of images) {
    const shared = image.layers.filter((l) => (users.get(l) ?? 0) > 1).length;
    const names = image.repoTags.length > 0 ? image.repoTags : ['<none>:<none>'];
    for (const name of names) {
      const colon = name.lastIndexOf(':');
      rows.push({
        id: image.id,
        repository: name.slice(0, colon),
        tag: name.slice(colon + 1),
        shortId: shortId(image.id),
        created: ago(image.created, options.now),
        size: humanSize(image.size),
        sharedLayers: shared,
        totalLayers: image.layers.length,
      });
    }
  }
  const f = (options.filter ?? '').toLowerCase();
  return f ? rows.filter((r) => `${r.repository}:${r.tag} ${r.shortId}`.toLowerCase().includes(f)) : rows;
}

function widths(width: number) {
  const id = 12;
  const created = 15;
  const size = 8;
  const shared = 5;
  const flexible = Math.max(10, width - id - created - size - shared - 5);
  const repo = Math.max(6, Math.floor(flexible * 0.65));
  return { repo, tag: flexible - repo, id, created, size, shared };
}

export function imageHeader(width: number): Row {
  const w = widths(width);
  return [{ text: `${cell('REPOSITORY', w.repo)} ${cell('TAG', w.tag)} ${cell('IMAGE ID', w.id)} ${cell('CREATED', w.created)} ${rightCell('SIZE', w.size)} ${cell('SHARE', w.shared)}`, style: 'header' }];
}

export function imageLine(row: ImageRow, width: number): Row {
  const w = widths(width);
  return [
    { text: `${cell(row.repository, w.repo)} ${cell(row.tag, w.tag)} ` },
    { text: `${cell(row.shortId, w.id)} `, style: 'dim' },
    { text: `${cell(row.created, w.created)} ${rightCell(row.size, w.size)} ` },
    { text: cell(row.sharedLayers > 0 ? `●${row.sharedLayers}/${row.totalLayers}` : '', w.shared), style: 'accent' },
  ];
}
