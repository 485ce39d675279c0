import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { humanSize, renderFormat, table } from './format.js';
import type { ContainerSample } from '../../engine/containers/service.js';

export const spec: CommandSpec = {
  name: 'stats',
  usage: 'stats [OPTIONS] [CONTAINER...]',
  description: 'Display a live stream of container(s) resource usage statistics',
  flags: {
    all: { type: 'bool', short: 'a', description: 'Show all containers (default shows just running)' },
    'no-stream': { type: 'bool', description: 'Disable streaming stats and only pull the first result' },
    'no-trunc': { type: 'bool', description: "Do not truncate output" },
    format: { type: 'string', value: 'string', description: 'Format output using a custom template' },
  },
};

/** Docker's units.BytesSize: binary units, 4 significant digits (1.5MiB, 23.47GiB). */
export function binarySize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number(value.toPrecision(4))}${units[unit]}`;
}

function row(prev: ContainerSample | undefined, cur: ContainerSample, noTrunc: boolean) {
  const wall = prev ? (cur.at - prev.at) * 1e6 : 0;
  const cpu = prev && wall > 0 ? ((cur.cpuUsageNs - prev.cpuUsageNs) / wall) * 100 : 0;
  return {
    ID: noTrunc ? cur.id : cur.id.slice(0, 12),
    Name: cur.name,
    CPUPerc: `${Math.max(0, cpu).toFixed(2)}%`,
    MemUsage: cur.running ? `${binarySize(cur.memoryUsage)} / ${binarySize(cur.memoryLimit)}` : '0B / 0B',
    MemPerc: `${cur.memoryLimit > 0 ? ((cur.memoryUsage / cur.memoryLimit) * 100).toFixed(2) : '0.00'}%`,
    NetIO: `${humanSize(cur.netRx)} / ${humanSize(cur.netTx)}`,
    BlockIO: `${humanSize(cur.blkioRead)} / ${humanSize(cur.blkioWrite)}`,
    PIDs: String(cur.pids),
  };
}

export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<void> {
  const engine = await ctx.engine();
  const names = () =>
    args.length > 0
      ? args
      : engine.containers.list().filter((c) => flags.all || c.state.Status === 'running' || c.state.Status === 'paused').map((c) => c.id);
  const sample = () => names().map((n) => engine.containers.stats(n));
  let previous = new Map(sample().map((s) => [s.id, s]));
  const render = (samples: ContainerSample[]) => {
    const rows = samples.map((s) => row(previous.get(s.id), s, flags['no-trunc'] === true));
    if (typeof flags.format === 'string') return renderFormat(flags.format, rows, { ID: 'CONTAINER ID', CPUPerc: 'CPU %', MemUsage: 'MEM USAGE / LIMIT', MemPerc: 'MEM %', NetIO: 'NET I/O', BlockIO: 'BLOCK I/O' });
    return table(
      ['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'BLOCK I/O', 'PIDS'],
      rows.map((r) => [r.ID, r.Name, r.CPUPerc, r.MemUsage, r.MemPerc, r.NetIO, r.BlockIO, r.PIDs]),
    );
  };
  for (;;) {
    await sleep(flags['no-stream'] ? 500 : 1000);
    const current = sample();
    const text = render(current);
    if (flags['no-stream']) {
      print(ctx, text);
      return;
    }
    ctx.out.write(ctx.out.isTTY ? `\x1b[2J\x1b[H${text}\n` : `${text}\n`);
    previous = new Map(current.map((s) => [s.id, s]));
  }
}
