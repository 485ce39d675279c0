import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { reportError } from './report.js';

export const spec: CommandSpec = {
  name: 'rmi',
  usage: 'rmi [OPTIONS] IMAGE [IMAGE...]',
  description: 'Remove one or more images',
  minArgs: 1,
  flags: {
    force: { type: 'bool', short: 'f', description: 'Force removal of the image' },
    'no-prune': { type: 'bool', description: 'Do not delete untagged parents' },
  },
};

/** Like Docker, removes what it can and reports each failure, exiting 1 if any failed. */
export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<number> {
  const engine = await ctx.engine();
  let failed = false;
  for (const name of args) {
    try {
      const result = engine.images.remove(name, { force: flags.force === true, inUse: engine.imageUser });
      for (const u of result.untagged) print(ctx, `Untagged: ${u}`);
      for (const d of result.deleted) print(ctx, `Deleted: ${d}`);
    } catch (err) {
      reportError(ctx, err);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}
