import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { confirm } from './confirm.js';

export const spec: CommandSpec = {
  name: 'network prune',
  usage: 'network prune [OPTIONS]',
  description: 'Remove all unused networks',
  maxArgs: 0,
  flags: {
    force: { type: 'bool', short: 'f', description: 'Do not prompt for confirmation' },
  },
};

export async function run(ctx: CliContext, { flags }: Parsed): Promise<number> {
  if (!flags.force && !(await confirm(ctx, 'WARNING! This will remove all custom networks not used by at least one container.'))) return 0;
  const removed = await (await ctx.engine()).networks.prune();
  if (removed.length > 0) print(ctx, `Deleted Networks:\n${removed.join('\n')}\n`);
  return 0;
}
