/**
 * User preferences (DESIGN §3: a `conf` store, not the engine root):
 * keybindings, detach keys, theme, refresh interval, default engine root.
 * The file is `$XDG_CONFIG_HOME/berth/config.json` (conf's default place),
 * or `$BERTH_CONFIG_DIR/config.json` when that is set (tests use it).
 *
 * Reading is a plain JSON read checked against the same schema conf holds:
 * conf compiles its schema with ajv on construction (~80 ms), which every
 * TUI start would pay for a file of five keys. Writes go through conf,
 * loaded on the first write, so the file stays conf's (atomic, schema-checked).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Conf from 'conf';
import { onFirstUse } from '../../engine/builtins.js';
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
  set<K extends keyof Settings>(key: K, value: Settings[K]): Promise<void>;
}

/** conf's place for the file: env-paths' config dir for "berth" unless a directory is given. */
function settingsDir(dir?: string): string {
  return dir || process.env.BERTH_CONFIG_DIR || path.join(process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'berth');
}

const loadConf = onFirstUse<typeof import('conf')>('conf');

function openConf(cwd: string): Conf<Settings> {
  const { default: Conf } = loadConf();
  return new Conf<Settings>({ projectName: 'berth', projectSuffix: '', cwd, defaults: DEFAULT_SETTINGS, schema: SCHEMA as never, clearInvalidConfig: false });
}

/** Reads the settings, checking them against the schema and that keybindings and detach keys make sense (throws with the reason). */
export function loadSettings(dir?: string): LoadedSettings {
  const cwd = settingsDir(dir);
  const file = path.join(cwd, 'config.json');
  let stored: Record<string, unknown> = {};
  try {
    stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file}: ${(err as Error).message}`);
  }
  checkSchema(stored);
  const settings: Settings = { ...DEFAULT_SETTINGS, ...(stored as Partial<Settings>) };
  validateSettings(settings);
  return {
    settings,
    path: file,
    async set(key, value) {
      const next = { ...settings, [key]: value };
      checkSchema(next);
      validateSettings(next);
      openConf(cwd).set(key, value);
      settings[key] = value;
    },
  };
}

/** The checks conf's schema makes, with its wording. */
function checkSchema(stored: Record<string, unknown>): void {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) throw new Error('Config schema violation: the settings file must hold a JSON object');
  const violation = (key: string, what: string) => new Error(`Config schema violation: \`${key}\` ${what}`);
  for (const [key, value] of Object.entries(stored)) {
    if (value === undefined) continue;
    switch (key) {
      case 'keybindings':
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw violation(key, 'must be object');
        for (const [action, keys] of Object.entries(value)) {
          const ok = typeof keys === 'string' || (Array.isArray(keys) && keys.every((k) => typeof k === 'string'));
          if (!ok) throw violation(`keybindings/${action}`, 'must be string or array of strings');
        }
        break;
      case 'detachKeys':
      case 'root':
        if (typeof value !== 'string') throw violation(key, 'must be string');
        break;
      case 'theme':
        if (value !== 'default' && value !== 'monochrome') throw violation(key, 'must be equal to one of the allowed values: default, monochrome');
        break;
      case 'refreshMs':
        if (typeof value !== 'number' || !Number.isFinite(value)) throw violation(key, 'must be number');
        if (value < 100) throw violation(key, 'must be >= 100');
        break;
    }
  }
}

export function validateSettings(s: Settings): void {
  buildKeymap(s.keybindings);
  parseDetachKeys(s.detachKeys);
}

/** NO_COLOR (https://no-color.org) wins over the setting. */
export function effectiveTheme(s: Settings, env: NodeJS.ProcessEnv = process.env): ThemeName {
  return env.NO_COLOR !== undefined && env.NO_COLOR !== '' ? 'monochrome' : s.theme;
}
