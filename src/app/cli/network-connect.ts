import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';

export const spec: CommandSpec = {
  name: 'network connect',
  usage: 'network connect [OPTIONS] NETWORK CONTAINER',
  description: 'Connect a container to a network',
  minArgs: 2,
  maxArgs: 2,
  flags: {
    alias: { type: 'list', value: 'strings', description: 'Add network-scoped alias for the container' },
  },
};

export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<void> {
  const engine = await ctx.engine();
  const container = engine.containers.get(args[1]);
  await engine.networks.connect(args[0], container, (flags.alias as string[] | undefined) ?? []);
}
