/**
 * CPU and memory over time for the Stats tab, drawn as text: a bar chart of
 * block characters (eight levels per row), newest sample on the right.
 */
import type { ContainerSample } from '../client.js';
import { humanSize } from '../../cli/format.js';
import { cpuPercent } from './containers.js';
import type { Row } from './segments.js';

const BLOCKS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** One-row sparkline of the last `width` values scaled to `max` (default: their maximum). */
export function sparkline(values: readonly number[], width: number, max?: number): string {
  const shown = values.slice(-width);
  const top = max ?? Math.max(...shown, 0);
  const line = shown.map((v) => BLOCKS[top > 0 ? Math.min(8, Math.max(v > 0 ? 1 : 0, Math.round((v / top) * 8))) : 0]).join('');
  return line.padStart(width, ' ');
}

/** A `height`-row chart of the last `width` values: row 0 is the top. */
export function chart(values: readonly number[], width: number, height: number, max?: number): string[] {
  const shown = values.slice(-width);
  const top = max ?? Math.max(...shown, 0);
  const rows: string[] = [];
  for (let r = 0; r < height; r++) {
    const floor = height - 1 - r; // rows of full blocks below this one
    const line = shown
      .map((v) => {
        const eighths = top > 0 ? Math.round((v / top) * height * 8) : 0;
        const here = Math.min(8, Math.max(0, eighths - floor * 8));
        return BLOCKS[here];
      })
      .join('');
    rows.push(line.padStart(width, ' '));
  }
  return rows;
}

export interface StatsView {
  cpu: number[];
  memory: number[];
  latest: ContainerSample | undefined;
}

/** CPU % per interval and memory per sample from a container's sample history. */
export function statsView(samples: readonly ContainerSample[]): StatsView {
  const cpu = samples.slice(1).map((s, i) => cpuPercent(samples[i], s));
  return { cpu, memory: samples.map((s) => s.memoryUsage), latest: samples.at(-1) };
}

export function statsLines(view: StatsView, width: number, height: number): Row[] {
  if (!view.latest) return [[{ text: 'no samples yet', style: 'dim' }]];
  if (!view.latest.running) return [[{ text: 'not running', style: 'dim' }]];
  const chartWidth = Math.max(10, width - 2);
  const chartHeight = Math.max(1, Math.floor((height - 4) / 2));
  const cpuNow = view.cpu.at(-1) ?? 0;
  const cpuMax = Math.max(100, ...view.cpu);
  const rows: Row[] = [[{ text: `CPU ${cpuNow.toFixed(1)}%  (scale 0–${cpuMax.toFixed(0)}%)`, style: 'header' }]];
  for (const line of chart(view.cpu, chartWidth, chartHeight, cpuMax)) rows.push([{ text: line, style: 'running' }]);
  const mem = view.latest.memoryUsage;
  rows.push([{ text: `MEM ${humanSize(mem)} / ${humanSize(view.latest.memoryLimit)}  PIDs ${view.latest.pids}`, style: 'header' }]);
  for (const line of chart(view.memory, chartWidth, chartHeight)) rows.push([{ text: line, style: 'accent' }]);
  return rows;
}
