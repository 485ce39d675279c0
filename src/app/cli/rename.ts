import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';

export const spec: CommandSpec = {
  name: 'rename',
  usage: 'rename CONTAINER NEW_NAME',
  description: 'Rename a container',
  minArgs: 2,
  maxArgs: 2,
  flags: {},
};

export async function run(ctx: CliContext, { args }: Parsed): Promise<void> {
  (await ctx.engine()).containers.rename(args[0], args[1]);
}
