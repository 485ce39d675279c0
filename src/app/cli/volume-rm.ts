import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { forEachContainer } from './each.js';

export const spec: CommandSpec = {
  name: 'volume rm',
  usage: 'volume rm [OPTIONS] VOLUME [VOLUME...]',
  description: 'Remove one or more volumes. You cannot remove a volume that is in use by a container.',
  minArgs: 1,
  flags: {
    force: { type: 'bool', short: 'f', description: 'Force the removal of one or more volumes (a missing one is not an error)' },
  },
};

export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<number> {
  const engine = await ctx.engine();
  return forEachContainer(ctx, args, (name) => engine.volumes.remove(name, { force: flags.force === true }));
}
