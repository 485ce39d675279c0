import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';

export const spec: CommandSpec = {
  name: 'tag',
  usage: 'tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  description: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  minArgs: 2,
  maxArgs: 2,
  flags: {},
};

export async function run(ctx: CliContext, { args }: Parsed): Promise<void> {
  (await ctx.engine()).images.tag(args[0], args[1]);
}
