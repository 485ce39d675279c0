import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { table } from './format.js';

export const spec: CommandSpec = {
  name: 'top',
  usage: 'top CONTAINER',
  description: 'Display the running processes of a container (host PID and container PID side by side)',
  minArgs: 1,
  maxArgs: 1,
  flags: {},
};

function clock(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

function cpuTime(seconds: number): string {
  const s = Math.floor(seconds);
  return `${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export async function run(ctx: CliContext, { args }: Parsed): Promise<void> {
  const processes = (await ctx.engine()).containers.top(args[0]);
  print(
    ctx,
    table(
      ['UID', 'PID', 'CONTAINER PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
      processes.map((p) => [p.user, String(p.pid), String(p.containerPid), String(p.ppid), String(p.cpuPercent), clock(p.startedAt), p.tty, cpuTime(p.cpuSeconds), p.command]),
    ),
  );
}
