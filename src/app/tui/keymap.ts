/**
 * The TUI's one keymap table (scope, key, action, description). It drives
 * input handling (`resolveKey`), the `?` help overlay (`helpSections`) and
 * the key list in src/app/tui/KEYS.md (`keymapMarkdown`, checked by a test). Users remap actions through
 * the `keybindings` setting: `{ "stop": "S", "down": ["j", "ctrl-n"] }`
 * replaces that action's keys everywhere.
 *
 * Keys are named canonically: a printable character as itself ("K" is
 * shift-k), and "up", "down", "left", "right", "pageup", "pagedown", "home",
 * "end", "enter", "escape", "tab", "shift-tab", "backspace", "delete",
 * "ctrl-<letter>".
 */
import type { Key } from 'ink';

/** Where a binding applies: everywhere, in any list pane, or in one place. */
export type Scope = 'global' | 'list' | 'containers' | 'images' | 'detail' | 'logs';

export type Action =
  | 'up'
  | 'down'
  | 'top'
  | 'bottom'
  | 'pageUp'
  | 'pageDown'
  | 'nextPane'
  | 'prevPane'
  | 'pane1'
  | 'pane2'
  | 'pane3'
  | 'pane4'
  | 'nextTab'
  | 'prevTab'
  | 'attach'
  | 'exec'
  | 'logs'
  | 'stop'
  | 'restart'
  | 'pause'
  | 'kill'
  | 'delete'
  | 'run'
  | 'commit'
  | 'tag'
  | 'sort'
  | 'filter'
  | 'search'
  | 'nextMatch'
  | 'command'
  | 'help'
  | 'quit';

export interface Binding {
  scope: Scope;
  keys: string[];
  action: Action;
  description: string;
}

export const DEFAULT_KEYMAP: readonly Binding[] = [
  { scope: 'list', keys: ['j', 'down'], action: 'down', description: 'next row' },
  { scope: 'list', keys: ['k', 'up'], action: 'up', description: 'previous row' },
  { scope: 'list', keys: ['g', 'home'], action: 'top', description: 'first row' },
  { scope: 'list', keys: ['G', 'end'], action: 'bottom', description: 'last row' },
  { scope: 'list', keys: ['pageup', 'ctrl-b'], action: 'pageUp', description: 'page up' },
  { scope: 'list', keys: ['pagedown', 'ctrl-f'], action: 'pageDown', description: 'page down' },
  { scope: 'list', keys: ['/'], action: 'filter', description: 'filter rows (escape clears)' },
  { scope: 'global', keys: ['tab'], action: 'nextPane', description: 'next pane' },
  { scope: 'global', keys: ['shift-tab'], action: 'prevPane', description: 'previous pane' },
  { scope: 'global', keys: ['1'], action: 'pane1', description: 'containers pane' },
  { scope: 'global', keys: ['2'], action: 'pane2', description: 'images pane' },
  { scope: 'global', keys: ['3'], action: 'pane3', description: 'layers pane' },
  { scope: 'global', keys: ['4'], action: 'pane4', description: 'processes pane' },
  { scope: 'global', keys: [']', 'right'], action: 'nextTab', description: 'next detail tab (logs, inspect, stats, diff)' },
  { scope: 'global', keys: ['[', 'left'], action: 'prevTab', description: 'previous detail tab' },
  { scope: 'containers', keys: ['a'], action: 'attach', description: 'attach (detach keys from settings)' },
  { scope: 'containers', keys: ['e'], action: 'exec', description: 'exec a command (default /bin/sh)' },
  { scope: 'containers', keys: ['l'], action: 'logs', description: 'follow logs in the detail pane' },
  { scope: 'containers', keys: ['s'], action: 'stop', description: 'stop' },
  { scope: 'containers', keys: ['r'], action: 'restart', description: 'restart (start when stopped)' },
  { scope: 'containers', keys: ['p'], action: 'pause', description: 'pause / unpause' },
  { scope: 'containers', keys: ['K'], action: 'kill', description: 'kill' },
  { scope: 'containers', keys: ['c'], action: 'commit', description: 'commit to an image' },
  { scope: 'containers', keys: ['o'], action: 'sort', description: 'cycle sort: name, status, cpu, memory' },
  { scope: 'list', keys: ['d'], action: 'delete', description: 'delete (asks first)' },
  { scope: 'images', keys: ['R'], action: 'run', description: 'run a container from the image' },
  { scope: 'images', keys: ['t'], action: 'tag', description: 'tag the image' },
  { scope: 'logs', keys: ['/'], action: 'search', description: 'search the logs, matches highlighted' },
  { scope: 'logs', keys: ['n'], action: 'nextMatch', description: 'scroll to the next older match' },
  { scope: 'global', keys: [':'], action: 'command', description: 'command line (berth verbs: run -dit busybox sh)' },
  { scope: 'global', keys: ['?'], action: 'help', description: 'this help' },
  { scope: 'global', keys: ['q', 'ctrl-c'], action: 'quit', description: 'quit (containers keep running)' },
];

