/**
 * The Stats tab: CPU %, memory, network and block I/O rates, and PIDs over
 * time, each a blessed-contrib line chart (see ../charts.ts) under a header
 * with the current values. Pure: samples and a size in, rows out; the rows
 * always fit the height given, so the tab never scrolls. When the pane is too
 * short for every chart, the first metrics get charts and the rest one line.
 */
import type { ContainerSample } from '../client.js';
import { drawLineChart, type ChartInk } from '../charts.js';
import { humanSize } from '../../cli/format.js';
import { cpuPercent } from './containers.js';
import type { Row, Style } from './segments.js';

/** Rows a chart needs to show anything: data, the x axis, the x labels. */
export const MIN_CHART_ROWS = 5;
/** Columns a chart needs: y labels, the axis, and some room for the line. */
const MIN_CHART_COLUMNS = 20;
/** Chart rows per y label step: steps closer than one text row would print labels over each other. */
const PIXELS_PER_ROW = 4;
/** blessed-contrib keeps 11 pixels at the bottom of its canvas for the x axis and labels. */
const X_AXIS_PIXELS = 11;
const SERIES_STYLES: readonly Style[] = ['running', 'accent'];

export interface StatsView {
  /** one per interval between samples, oldest first; every series below has one value per label */
  xLabels: string[];
  cpu: number[];
  memory: number[];
  netRx: number[];
  netTx: number[];
  blkioRead: number[];
  blkioWrite: number[];
  pids: number[];
  latest: ContainerSample | undefined;
}

/** Bytes per second between two samples of a counter; 0 across a counter reset (a restart). */
function rate(prev: ContainerSample, cur: ContainerSample, counter: (s: ContainerSample) => number): number {
  const seconds = (cur.at - prev.at) / 1000;
  const bytes = counter(cur) - counter(prev);
  return seconds > 0 && bytes > 0 ? bytes / seconds : 0;
}

function ageLabel(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds <= 0 ? 'now' : `-${seconds}s`;
}

/** The series the charts draw, one point per interval between consecutive samples (rates need two samples). */
export function statsView(samples: readonly ContainerSample[]): StatsView {
  const latest = samples.at(-1);
  const pairs = samples.slice(1).map((cur, i) => ({ prev: samples[i], cur }));
  return {
    xLabels: pairs.map(({ cur }) => ageLabel((latest?.at ?? cur.at) - cur.at)),
    cpu: pairs.map(({ prev, cur }) => cpuPercent(prev, cur)),
    memory: pairs.map(({ cur }) => cur.memoryUsage),
    netRx: pairs.map(({ prev, cur }) => rate(prev, cur, (s) => s.netRx)),
    netTx: pairs.map(({ prev, cur }) => rate(prev, cur, (s) => s.netTx)),
    blkioRead: pairs.map(({ prev, cur }) => rate(prev, cur, (s) => s.blkioRead)),
    blkioWrite: pairs.map(({ prev, cur }) => rate(prev, cur, (s) => s.blkioWrite)),
    pids: pairs.map(({ cur }) => cur.pids),
    latest,
  };
}

/**
 * A y axis from 0 to `top` in steps of 1, 2 or 5 × 10ⁿ (or 0.25, 0.5), with
 * at most `steps` steps and `top` ≥ `max`. Steps below 1 are exact in binary,
 * so blessed-contrib's label loop (which adds the step up) hits `top` exactly.
 */
export function niceScale(max: number, steps: number, minStep: number): { top: number; step: number } {
  const wanted = Math.max(max / Math.max(1, steps), minStep);
  let step = 0.25;
  for (const candidate of stepCandidates()) {
    step = candidate;
    if (candidate >= wanted) break;
  }
  return { top: Math.max(step, Math.ceil(max / step - 1e-9) * step), step };
}

function* stepCandidates(): Generator<number> {
  yield 0.25;
  yield 0.5;
  for (let power = 1; power < 1e21; power *= 10) for (const m of [1, 2, 5]) yield m * power;
}

interface Unit {
  name: string;
  divisor: number;
}

/** The decimal byte unit (humanSize's) that keeps `max` below 1000. */
function byteUnit(max: number, suffix = ''): Unit {
  const names = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  while (i < names.length - 1 && max >= 1000 ** (i + 1)) i++;
  return { name: names[i] + suffix, divisor: 1000 ** i };
}

interface Metric {
  title: string;
  /** what the y axis counts, shown after the title */
  unit: string;
  /** the values after the title: current, peak, limit */
  summary: Row;
  series: number[][];
  minStep: number;
}

