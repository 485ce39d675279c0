import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';

export const spec: CommandSpec = {
  name: 'network disconnect',
  usage: 'network disconnect [OPTIONS] NETWORK CONTAINER',
  description: 'Disconnect a container from a network',
  minArgs: 2,
  maxArgs: 2,
  flags: {
    force: { type: 'bool', short: 'f', description: 'Force the container to disconnect from a network' },
  },
};

export async function run(ctx: CliContext, { args }: Parsed): Promise<void> {
  const engine = await ctx.engine();
  await engine.networks.disconnect(args[0], engine.containers.get(args[1]));
}
