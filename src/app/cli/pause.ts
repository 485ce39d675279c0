import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { forEachContainer } from './each.js';

export const spec: CommandSpec = {
  name: 'pause',
  usage: 'pause CONTAINER [CONTAINER...]',
  description: 'Pause all processes within one or more containers',
  minArgs: 1,
  flags: {},
};

export async function run(ctx: CliContext, { args }: Parsed): Promise<number> {
  const engine = await ctx.engine();
  return forEachContainer(ctx, args, (name) => engine.containers.pause(name));
}
