/**
 * `berth config`: the user's settings (keybindings, detach keys, theme,
 * refresh interval, default engine root) and the file they live in;
 * `berth config set KEY VALUE` changes one (VALUE is JSON, or a plain string).
 */
import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { UsageError } from './usage-error.js';
import { DEFAULT_SETTINGS, effectiveTheme, loadSettings, type Settings } from '../tui/settings.js';
import { invalidArgument } from '../../engine/errors.js';

export const spec: CommandSpec = {
  name: 'config',
  usage: 'config [OPTIONS] [set KEY VALUE]',
  description: 'Show (or set) the TUI settings and where they live',
  maxArgs: 3,
  flags: {
    path: { type: 'bool', description: 'Print only the settings file path' },
    json: { type: 'bool', description: 'Print the settings as JSON' },
  },
};

export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<void> {
  const loaded = loadSettings();
  if (args.length > 0) {
    if (args[0] !== 'set' || args.length !== 3) throw new UsageError(spec, 'usage: berth config set KEY VALUE');
    const key = args[1] as keyof Settings;
    if (!(key in DEFAULT_SETTINGS)) throw invalidArgument(`unknown setting "${args[1]}" (known: ${Object.keys(DEFAULT_SETTINGS).join(', ')})`);
    let value: unknown;
    try {
      value = JSON.parse(args[2]);
    } catch {
      value = args[2];
    }
    const expected = typeof DEFAULT_SETTINGS[key];
    if (typeof value !== expected) throw invalidArgument(`${key} takes a ${expected}`);
    try {
      await loaded.set(key, value as never);
    } catch (err) {
      throw invalidArgument((err as Error).message);
    }
    return;
  }
  if (flags.path) return print(ctx, loaded.path);
  if (flags.json) return print(ctx, JSON.stringify(loaded.settings, null, 2));
  const s = loaded.settings;
  const theme = effectiveTheme(s);
  const lines = [
    `Settings file: ${loaded.path}`,
    `keybindings:   ${Object.keys(s.keybindings).length === 0 ? '(defaults; see ? in the TUI)' : JSON.stringify(s.keybindings)}`,
    `detachKeys:    ${s.detachKeys}`,
    `theme:         ${s.theme}${theme !== s.theme ? ` (${theme}: NO_COLOR is set)` : ''}`,
    `refreshMs:     ${s.refreshMs}`,
    `root:          ${s.root || '(default: --root, $BERTH_ROOT or /var/lib/berth)'}`,
  ];
  print(ctx, lines.join('\n'));
}
