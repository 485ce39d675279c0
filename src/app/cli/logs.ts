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

/** "2013-01-02T13:23:37Z", a Unix timestamp, or a duration before now like "42m", "1h30m", "10s". */
export function parseTimeArg(value: string, now = Date.now()): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const duration = /^((\d+)h)?((\d+)m)?((\d+(\.\d+)?)s)?$/.exec(value);
  if (duration && value !== '') {
    return now - ((Number(duration[2] ?? 0) * 60 + Number(duration[4] ?? 0)) * 60 + Number(duration[6] ?? 0)) * 1000;
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw invalidArgument(`invalid value for "since/until": "${value}"`);
  return t;
}

export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<void> {
  const engine = await ctx.engine();
  const container = engine.containers.get(args[0]);
  const file = engine.containers.logPath(container);
  const since = flags.since ? parseTimeArg(String(flags.since)) : -Infinity;
  const until = flags.until ? parseTimeArg(String(flags.until)) : Infinity;
  const tail = String(flags.tail ?? 'all');
  if (tail !== 'all' && !/^\d+$/.test(tail)) throw invalidArgument(`invalid value for "tail": "${tail}"`);
  const show = (entry: LogEntry) => {
    const text = flags.timestamps ? `${entry.time} ${entry.log}` : entry.log;
    (entry.stream === 'stderr' ? ctx.err : ctx.out).write(text);
  };
  const inWindow = (e: LogEntry) => {
    const t = Date.parse(e.time);
    return t >= since && t <= until;
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
        if (Date.parse(entry.time) > until) return;
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
