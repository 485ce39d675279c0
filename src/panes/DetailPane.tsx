/**
 * The detail pane: for a container, tabs Logs / Inspect / Stats / Diff; for
 * an image, the selected layer's file tree and the image's efficiency. The
 * caller passes the lines already made by the view-models; this pane scrolls
 * them (following the end when `scroll` is undefined) and draws the tab bar.
 */
import type { Theme } from '../app/tui/theme.js';
import type { Row } from '../app/tui/view-models/segments.js';
import { Frame } from './Frame.js';

export interface DetailPaneProps {
  readonly title: string;
  readonly tabs?: readonly string[];
  readonly activeTab?: string;
  /** lines above the scrolling part (efficiency line, search status) */
  readonly fixed?: readonly Row[];
  readonly lines: readonly Row[];
  /** first line shown; undefined follows the end */
  readonly scroll: number | undefined;
  readonly width: number;
  readonly height: number;
  readonly focused: boolean;
  readonly theme: Theme;
}

/** The first line shown for a scroll position, clamped to what fits. */
export function detailOffset(scroll: number | undefined, count: number, room: number): number {
  const last = Math.max(0, count - room);
  return scroll === undefined ? last : Math.min(Math.max(0, scroll), last);
}

export function DetailPane({ title, tabs, activeTab, fixed = [], lines, scroll, width, height, focused, theme }: DetailPaneProps) {
  const tabRow: Row[] = tabs
    ? [tabs.flatMap((t, i) => [{ text: i === 0 ? ' ' : ' │ ', style: 'dim' as const }, { text: t === activeTab ? `[${t}]` : t, style: t === activeTab ? ('accent' as const) : ('dim' as const) }])]
    : [];
  const head = [...tabRow, ...fixed];
  const room = Math.max(0, height - 2 - head.length);
  const offset = detailOffset(scroll, lines.length, room);
  const visible = lines.slice(offset, offset + room);
  const info = lines.length > room ? `${offset + 1}-${offset + visible.length} of ${lines.length}` : '';
  return <Frame title={`[5] ${title}`} width={width} height={height} focused={focused} lines={[...head, ...visible]} info={info} theme={theme} />;
}
