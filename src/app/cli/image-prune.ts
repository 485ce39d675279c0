import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { humanSize } from './format.js';
import { confirm } from './confirm.js';

export const spec: CommandSpec = {
  name: 'image prune',
  usage: 'image prune [OPTIONS]',
  description: 'Remove unused images',
  maxArgs: 0,
  flags: {
    all: { type: 'bool', short: 'a', description: 'Remove all unused images, not just dangling ones' },
    force: { type: 'bool', short: 'f', description: 'Do not prompt for confirmation' },
  },
};

export async function run(ctx: CliContext, { flags }: Parsed): Promise<number> {
  const warning = flags.all
    ? 'WARNING! This will remove all images without at least one container associated to them.'
    : 'WARNING! This will remove all dangling images.';
  if (!flags.force && !(await confirm(ctx, warning))) return 0;
  const engine = await ctx.engine();
  const result = engine.images.prune({ all: flags.all === true, inUse: engine.imageUser });
  if (result.deleted.length > 0) {
    print(ctx, 'Deleted Images:');
    for (const u of result.untagged) print(ctx, `untagged: ${u}`);
    for (const d of result.deleted) print(ctx, `deleted: ${d}`);
    ctx.out.write('\n');
  }
  print(ctx, `Total reclaimed space: ${humanSize(result.reclaimed)}`);
  return 0;
}
