/**
 * The TUI's own state (focus, selections, filters, overlays, status line),
 * kept apart from engine data so it survives an attach: the runner saves it
 * when Ink unmounts and hands it back when the TUI returns.
 */
import type { PaneId } from './view-models/layout.js';
import type { SortKey } from './view-models/containers.js';

export type Tab = 'logs' | 'inspect' | 'stats' | 'diff';
export const TABS: readonly Tab[] = ['logs', 'inspect', 'stats', 'diff'];

export type PromptPurpose = 'filter' | 'search' | 'command' | 'exec' | 'commit' | 'tag';

export type Overlay =
  | { kind: 'help' }
  | { kind: 'prompt'; purpose: PromptPurpose; label: string; value: string; target?: string }
  | { kind: 'confirm'; message: string; what: 'container' | 'image'; target: string }
  | { kind: 'run'; image: string; name: string; command: string; ports: string; volumes: string; env: string; interactive: boolean; field: number }
  | { kind: 'output'; title: string; text: string };

export interface UiState {
  focus: PaneId;
  /** which object the detail pane shows: the selected container's tabs or the selected layer's files */
  detailFor: 'container' | 'image';
  /** selected container and image by ID, so rows moving under a refresh keep the selection */
  containerId?: string;
  imageId?: string;
  /** the selected image row's repository:tag (an image can have several rows) */
  imageTag?: string;
  layerIndex: number;
  processIndex: number;
  /** first line shown in the detail pane; undefined follows the end (logs) */
  detailScroll?: number;
  containerFilter: string;
  imageFilter: string;
  sort: SortKey;
  tab: Tab;
  logSearch: string;
  overlay: Overlay | null;
  status: { text: string; error: boolean };
}

export const INITIAL_STATE: UiState = {
  focus: 'containers',
  detailFor: 'container',
  layerIndex: 0,
  processIndex: 0,
  containerFilter: '',
  imageFilter: '',
  sort: 'name',
  tab: 'logs',
  logSearch: '',
  overlay: null,
  status: { text: '', error: false },
};

/** Focus order for Tab / Shift-Tab. */
export const FOCUS_ORDER: readonly PaneId[] = ['containers', 'images', 'layers', 'processes', 'detail'];

export function focusPane(state: UiState, focus: PaneId): UiState {
  const detailFor = focus === 'containers' || focus === 'processes' ? 'container' : focus === 'images' || focus === 'layers' ? 'image' : state.detailFor;
  return { ...state, focus, detailFor, detailScroll: detailFor !== state.detailFor ? undefined : state.detailScroll };
}

export function cycleFocus(state: UiState, step: 1 | -1): UiState {
  const i = FOCUS_ORDER.indexOf(state.focus);
  return focusPane(state, FOCUS_ORDER[(i + step + FOCUS_ORDER.length) % FOCUS_ORDER.length]);
}

export function cycleTab(state: UiState, step: 1 | -1): UiState {
  const i = TABS.indexOf(state.tab);
  return { ...state, tab: TABS[(i + step + TABS.length) % TABS.length], detailFor: 'container', detailScroll: undefined };
}
