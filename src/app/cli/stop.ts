import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { forEachContainer } from './each.js';
import { invalidArgument } from '../../engine/errors.js';

export const spec: CommandSpec = {
  name: 'stop',
  usage: 'stop [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Stop one or more running containers',
  minArgs: 1,
  flags: {
    time: { type: 'string', short: 't', value: 'int', description: 'Seconds to wait before killing the container' },
    signal: { type: 'string', short: 's', value: 'string', description: 'Signal to send to the container' },
  },
};

export function timeoutFlag(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(String(value))) throw invalidArgument(`invalid argument "${String(value)}" for "-t, --time" flag: strconv.ParseInt: parsing "${String(value)}": invalid syntax`);
  return Number(value);
}

export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<number> {
  const engine = await ctx.engine();
  const timeout = timeoutFlag(flags.time);
  return forEachContainer(ctx, args, (name) => engine.containers.stop(name, { timeout, signal: flags.signal as string | undefined }));
}
