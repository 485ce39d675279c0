import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';

export const spec: CommandSpec = {
  name: 'cp',
  usage: 'cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH\n        berth cp [OPTIONS] SRC_PATH CONTAINER:DEST_PATH',
  description: 'Copy files/folders between a container and the local filesystem',
  minArgs: 2,
  maxArgs: 2,
  flags: {
    archive: { type: 'bool', short: 'a', description: 'Archive mode (copy all uid/gid information)' },
    'follow-link': { type: 'bool', short: 'L', description: 'Always follow symbol link in SRC_PATH' },
  },
};

export async function run(ctx: CliContext, { args, flags }: Parsed): Promise<void> {
  await (await ctx.engine()).containers.copy(args[0], args[1], { archive: flags.archive === true, followLink: flags['follow-link'] === true });
}
