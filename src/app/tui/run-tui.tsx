/**
 * `berth` with no arguments on a terminal: the TUI on the in-process engine.
 *
 * The TUI draws on the alternate screen. To attach or exec it hands the whole
 * terminal to the container: Ink is unmounted (its raw mode and stdin
 * listener go with it), the main screen comes back with a one-line hint
 * naming the detach keys, bridgeTerminal (the CLI's own) runs until detach or
 * exit, and the TUI is mounted again with the state it had, the outcome in
 * its status line.
 *
 * React and Ink are loaded here, not imported above: React picks its build
 * from NODE_ENV when first loaded, and this file has no JSX for that reason
 * (TypeScript would put a react/jsx-runtime import first). Ink draws into a
 * FrameWriter (screen.ts), which sends the terminal only the changed cells.
 */
import path from 'node:path';
import type { Instance } from 'ink';
import type { Engine } from '../../engine/engine.js';
import { attach } from '../../engine/containers/attach-client.js';
import { bridgeTerminal, type AttachOutcome } from '../cli/terminal.js';
import type { Handoff } from './App.js';
import { EngineTuiClient } from './engine-client.js';
import { DRAW_MODES, FrameWriter, NORMAL_MODES } from './screen.js';
import { loadSettings, type Settings } from './settings.js';
import type { UiState } from './state.js';

const ALT_SCREEN_ON = '\x1b[?1049h\x1b[H';
const ALT_SCREEN_OFF = '\x1b[?1049l';

export interface TuiOptions {
  /** --root; else $BERTH_ROOT, else the `root` setting, else the built-in default */
  root?: string;
  /** awaited before the first render, once the engine is open: Ink's layout engine is still loading (bin/berth.cjs) */
  layoutReady?: Promise<void>;
}

export async function runTui(options: TuiOptions = {}): Promise<number> {
  let settings: Settings;
  try {
    settings = loadSettings().settings;
  } catch (err) {
    process.stderr.write(`berth: settings: ${err instanceof Error ? err.message : String(err)}\nSee 'berth config'.\n`);
    return 1;
  }
  const root = options.root ?? (process.env.BERTH_ROOT || settings.root || undefined);
  // Unset means React's development build: several times the work per frame (checks, component
  // timings). Read once, when React loads; put back after, so containers and shims see what the user set.
  // (The TUI bundle has React's production build only; this is for the compiled modules.)
  const env = process.env;
  const mode = env.NODE_ENV;
  env.NODE_ENV ??= 'production';
  const [{ Engine }, { createElement }, { render }, { App, errorText }] = await Promise.all([
    import('../../engine/engine.js'),
    import('react'),
    import('ink'),
    import('./App.js'),
  ]).finally(() => {
    if (mode === undefined) delete env.NODE_ENV;
  });
  const engine = await Engine.start({ root });
  try {
    await options.layoutReady;
  } catch (err) {
    engine.close();
    throw err;
  }
  const client = new EngineTuiClient(engine);
  const out = process.stdout;
  let state: UiState | undefined;
  out.write(ALT_SCREEN_ON + DRAW_MODES);
  try {
    for (;;) {
      let instance: Instance | undefined;
      let quit = () => {};
      const screen = new FrameWriter(out);
      const next = await new Promise<{ kind: 'quit' } | { kind: 'handoff'; handoff: Handoff }>((resolve) => {
        quit = () => resolve({ kind: 'quit' });
        process.on('SIGTERM', quit);
        process.on('SIGHUP', quit);
        const app = createElement(App, {
          client,
          settings,
          initialState: state,
          onHandoff: (handoff, s) => {
            state = s;
            resolve({ kind: 'handoff', handoff });
          },
          onQuit: (s) => {
            state = s;
            resolve({ kind: 'quit' });
          },
        });
        // debug: Ink writes each frame whole and unthrottled, and leaves the cursor alone; the FrameWriter draws the differences
        instance = render(app, { stdout: screen.stream, debug: true, exitOnCtrlC: false, patchConsole: false });
      }).finally(() => {
        process.off('SIGTERM', quit);
        process.off('SIGHUP', quit);
      });
      instance?.unmount();
      await instance?.waitUntilExit().catch(() => {});
      screen.close();
      if (next.kind === 'quit') break;
      bytesFromStdin();
      out.write(NORMAL_MODES + ALT_SCREEN_OFF);
      const message = await handOver(engine, next.handoff, settings).catch((err: unknown) => ({ text: errorText(err), error: true }));
      state = { ...(state as UiState), overlay: null, status: message };
      out.write(ALT_SCREEN_ON + DRAW_MODES);
    }
  } finally {
    out.write(NORMAL_MODES + ALT_SCREEN_OFF);
    engine.close();
  }
  return 0;
}

