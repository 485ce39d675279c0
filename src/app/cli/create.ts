import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { CREATE_FLAGS, createOptions } from './run-options.js';

export const spec: CommandSpec = {
  name: 'create',
  usage: 'create [OPTIONS] IMAGE [COMMAND] [ARG...]',
  description: 'Create a new container',
  stopAtPositional: true,
  runFamily: true,
  minArgs: 1,
  flags: CREATE_FLAGS,
};

export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<void> {
  const [image, ...cmd] = args;
  print(ctx, (await (await ctx.engine()).containers.create(createOptions(flags, image, cmd))).id);
}
