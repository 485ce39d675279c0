/**
 * The `:` command line: a berth CLI command run through the CLI's own verbs
 * (src/app/cli) on the TUI's engine, its output captured for the status line
 * or an overlay. Commands that need the terminal (attach, run/exec/start
 * with -i, -t or -a and without -d) are handed to the runner instead.
 */
import { Writable } from 'node:stream';
import type { Engine } from '../../engine/engine.js';
import { BerthError, StartError, asReported } from '../../engine/errors.js';
import { COMMANDS } from '../cli/commands.js';
import { helpText, parseArgs } from '../cli/args.js';
import type { CliContext } from '../cli/context.js';
import { UsageError } from '../cli/usage-error.js';
import { EXIT_USAGE, exitCodeFor } from '../cli/exit-codes.js';
import { reportError } from '../cli/report.js';
import { shellWords } from './shell-words.js';

/** Which verb an argv names ("container ls" or "ps"), and its arguments. */
export function resolveVerb(argv: readonly string[]): { name: string; args: string[] } | undefined {
  const two = `${argv[0]} ${argv[1] ?? ''}`;
  const name = COMMANDS[two] ? two : argv[0];
  if (!COMMANDS[name]) return undefined;
  return { name, args: argv.slice(name.split(' ').length) };
}

/** True for commands that must own the terminal: attach, and run/exec/start attached or interactive. */
export function needsTerminal(argv: readonly string[]): boolean {
  const verb = resolveVerb(argv);
  if (!verb) return false;
  const base = verb.name.replace(/^container /, '');
  if (base === 'attach') return true;
  if (base === 'logs') return verb.args.some((a) => a === '-f' || a === '--follow' || /^-[a-z]*f/.test(a));
  if (base === 'stats') return !verb.args.includes('--no-stream');
  if (base !== 'run' && base !== 'exec' && base !== 'start') return false;
  let detach = false;
  let interactive = false;
  for (const a of verb.args) {
    if (!a.startsWith('-')) {
      if (base !== 'start') break; // the image/container, then the command's own arguments
      continue;
    }
    if (a === '--detach' || a === '-d') detach = true;
    else if (a === '--interactive' || a === '--tty' || a === '--attach' || a === '-a' || a === '-i' || a === '-t') interactive = true;
    else if (/^-[a-zA-Z]+$/.test(a)) {
      if (a.includes('d')) detach = true;
      if (/[ita]/.test(a)) interactive = true;
    }
  }
  if (base === 'run') return !detach;
  return interactive && !detach;
}

/** A write stream that keeps what is written. */
function capture(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      text += chunk.toString();
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY: false, columns: 200 });
  return { stream, text: () => text };
}

/** Runs one command line on `engine`; never throws. */
export async function runCommandLine(engine: Engine, line: string): Promise<{ code: number; output: string }> {
  let argv: string[];
  try {
    argv = shellWords(line);
  } catch (err) {
    return { code: EXIT_USAGE, output: (err as Error).message };
  }
  const verb = resolveVerb(argv);
  if (!verb) return { code: EXIT_USAGE, output: `berth: '${argv[0] ?? ''}' is not a berth command` };
  const out = capture();
  const command = await COMMANDS[verb.name]();
  const ctx: CliContext = { root: engine.store.root, verb: command.spec.name, out: out.stream, err: out.stream, engine: async () => engine };
  try {
    if (verb.args.includes('--help') && !command.spec.stopAtPositional) return { code: 0, output: helpText(command.spec) };
    const code = (await command.run(ctx, parseArgs(command.spec, verb.args))) ?? 0;
    return { code, output: out.text() };
  } catch (caught) {
    if (caught instanceof UsageError) return { code: EXIT_USAGE, output: `${out.text()}berth: ${caught.message}` };
    const err = asReported(caught, ctx.verb);
    reportError(ctx, err);
    const code = err instanceof StartError ? err.exitCode : exitCodeFor(err instanceof BerthError ? err.kind : undefined, { containerVerb: command.spec.runFamily });
    return { code, output: out.text() };
  }
}
