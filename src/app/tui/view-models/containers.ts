/**
 * The containers pane as rows: name, image, status, ports, CPU %, memory,
 * filtered and sorted. Pure: snapshots and usage in, rows out.
 */
import type { ContainerStatus } from '../../../engine/containers/types.js';
import type { ContainerSample, ContainerSnapshot, ContainerUsage } from '../client.js';
import { humanSize } from '../../cli/format.js';
import { cell, rightCell, type Row, type Style } from './segments.js';

export type SortKey = 'name' | 'status' | 'cpu' | 'memory';
export const SORT_KEYS: readonly SortKey[] = ['name', 'status', 'cpu', 'memory'];

export interface Usage {
  /** percent of one CPU */
  cpu: number;
  memory: number;
}

export interface ContainerRow {
  id: string;
  name: string;
  image: string;
  state: ContainerStatus;
  status: string;
  ports: string;
  cpu: string;
  memory: string;
}

/** CPU % between two samples of the same container, as `docker stats` computes it. */
export function cpuPercent(prev: ContainerSample | undefined, cur: ContainerSample): number {
  if (!prev || !cur.running || !prev.running) return 0;
  return cpuSince(prev, cur);
}

/** CPU % between two readings of one container (100 = one core); 0 without an earlier one. */
export function cpuSince(prev: ContainerUsage | undefined, cur: ContainerUsage): number {
  if (!prev) return 0;
  const wall = (cur.at - prev.at) * 1e6;
  return wall > 0 ? Math.max(0, ((cur.cpuUsageNs - prev.cpuUsageNs) / wall) * 100) : 0;
}

const STATE_ORDER: Record<ContainerStatus, number> = { running: 0, restarting: 1, paused: 2, created: 3, exited: 4, removing: 5, dead: 6 };

export function stateStyle(state: ContainerStatus): Style {
  switch (state) {
    case 'running':
    case 'restarting':
      return 'running';
    case 'paused':
      return 'paused';
    case 'created':
      return 'created';
    default:
      return 'exited';
  }
}

/** Case-insensitive match of the filter text against name, image and status. */
export function matchesFilter(c: ContainerSnapshot, filter: string): boolean {
  if (!filter) return true;
  const f = filter.toLowerCase();
  return [c.name, c.image, c.status, c.id.slice(0, 12)].some((v) => v.toLowerCase().includes(f));
}

export function containerRows(
  containers: readonly ContainerSnapshot[],
  usage: ReadonlyMap<string, Usage>,
  options: { filter?: string; sort?: SortKey } = {},
): ContainerRow[] {
  const sort = options.sort ?? 'name';
  const list = containers.filter((c) => matchesFilter(c, options.filter ?? ''));
  const u = (c: ContainerSnapshot) => usage.get(c.id) ?? { cpu: 0, memory: 0 };
  list.sort((a, b) => {
    // code-unit order, as lazydocker sorts names: localeCompare asks ICU each time (~10 ms for 500)
    const byName = a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    switch (sort) {
      case 'status':
        return STATE_ORDER[a.state] - STATE_ORDER[b.state] || byName;
      case 'cpu':
        return u(b).cpu - u(a).cpu || byName;
      case 'memory':
        return u(b).memory - u(a).memory || byName;
      default:
        return byName;
    }
  });
  return list.map((c) => {
    const active = c.state === 'running' || c.state === 'paused' || c.state === 'restarting';
    return {
      id: c.id,
      name: c.name,
      image: c.image,
      state: c.state,
      status: c.status,
      ports: c.ports,
      cpu: active ? `${u(c).cpu.toFixed(1)}%` : '',
      memory: active ? humanSize(u(c).memory) : '',
    };
  });
}

/** Column widths for a pane of `width` characters: name and image share what the fixed columns leave. */
function widths(width: number) {
  const status = width >= 88 ? 27 : 22;
  const cpu = 7;
  const mem = 8;
  const ports = width >= 110 ? 14 : 0;
  const flexible = Math.max(10, width - status - cpu - mem - ports - 5);
  const name = Math.max(6, Math.floor(flexible * 0.55));
  return { name, image: flexible - name, status, ports, cpu, mem };
}

export function containerHeader(width: number): Row {
  const w = widths(width);
  return [
    {
      text: `${cell('NAME', w.name)} ${cell('IMAGE', w.image)} ${cell('STATUS', w.status)} ${w.ports ? `${cell('PORTS', w.ports)} ` : ''}${rightCell('CPU', w.cpu)} ${rightCell('MEM', w.mem)}`,
      style: 'header',
    },
  ];
}

export function containerLine(row: ContainerRow, width: number): Row {
  const w = widths(width);
  return [
    { text: `${cell(row.name, w.name)} ` },
    { text: `${cell(row.image, w.image)} `, style: 'dim' },
    { text: `${cell(row.status, w.status)} `, style: stateStyle(row.state) },
    ...(w.ports ? [{ text: `${cell(row.ports, w.ports)} ` }] : []),
    { text: `${rightCell(row.cpu, w.cpu)} ${rightCell(row.memory, w.mem)}` },
  ];
}