/**
 * Ink sets stdin's encoding to utf8, after which 'data' events carry strings;
 * bridgeTerminal matches detach keys byte by byte and needs Buffers again.
 * Readable has no public way to drop an encoding, so reset its decoder.
 */
function bytesFromStdin(): void {
  const state = (process.stdin as unknown as { _readableState?: { decoder: unknown; encoding: unknown } })._readableState;
  if (state) {
    state.decoder = null;
    state.encoding = null;
  }
}

/** Gives the terminal to a container (or a terminal-hungry CLI command); returns the status line to come back to. */
async function handOver(engine: Engine, handoff: Handoff, settings: Settings): Promise<{ text: string; error: boolean }> {
  const out = process.stdout;
  if (handoff.kind === 'command') {
    out.write(`berth ${handoff.argv.join(' ')}\n`);
    const { main } = await import('../main.js');
    const code = await main(['--root', engine.store.root, ...handoff.argv]);
    return { text: `berth ${handoff.argv[0]}: exit ${code}`, error: code !== 0 };
  }
  const container = engine.containers.get(handoff.id);
  const keys = settings.detachKeys;
  if (handoff.kind === 'attach') {
    const stdin = container.config.OpenStdin;
    out.write(`Attached to ${container.name}. ${stdin && container.config.Tty ? `Detach with ${keys}; the container keeps running.` : 'Output only; it ends when the container exits.'}\n`);
    const session = await attach(path.join(engine.store.root, 'containers', container.id), {
      stdin,
      stdout: true,
      stderr: true,
      cols: out.columns,
      rows: out.rows,
    });
    // a TTY shell has printed its prompt already: a newline makes it print one for the user to see
    if (stdin && container.config.Tty) session.write('\n');
    const outcome = await bridgeTerminal(session, { tty: container.config.Tty, stdin, detachKeys: keys });
    return describe(engine, container.id, container.name, outcome);
  }
  out.write(`exec ${handoff.cmd.join(' ')} in ${container.name}. It ends when the command exits (${keys} leaves it).\n`);
  const session = await engine.containers.exec(container.id, { cmd: handoff.cmd, tty: true, interactive: true, cols: out.columns, rows: out.rows });
  const outcome = await bridgeTerminal(session, { tty: true, stdin: true, detachKeys: keys });
  if (outcome.kind === 'exit') return { text: `exec ${handoff.cmd.join(' ')} in ${container.name} exited with code ${outcome.exit.code}`, error: outcome.exit.code !== 0 };
  return { text: `left exec in ${container.name}`, error: false };
}

async function describe(engine: Engine, id: string, name: string, outcome: AttachOutcome): Promise<{ text: string; error: boolean }> {
  switch (outcome.kind) {
    case 'detached':
      return { text: `detached from ${name}; it keeps running`, error: false };
    case 'exit':
      return { text: `${name} exited with code ${outcome.exit.code}${outcome.exit.oomKilled ? ' (OOM killed)' : ''}`, error: outcome.exit.code !== 0 };
    case 'error':
      return { text: `${name}: ${outcome.message}`, error: true };
    case 'lost': {
      const code = await engine.containers.wait(id).catch(() => undefined);
      return { text: code === undefined ? `lost the connection to ${name}` : `${name} exited with code ${code}`, error: code !== 0 };
    }
  }
}
