import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { forEachContainer } from './each.js';

export const spec: CommandSpec = {
  name: 'unpause',
  usage: 'unpause CONTAINER [CONTAINER...]',
  description: 'Unpause all processes within one or more containers',
  minArgs: 1,
  flags: {},
};

export async function run(ctx: CliContext, { args }: Parsed): Promise<number> {
  const engine = await ctx.engine();
  return forEachContainer(ctx, args, (name) => engine.containers.unpause(name));
}
