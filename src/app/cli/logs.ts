import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { readLogEntries, type LogEntry } from '../../engine/runtime/json-log.js';
import { invalidArgument } from '../../engine/errors.js';
import { isActive } from '../../engine/containers/types.js';

export const spec: CommandSpec = {
  name: 'logs',
  usage: 'logs [OPTIONS] CONTAINER',
  description: 'Fetch the logs of a container',
  minArgs: 1,
  maxArgs: 1,
  flags: {
    follow: { type: 'bool', short: 'f', description: 'Follow log output' },
    tail: { type: 'string', short: 'n', value: 'string', default: 'all', description: 'Number of lines to show from the end of the logs' },
    since: { type: 'string', value: 'string', description: 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
    until: { type: 'string', value: 'string', description: 'Show logs before a timestamp or relative time' },
    timestamps: { type: 'bool', short: 't', description: 'Show timestamps' },
    details: { type: 'bool', description: 'Show extra details provided to logs' },
  },
};

/** An RFC 3339 time with up to nanosecond precision, as nanoseconds since the epoch; undefined if it is not one. */
export function timeNs(iso: string): bigint | undefined {
  const m = /^(.*?T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(iso);
  const seconds = m ? Date.parse(`${m[1]}${m[3]}`) : NaN;
  if (!m || Number.isNaN(seconds)) return undefined;
  return BigInt(seconds) * 1000000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/**
 * --since/--until: an RFC 3339 timestamp (nanoseconds kept, as Docker
 * compares them), a Unix timestamp, or a duration before now like "42m".
 */
export function parseTimeArg(value: string, now = Date.now()): bigint {
  if (/^\d+(\.\d{1,9})?$/.test(value)) {
    const [whole, frac = ''] = value.split('.');
    return BigInt(whole) * 1000000000n + BigInt(frac.padEnd(9, '0'));
  }
  const duration = /^((\d+)h)?((\d+)m)?((\d+(\.\d+)?)s)?$/.exec(value);
  if (duration && value !== '') {
    const ms = ((Number(duration[2] ?? 0) * 60 + Number(duration[4] ?? 0)) * 60 + Number(duration[6] ?? 0)) * 1000;
    return BigInt(Math.round(now - ms)) * 1000000n;
  }
  const exact = timeNs(value);
  if (exact !== undefined) return exact;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw invalidArgument(`invalid value for "since/until": "${value}"`);
  return BigInt(t) * 1000000n;
}

export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<void> {
  const engine = await ctx.engine();
  const container = engine.containers.get(args[0]);
  const file = engine.containers.logPath(container);
  const since = flags.since ? parseTimeArg(String(flags.since)) : undefined;
  const until = flags.until ? parseTimeArg(String(flags.until)) : undefined;
  const tail = String(flags.tail ?? 'all');
  if (tail !== 'all' && !/^\d+$/.test(tail)) throw invalidArgument(`invalid value for "tail": "${tail}"`);
  const show = (entry: LogEntry) => {
    const text = flags.timestamps ? `${entry.time} ${entry.log}` : entry.log;
    (entry.stream === 'stderr' ? ctx.err : ctx.out).write(text);
  };
  const inWindow = (e: LogEntry) => {
    const t = timeNs(e.time) ?? 0n;
    return (since === undefined || t >= since) && (until === undefined || t <= until);
  };
  let entries = readLogEntries(file).filter(inWindow);
  if (tail !== 'all') entries = Number(tail) === 0 ? [] : entries.slice(-Number(tail));
  entries.forEach(show);
  if (!flags.follow) return;
  // Follow: read what is appended, across rotations, until the container stops.
  let offset = fs.existsSync(file) ? fs.statSync(file).size : 0;
  let partial = '';
  for (;;) {
    const size = fs.existsSync(file) ? fs.statSync(file).size : 0;
    if (size < offset) offset = 0; // rotated
    if (size > offset) {
      const fd = fs.openSync(file, 'r');
      const buffer = Buffer.alloc(size - offset);
      fs.readSync(fd, buffer, 0, buffer.length, offset);
      fs.closeSync(fd);
      offset = size;
      const lines = (partial + buffer.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line) continue;
        const entry = JSON.parse(line) as LogEntry;
        if (until !== undefined && (timeNs(entry.time) ?? 0n) > until) return;
        show(entry);
      }
    }
    const current = engine.containers.repo.maybeFind(container.id);
    if (!current || (!isActive(current.state.Status) && current.shimPid === 0)) {
      if (fs.existsSync(file) && fs.statSync(file).size > offset) continue;
      return;
    }
    await sleep(100);
  }
}
