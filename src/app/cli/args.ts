/**
 * Docker-style command-line parsing: `-aq`, `-o file`, `-ofile`, `--flag`,
 * `--flag=value`, `--flag value`, repeated flags collected into lists, and
 * `--` ending the flags. Commands like `run` stop at the first positional so
 * the container's own arguments pass through untouched.
 */
import { UsageError } from './usage-error.js';

export type FlagType = 'bool' | 'string' | 'list';

export interface FlagSpec {
  type: FlagType;
  short?: string;
  description: string;
  /** shown in help as the value's name */
  value?: string;
  default?: string;
}

export interface CommandSpec {
  /** e.g. "images" or "image prune" */
  name: string;
  usage: string;
  description: string;
  flags: Record<string, FlagSpec>;
  /** stop parsing flags at the first positional (run, exec) */
  stopAtPositional?: boolean;
  minArgs?: number;
  maxArgs?: number;
  /** run, create, start: every engine error exits 125, keeping 126/127 and the rest for the container */
  runFamily?: boolean;
}

export interface Parsed {
  flags: Record<string, string | boolean | string[] | undefined>;
  args: string[];
  /** --help among the flags (for `run`, `exec`, …: before the command, whose own --help it is after) */
  help?: boolean;
}

export function parseArgs(spec: CommandSpec, argv: readonly string[]): Parsed {
  const flags: Parsed['flags'] = {};
  for (const [name, flag] of Object.entries(spec.flags)) {
    flags[name] = flag.type === 'bool' ? false : flag.type === 'list' ? [] : flag.default;
  }
  const byShort = new Map(Object.entries(spec.flags).filter(([, f]) => f.short).map(([n, f]) => [f.short!, n]));
  const args: string[] = [];
  const set = (name: string, value: string | boolean) => {
    const flag = spec.flags[name];
    if (flag.type === 'list') (flags[name] as string[]).push(String(value));
    else flags[name] = value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '--help') return { flags, args, help: true };
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      const flag = spec.flags[name];
      if (!flag) throw new UsageError(spec, `unknown flag: --${name}`);
      if (flag.type === 'bool') {
        const value = eq >= 0 ? arg.slice(eq + 1) : 'true';
        if (value !== 'true' && value !== 'false') throw new UsageError(spec, `invalid argument "${value}" for "--${name}" flag: expected true or false`);
        set(name, value === 'true');
      } else if (eq >= 0) {
        set(name, arg.slice(eq + 1));
      } else {
        if (i + 1 >= argv.length) throw new UsageError(spec, `flag needs an argument: --${name}`);
        set(name, argv[++i]);
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const name = byShort.get(arg[j]);
        if (!name) throw new UsageError(spec, `unknown shorthand flag: '${arg[j]}' in ${arg}`);
        const flag = spec.flags[name];
        if (flag.type === 'bool') {
          set(name, true);
          continue;
        }
        const rest = arg.slice(j + 1).replace(/^=/, '');
        if (rest) set(name, rest);
        else if (i + 1 < argv.length) set(name, argv[++i]);
        else throw new UsageError(spec, `flag needs an argument: '${arg[j]}' in -${arg[j]}`);
        break;
      }
      continue;
    }
    args.push(arg);
    if (spec.stopAtPositional) {
      args.push(...argv.slice(i + 1));
      break;
    }
  }
  if (spec.minArgs !== undefined && args.length < spec.minArgs) {
    throw new UsageError(
      spec,
      `"berth ${spec.name}" requires ${spec.maxArgs === spec.minArgs ? 'exactly' : 'at least'} ${spec.minArgs} argument${spec.minArgs === 1 ? '' : 's'}.`,
    );
  }
  if (spec.maxArgs !== undefined && args.length > spec.maxArgs) {
    throw new UsageError(
      spec,
      spec.maxArgs === 0
        ? `"berth ${spec.name}" accepts no arguments.`
        : `"berth ${spec.name}" requires at most ${spec.maxArgs} argument${spec.maxArgs === 1 ? '' : 's'}.`,
    );
  }
  return { flags, args };
}

/** `berth <cmd> --help` text, laid out as Docker's. */
export function helpText(spec: CommandSpec): string {
  const rows = Object.entries(spec.flags).map(([name, flag]) => {
    const left = `${flag.short ? `-${flag.short}, ` : '    '}--${name}${flag.type !== 'bool' ? ` ${flag.value ?? flag.type}` : ''}`;
    return [left, flag.description + (flag.default ? ` (default "${flag.default}")` : '')];
  });
  rows.push(['    --help', 'Print usage']);
  const width = Math.max(...rows.map(([l]) => l.length));
  return [
    '',
    `Usage:  berth ${spec.usage}`,
    '',
    spec.description,
    '',
    'Options:',
    ...rows.map(([l, r]) => `  ${l.padEnd(width)}   ${r}`),
    '',
  ].join('\n');
}
