import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';

export const spec: CommandSpec = {
  name: 'diff',
  usage: 'diff CONTAINER',
  description: "Inspect changes to files or directories on a container's filesystem",
  minArgs: 1,
  maxArgs: 1,
  flags: {},
};

export async function run(ctx: CliContext, { args }: Parsed): Promise<void> {
  print(ctx, (await (await ctx.engine()).containers.diff(args[0])).map((c) => `${c.kind} ${c.path}`).join('\n'));
}
