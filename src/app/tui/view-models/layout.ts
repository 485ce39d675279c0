/**
 * Where each pane goes for a terminal size. Wide terminals (≥ 100 columns)
 * put the four list panes in a left column and the detail pane on the right;
 * narrower ones stack everything, giving the focused pane room and the
 * others one row each. Below 80×24 the TUI shows a "too small" message.
 */
export const MIN_COLS = 80;
export const MIN_ROWS = 24;

export type PaneId = 'containers' | 'images' | 'layers' | 'processes' | 'detail';
export const LIST_PANES: readonly PaneId[] = ['containers', 'images', 'layers', 'processes'];

export interface Rect {
  /** outer size, frame included */
  width: number;
  height: number;
}

export interface Layout {
  mode: 'wide' | 'stacked' | 'too-small';
  /** the list column's width (the detail pane's in stacked mode too) */
  panes: Record<PaneId, Rect>;
}

export function computeLayout(cols: number, rows: number, focus: PaneId): Layout {
  const zero = { width: 0, height: 0 };
  if (cols < MIN_COLS || rows < MIN_ROWS) {
    return { mode: 'too-small', panes: { containers: zero, images: zero, layers: zero, processes: zero, detail: zero } };
  }
  const body = rows - 1; // the status line
  if (cols >= 100) {
    const left = Math.max(46, Math.floor(cols * 0.5));
    const base = Math.floor(body / 4);
    const heights = [base, base, base, base];
    heights[0] += body - base * 4;
    return {
      mode: 'wide',
      panes: {
        containers: { width: left, height: heights[0] },
        images: { width: left, height: heights[1] },
        layers: { width: left, height: heights[2] },
        processes: { width: left, height: heights[3] },
        detail: { width: cols - left, height: body },
      },
    };
  }
  // stacked: unfocused list panes get one row (3 with the frame), the focused one and the detail pane share the rest
  const small = 3;
  const listFocused = focus !== 'detail';
  const rest = body - small * (listFocused ? 3 : 4);
  const focusedHeight = listFocused ? Math.max(5, Math.floor(rest * 0.45)) : 0;
  const detailHeight = rest - focusedHeight;
  const h = (p: PaneId) => (p === 'detail' ? detailHeight : p === focus ? focusedHeight : small);
  return {
    mode: 'stacked',
    panes: {
      containers: { width: cols, height: h('containers') },
      images: { width: cols, height: h('images') },
      layers: { width: cols, height: h('layers') },
      processes: { width: cols, height: h('processes') },
      detail: { width: cols, height: h('detail') },
    },
  };
}
