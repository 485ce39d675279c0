import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { forEachContainer } from './each.js';

export const spec: CommandSpec = {
  name: 'network rm',
  usage: 'network rm NETWORK [NETWORK...]',
  description: 'Remove one or more networks',
  minArgs: 1,
  flags: {
    force: { type: 'bool', short: 'f', description: 'Do not error if the network does not exist' },
  },
};

export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<number> {
  const engine = await ctx.engine();
  return forEachContainer(ctx, args, async (name) => {
    if (flags.force && !engine.networks.maybeFind(name)) return;
    await engine.networks.remove(name);
  });
}
