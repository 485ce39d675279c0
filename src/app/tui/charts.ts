/**
 * Line charts drawn by blessed-contrib, as rows of text for Ink.
 *
 * blessed-contrib's line widget is a blessed Box: constructing one needs a
 * blessed screen, which would take the terminal from Ink. Its drawing code
 * does not: `Line.prototype.setData` only reads `options`, `canvasSize` and
 * `ctx` (a drawille braille canvas), plots the series, the axes and the labels
 * on it, and the widget's `render` then shows `ctx._canvas.frame()`. So we
 * call `setData` on a plain object carrying those three, and read the frame
 * ourselves. The frame marks each cell with the ANSI colour it was drawn in;
 * we draw every role (each series, the axes, the labels) in its own colour
 * only to tell the cells apart, and hand back which role drew each cell, so
 * the theme (colours or monochrome) decides how it looks.
 *
 * blessed-contrib is CommonJS and takes ~100 ms to load (it pulls in blessed),
 * so it is required on the first chart, not when the TUI starts.
 */
import { createRequire } from 'node:module';

/** What drew a run of cells: a series (by index), the axes, the labels, or nothing. */
export type ChartInk = number | 'axis' | 'label' | 'blank';

export interface ChartRun {
  text: string;
  ink: ChartInk;
}

export interface LineChartInput {
  /** one or more series of the same length, oldest value first */
  readonly series: readonly (readonly number[])[];
  /** one per value; blessed-contrib prints as many as fit under the x axis */
  readonly xLabels: readonly string[];
  /** size in character cells */
  readonly width: number;
  readonly height: number;
  /** the y axis runs from 0 to `top`, labelled every `step` (0, step, …, top) */
  readonly top: number;
  readonly step: number;
}

interface LineOptions {
  showNthLabel: number;
  style: { line: string; text: string; baseline: string };
  xLabelPadding: number;
  xPadding: number;
  numYLabels: number;
  legend: Record<string, never>;
  wholeNumbersOnly: boolean;
  minY: number;
  maxY: number;
  showLegend: false;
}

interface DrawilleContext {
  _canvas: { frame(): string };
}

interface BlessedContribLine {
  prototype: {
    setData(this: { options: LineOptions; canvasSize: { width: number; height: number }; ctx: DrawilleContext }, data: { x: string[]; y: number[]; style: { line: string } }[]): void;
  };
}

interface DrawilleCanvasModule {
  Canvas: new (width: number, height: number) => { getContext(): DrawilleContext };
}

// The colours are only tags for the roles; see the file comment.
const SERIES_COLOURS = ['green', 'cyan', 'magenta', 'yellow'];
const AXIS_COLOUR = 'blue';
const LABEL_COLOUR = 'white';
const ANSI_FG: Record<string, number> = { black: 30, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, white: 37 };

let loaded: { Line: BlessedContribLine; Canvas: DrawilleCanvasModule['Canvas'] } | undefined;

function blessedContrib() {
  if (!loaded) {
    const require = createRequire(import.meta.url);
    const Line = require('blessed-contrib/lib/widget/charts/line.js') as BlessedContribLine;
    // the canvas the widget itself draws on, resolved from blessed-contrib (it is its dependency, not ours)
    const fromContrib = createRequire(require.resolve('blessed-contrib/lib/widget/canvas.js'));
    const { Canvas } = fromContrib('drawille-canvas-blessed-contrib') as DrawilleCanvasModule;
    loaded = { Line, Canvas };
  }
  return loaded;
}

/**
 * Draws `series` as a blessed-contrib line chart of `width` × `height`
 * cells: y labels on the left, the axes, the x labels on the last row.
 * Returns one array of runs per row, each row exactly `width` cells.
 */
export function drawLineChart({ series, xLabels, width, height, top, step }: LineChartInput): ChartRun[][] {
  if (width < 1 || height < 1) return [];
  if (!(top > 0 && step > 0) || series.length > SERIES_COLOURS.length) throw new Error('drawLineChart: bad scale or too many series');
  const points = xLabels.length;
  if (points === 0 || series.some((s) => s.length !== points)) throw new Error('drawLineChart: every series needs one value per x label');
  const { Line, Canvas } = blessedContrib();
  // blessed-contrib leaves the canvas's last text row empty (its x labels sit
  // 8 pixels above the bottom), so draw one row more and drop it.
  const canvasSize = { width: width * 2, height: (height + 1) * 4 };
  const ctx = new Canvas(canvasSize.width, canvasSize.height).getContext();
  const options: LineOptions = {
    showNthLabel: 1,
    style: { line: SERIES_COLOURS[0], text: LABEL_COLOUR, baseline: AXIS_COLOUR },
    xLabelPadding: 5,
    xPadding: 10,
    // one label more than the steps and a maximum one step above `top`: blessed-contrib
    // labels from minY while below maxY, so this labels 0…top and leaves a step of headroom
    numYLabels: Math.round(top / step) + 1,
    legend: {},
    wholeNumbersOnly: false,
    minY: 0,
    maxY: top + step,
    showLegend: false,
  };
  const data = series.map((values, i) => ({
    x: [...xLabels],
    y: values.map((v) => (Number.isFinite(v) ? Math.min(Math.max(v, 0), top) : 0)),
    style: { line: SERIES_COLOURS[i] },
  }));
  Line.prototype.setData.call({ options, canvasSize, ctx }, data);
  return readFrame(ctx._canvas.frame(), series.length)
    .slice(0, height)
    .map((row) => fitRuns(row, width));
}

/** Splits blessed-contrib's ANSI-coloured frame into rows of runs by the role each colour stands for. */
function readFrame(frame: string, seriesCount: number): ChartRun[][] {
  const inkOf = new Map<number, ChartInk>([
    [ANSI_FG[AXIS_COLOUR], 'axis'],
    [ANSI_FG[LABEL_COLOUR], 'label'],
  ]);
  for (let i = 0; i < seriesCount; i++) inkOf.set(ANSI_FG[SERIES_COLOURS[i]], i);
  const rows: ChartRun[][] = [];
  for (const line of frame.split('\n').slice(0, -1)) {
    const row: ChartRun[] = [];
    let ink: ChartInk = 'blank';
    for (const [, code, char] of line.matchAll(/\x1b\[(\d+)m|([^\x1b])/gu)) {
      if (code !== undefined) {
        const n = Number(code);
        if (n >= 30 && n <= 39) ink = inkOf.get(n) ?? 'blank';
        continue;
      }
      const cellInk: ChartInk = char === ' ' && ink !== 'label' ? 'blank' : ink;
      const last = row.at(-1);
      if (last && last.ink === cellInk) last.text += char;
      else row.push({ text: char, ink: cellInk });
    }
    rows.push(row);
  }
  return rows;
}

function fitRuns(row: ChartRun[], width: number): ChartRun[] {
  const out: ChartRun[] = [];
  let left = width;
  for (const run of row) {
    if (left <= 0) break;
    const chars = [...run.text].slice(0, left);
    out.push({ text: chars.join(''), ink: run.ink });
    left -= chars.length;
  }
  if (left > 0) out.push({ text: ' '.repeat(left), ink: 'blank' });
  return out;
}
