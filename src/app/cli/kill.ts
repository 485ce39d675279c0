import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { forEachContainer } from './each.js';

export const spec: CommandSpec = {
  name: 'kill',
  usage: 'kill [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Kill one or more running containers',
  minArgs: 1,
  flags: {
    signal: { type: 'string', short: 's', value: 'string', default: 'KILL', description: 'Signal to send to the container' },
  },
};

export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<number> {
  const engine = await ctx.engine();
  return forEachContainer(ctx, args, (name) => engine.containers.kill(name, String(flags.signal ?? 'KILL')));
}