function legend(names: readonly string[], values: readonly string[]): Row {
  return names.flatMap((name, i) => [
    { text: `${i ? '  ' : ''}━ ${name} `, style: SERIES_STYLES[i] },
    { text: values[i], style: 'plain' as const },
  ]);
}

function peak(values: readonly number[]): number {
  return values.reduce((a, b) => Math.max(a, b), 0);
}

function metrics(view: StatsView, latest: ContainerSample): Metric[] {
  const memoryUnit = byteUnit(peak(view.memory));
  const netUnit = byteUnit(peak([...view.netRx, ...view.netTx]), '/s');
  const blkioUnit = byteUnit(peak([...view.blkioRead, ...view.blkioWrite]), '/s');
  const now = (values: readonly number[]) => values.at(-1) ?? 0;
  const inUnit = (values: readonly number[], unit: Unit) => values.map((v) => v / unit.divisor);
  return [
    {
      title: 'CPU',
      unit: '%',
      summary: [{ text: `${now(view.cpu).toFixed(1)}% · peak ${peak(view.cpu).toFixed(1)}%`, style: 'plain' }],
      series: [view.cpu],
      minStep: 0.25,
    },
    {
      title: 'MEMORY',
      unit: memoryUnit.name,
      summary: [{ text: `${humanSize(latest.memoryUsage)} of ${humanSize(latest.memoryLimit)} · peak ${humanSize(peak(view.memory))}`, style: 'plain' }],
      series: [inUnit(view.memory, memoryUnit)],
      minStep: 0.25,
    },
    {
      title: 'NETWORK',
      unit: netUnit.name,
      summary: legend(['rx', 'tx'], [`${humanSize(now(view.netRx))}/s`, `${humanSize(now(view.netTx))}/s`]),
      series: [inUnit(view.netRx, netUnit), inUnit(view.netTx, netUnit)],
      minStep: 0.25,
    },
    {
      title: 'BLOCK I/O',
      unit: blkioUnit.name,
      summary: legend(['read', 'write'], [`${humanSize(now(view.blkioRead))}/s`, `${humanSize(now(view.blkioWrite))}/s`]),
      series: [inUnit(view.blkioRead, blkioUnit), inUnit(view.blkioWrite, blkioUnit)],
      minStep: 0.25,
    },
    {
      title: 'PIDS',
      unit: '',
      summary: [{ text: `${latest.pids} · peak ${peak(view.pids)}`, style: 'plain' }],
      series: [view.pids],
      minStep: 1, // a count: no fractional labels
    },
  ];
}

function headerRow(metric: Metric): Row {
  return [{ text: metric.title, style: 'header' }, { text: metric.unit ? ` (${metric.unit})  ` : '  ', style: 'dim' }, ...metric.summary];
}

function inkStyle(ink: ChartInk): Style | undefined {
  if (typeof ink === 'number') return SERIES_STYLES[ink];
  return ink === 'blank' ? undefined : 'dim';
}

function chartRows(metric: Metric, xLabels: readonly string[], width: number, height: number): Row[] {
  // as many y label steps as stay at least a text row apart, so no label overwrites another
  const plotPixels = (height + 1) * PIXELS_PER_ROW - X_AXIS_PIXELS;
  const steps = Math.max(1, Math.floor(plotPixels / PIXELS_PER_ROW) - 1);
  const { top, step } = niceScale(peak(metric.series.flat()), steps, metric.minStep);
  return drawLineChart({ series: metric.series, xLabels, width, height, top, step }).map((runs) =>
    runs.map((run) => ({ text: run.text, style: inkStyle(run.ink) })),
  );
}

/** The Stats tab's rows for a pane `width` wide; never more than `height` rows. */
export function statsLines(view: StatsView, width: number, height: number): Row[] {
  const latest = view.latest;
  if (!latest) return [[{ text: 'no samples yet', style: 'dim' }]];
  if (!latest.running) return [[{ text: 'not running', style: 'dim' }]];
  const all = metrics(view, latest);
  const waiting: Row = [{ text: 'charts start with the next sample', style: 'dim' }];
  if (view.xLabels.length === 0) return [...all.map(headerRow), waiting].slice(0, height);
  // charts for as many metrics as fit, in order; one header line for each of the rest
  let charted = width >= MIN_CHART_COLUMNS ? all.length : 0;
  while (charted > 0 && charted * (1 + MIN_CHART_ROWS) + (all.length - charted) > height) charted--;
  const rows: Row[] = [];
  const chartHeight = charted ? Math.floor((height - (all.length - charted)) / charted) - 1 : 0;
  all.forEach((metric, i) => {
    rows.push(headerRow(metric));
    if (i < charted) rows.push(...chartRows(metric, view.xLabels, width, chartHeight));
  });
  return rows.slice(0, height);
}