/** Applies `keybindings` from settings: each named action gets exactly the keys given. */
export function buildKeymap(overrides: Readonly<Record<string, string | readonly string[]>> = {}): Binding[] {
  const known = new Set(DEFAULT_KEYMAP.map((b) => b.action));
  for (const action of Object.keys(overrides)) {
    if (!known.has(action as Action)) throw new Error(`keybindings: unknown action "${action}" (known: ${[...known].join(', ')})`);
  }
  return DEFAULT_KEYMAP.map((b) => {
    const o = overrides[b.action];
    return o === undefined ? { ...b } : { ...b, keys: typeof o === 'string' ? [o] : [...o] };
  });
}

/** Ink's (input, key) as one canonical key name; '' when it has none. */
export function keyName(input: string, key: Key): string {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'enter';
  if (key.escape) return 'escape';
  if (key.tab) return key.shift ? 'shift-tab' : 'tab';
  if (key.backspace) return 'backspace';
  if (key.delete) return 'delete';
  if (key.ctrl && input.length === 1) return `ctrl-${input.toLowerCase()}`;
  return input;
}

/**
 * The action `name` triggers in the given scopes, most specific first (the
 * scopes array is ordered by the caller: e.g. ['logs', 'detail', 'global']).
 */
export function resolveKey(keymap: readonly Binding[], scopes: readonly Scope[], name: string): Action | undefined {
  for (const scope of scopes) {
    const hit = keymap.find((b) => b.scope === scope && b.keys.includes(name));
    if (hit) return hit.action;
  }
  return undefined;
}

const SCOPE_TITLES: Record<Scope, string> = {
  global: 'Everywhere',
  list: 'Lists',
  containers: 'Containers',
  images: 'Images',
  detail: 'Detail',
  logs: 'Logs tab',
};

/** The help overlay's content: one section per scope, keys joined by "/". */
export function helpSections(keymap: readonly Binding[]): { title: string; rows: [string, string][] }[] {
  return (Object.keys(SCOPE_TITLES) as Scope[])
    .map((scope) => ({
      title: SCOPE_TITLES[scope],
      rows: keymap.filter((b) => b.scope === scope).map((b): [string, string] => [b.keys.join('/'), b.description]),
    }))
    .filter((s) => s.rows.length > 0);
}

/** The key list as Markdown, for src/app/tui/KEYS.md (a test checks the file is current). */
export function keymapMarkdown(keymap: readonly Binding[] = DEFAULT_KEYMAP): string {
  const lines = ['| Where | Keys | Action | What it does |', '| --- | --- | --- | --- |'];
  for (const b of keymap) lines.push(`| ${SCOPE_TITLES[b.scope]} | ${b.keys.map((k) => `\`${k === '|' ? '\\|' : k}\``).join(' ')} | ${b.action} | ${b.description} |`);
  return `${lines.join('\n')}\n`;
}
