/** Selection and scrolling of a list pane, pure so key handling is testable without a terminal. */

export type Move = 'up' | 'down' | 'top' | 'bottom' | 'pageUp' | 'pageDown';

/** The new selected index after `move` in a list of `count` rows showing `page` at a time. */
export function moveSelection(index: number, count: number, move: Move, page: number): number {
  if (count <= 0) return 0;
  const step = Math.max(1, page - 1);
  const next = {
    up: index - 1,
    down: index + 1,
    top: 0,
    bottom: count - 1,
    pageUp: index - step,
    pageDown: index + step,
  }[move];
  return Math.min(Math.max(next, 0), count - 1);
}

/** Keeps `index` within [0, count). */
export function clampIndex(index: number, count: number): number {
  return count <= 0 ? 0 : Math.min(Math.max(index, 0), count - 1);
}

/** First visible row so that `selected` shows in a window of `height` rows, keeping it centred-ish like less does when paging. */
export function scrollOffset(selected: number, count: number, height: number): number {
  if (height <= 0 || count <= height) return 0;
  const offset = selected - Math.floor(height / 2);
  return Math.min(Math.max(offset, 0), count - height);
}
