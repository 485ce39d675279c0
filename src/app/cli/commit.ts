import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';

export const spec: CommandSpec = {
  name: 'commit',
  usage: 'commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
  description: "Create a new image from a container's changes",
  minArgs: 1,
  maxArgs: 2,
  flags: {
    author: { type: 'string', short: 'a', value: 'string', description: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")' },
    change: { type: 'list', short: 'c', value: 'list', description: 'Apply Dockerfile instruction to the created image' },
    message: { type: 'string', short: 'm', value: 'string', description: 'Commit message' },
    pause: { type: 'string', short: 'p', value: 'bool', default: 'true', description: 'Pause container during commit' },
  },
};

export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<void> {
  const id = await (await ctx.engine()).containers.commit(args[0], {
    reference: args[1],
    author: flags.author as string | undefined,
    message: flags.message as string | undefined,
    changes: flags.change as string[],
    pause: flags.pause !== 'false',
  });
  print(ctx, id);
}
