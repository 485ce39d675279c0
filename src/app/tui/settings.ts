/**
 * User preferences (DESIGN §3: a `conf` store, not the engine root):
 * keybindings, detach keys, theme, refresh interval, default engine root.
 * The file is `$XDG_CONFIG_HOME/berth/config.json` (conf's default place),
 * or `$BERTH_CONFIG_DIR/config.json` when that is set (tests use it).
 */
import Conf from 'conf';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../detach-keys.js';
import { buildKeymap } from './keymap.js';

export type ThemeName = 'default' | 'monochrome';

export interface Settings {
  /** action → key or keys, replacing that action's defaults (see keymap.ts) */
  keybindings: Record<string, string | string[]>;
  /** Docker's syntax: "ctrl-p,ctrl-q" */
  detachKeys: string;
  /** "monochrome" draws without colours; NO_COLOR in the environment forces it */
  theme: ThemeName;
  /** how often idle panes re-read the engine, ms */
  refreshMs: number;
  /** engine root when neither --root nor $BERTH_ROOT is given; "" for the built-in default */
  root: string;
}

export const DEFAULT_SETTINGS: Settings = {
  keybindings: {},
  detachKeys: DEFAULT_DETACH_KEYS,
  theme: 'default',
  refreshMs: 2000,
  root: '',
};

const SCHEMA = {
  keybindings: { type: 'object', additionalProperties: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] } },
  detachKeys: { type: 'string' },
  theme: { type: 'string', enum: ['default', 'monochrome'] },
  refreshMs: { type: 'number', minimum: 100 },
  root: { type: 'string' },
} as const;

export interface LoadedSettings {
  settings: Settings;
  /** where they live */
  path: string;
  set<K extends keyof Settings>(key: K, value: Settings[K]): void;
}

function open(dir?: string): Conf<Settings> {
  const cwd = dir ?? process.env.BERTH_CONFIG_DIR;
  return new Conf<Settings>({
    projectName: 'berth',
    projectSuffix: '',
    ...(cwd ? { cwd } : {}),
    defaults: DEFAULT_SETTINGS,
    schema: SCHEMA as never,
    clearInvalidConfig: false,
  });
}

/** Reads the settings, checking that keybindings and detach keys make sense (throws with the reason). */
export function loadSettings(dir?: string): LoadedSettings {
  const conf = open(dir);
  const settings: Settings = { ...DEFAULT_SETTINGS, ...conf.store };
  validateSettings(settings);
  return {
    settings,
    path: conf.path,
    set(key, value) {
      const next = { ...settings, [key]: value };
      validateSettings(next);
      conf.set(key, value);
      settings[key] = value;
    },
  };
}

export function validateSettings(s: Settings): void {
  buildKeymap(s.keybindings);
  parseDetachKeys(s.detachKeys);
}

/** NO_COLOR (https://no-color.org) wins over the setting. */
export function effectiveTheme(s: Settings, env: NodeJS.ProcessEnv = process.env): ThemeName {
  return env.NO_COLOR !== undefined && env.NO_COLOR !== '' ? 'monochrome' : s.theme;
}
