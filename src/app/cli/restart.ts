import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { forEachContainer } from './each.js';
import { timeoutFlag } from './stop.js';

export const spec: CommandSpec = {
  name: 'restart',
  usage: 'restart [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Restart one or more containers',
  minArgs: 1,
  flags: {
    time: { type: 'string', short: 't', value: 'int', description: 'Seconds to wait before killing the container' },
  },
};

export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<number> {
  const engine = await ctx.engine();
  const timeout = timeoutFlag(flags.time);
  return forEachContainer(ctx, args, (name) => engine.containers.restart(name, { timeout }));
}
