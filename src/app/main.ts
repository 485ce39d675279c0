/**
 * `berth` entry point: global options, then one verb. Only this function
 * exits the process; the engine and the verbs throw.
 */
import fs from 'node:fs';
import { COMMANDS, SUMMARY } from './cli/commands.js';
import { helpText, parseArgs } from './cli/args.js';
import type { CliContext } from './cli/context.js';
import { UsageError } from './cli/usage-error.js';
import { EXIT_USAGE, exitCodeFor } from './cli/exit-codes.js';
import { reportError } from './cli/report.js';
import { BerthError, StartError, asReported } from '../engine/errors.js';
import type { Engine } from '../engine/engine.js';

/** Built only when asked for: sorting with localeCompare starts ICU's collator, ~10 ms of every command otherwise. */
const globalHelp = () => `
Usage:  berth [OPTIONS] COMMAND

A container engine and terminal manager that needs no daemon

Options:
      --root string   Root of the berth store (default $BERTH_ROOT or /var/lib/berth)
  -D, --debug         Show stack traces for unexpected errors
  -v, --version       Print version information and quit
  -h, --help          Print usage

Commands:
${[...SUMMARY].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, text]) => `  ${name.padEnd(11)}${text}`).join('\n')}

Run 'berth COMMAND --help' for more information on a command.
`;

/** How the TUI's code is loaded: bin/berth.cjs hands in its bundle's loader; otherwise the compiled modules. */
export interface MainOptions {
  loadTui?: () => Promise<typeof import('./tui/run-tui.js')>;
  /** after loadTui: what the TUI awaits before its first render (bin/berth.cjs's Yoga) */
  tuiLayoutReady?: () => Promise<void> | undefined;
}

export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  let root: string | undefined;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--root') root = argv[++i];
    else if (arg.startsWith('--root=')) root = arg.slice('--root='.length);
    else if (arg === '-D' || arg === '--debug') process.env.BERTH_DEBUG = '1';
    else if (arg === '-v' || arg === '--version') return main(['version', '--format', 'berth version {{.Client.Version}}'], options);
    else if (arg === '-h' || arg === '--help') {
      process.stdout.write(globalHelp());
      return 0;
    } else if (arg.startsWith('-')) {
      process.stderr.write(`unknown flag: ${arg}\nSee 'berth --help'.\n`);
      return EXIT_USAGE;
    } else break;
  }
  const rest = argv.slice(i);
  if (rest.length === 0) {
    if (process.stdout.isTTY && process.stdin.isTTY) {
      // Ink draws only a final frame when it thinks it runs under CI; a person at this terminal needs every frame.
      delete process.env.CI;
      const tui = await (options.loadTui ?? (() => import('./tui/run-tui.js')))();
      return tui.runTui({ root, layoutReady: options.tuiLayoutReady?.() });
    }
    process.stdout.write(globalHelp());
    return 0;
  }
  const twoWord = `${rest[0]} ${rest[1] ?? ''}`;
  const name = COMMANDS[twoWord] ? twoWord : rest[0];
  const load = COMMANDS[name];
  if (!load) {
    const group = Object.keys(COMMANDS).filter((key) => key.startsWith(`${rest[0]} `));
    if (group.length > 0 && (rest.length === 1 || rest[1] === '--help' || rest[1] === '-h')) {
      process.stdout.write(await groupHelp(rest[0], group));
      return 0;
    }
    // exit 1, as docker's CLI does for a command it does not know (an unknown flag is 125)
    if (group.length > 0) {
      process.stderr.write(`berth: '${rest[0]} ${rest[1]}' is not a berth command.\nSee 'berth ${rest[0]} --help'\n`);
      return 1;
    }
    process.stderr.write(`berth: '${rest[0]}' is not a berth command.\nSee 'berth --help'\n`);
    return 1;
  }
  const command = await load();
  const args = rest.slice(name.split(' ').length);
  let engine: Engine | undefined;
  let stdout: NodeJS.WriteStream | undefined;
  const ctx: CliContext = {
    root,
    verb: command.spec.name,
    get out() {
      return (stdout ??= process.stdout);
    },
    get err() {
      return process.stderr;
    },
    write(text) {
      if (stdout) stdout.write(text);
      else writeStdoutSync(text, () => (stdout ??= process.stdout));
    },
    engine: async () => {
      if (!engine) {
        const { Engine } = await import('../engine/engine.js');
        engine = await Engine.start({ root });
      }
      return engine;
    },
  };
  try {
    if (args.includes('--help') && !command.spec.stopAtPositional) {
      process.stdout.write(helpText(command.spec));
      return 0;
    }
    const parsed = parseArgs(command.spec, args);
    if (parsed.help) {
      process.stdout.write(helpText(command.spec));
      return 0;
    }
    return (await command.run(ctx, parsed)) ?? 0;
  } catch (caught) {
    if (caught instanceof UsageError) {
      process.stderr.write(`berth: ${caught.message}\nSee 'berth ${command.spec.name} --help'.\n`);
      return EXIT_USAGE;
    }
    const err = asReported(caught, ctx.verb);
    reportError(ctx, err);
    if (err instanceof StartError) return err.exitCode;
    return exitCodeFor(err instanceof BerthError ? err.kind : undefined, { containerVerb: command.spec.runFamily });
  } finally {
    engine?.close();
  }
}

/**
 * Most commands print a few lines and exit: written straight to fd 1 they
 * spare Node building process.stdout (a net.Socket for a pipe, ~7 ms). A
 * non-blocking pipe that is full hands the rest to the stream.
 */
function writeStdoutSync(text: string, stream: () => NodeJS.WriteStream): void {
  let bytes = Buffer.from(text);
  while (bytes.length > 0) {
    try {
      bytes = bytes.subarray(fs.writeSync(1, bytes));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') return; // the reader has gone (`berth ps | head -1`)
      if (code !== 'EAGAIN') throw err;
      stream().write(bytes);
      return;
    }
  }
}

/** `berth network` and the like: Docker prints the group's commands. */
async function groupHelp(group: string, names: string[]): Promise<string> {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const name of [...names].sort()) {
    const { spec } = await COMMANDS[name]();
    if (seen.has(spec.name)) continue; // `ls` and `list` are one command
    seen.add(spec.name);
    const verb = spec.name.startsWith(`${group} `) ? spec.name.slice(group.length + 1) : name.slice(group.length + 1);
    lines.push(`  ${verb.padEnd(11)}${spec.description}`);
  }
  return `\nUsage:  berth ${group} COMMAND\n\nManage ${group}s\n\nCommands:\n${lines.join('\n')}\n\nRun 'berth ${group} COMMAND --help' for more information on a command.\n`;
}
