import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { confirm } from './confirm.js';

export const spec: CommandSpec = {
  name: 'container prune',
  usage: 'container prune [OPTIONS]',
  description: 'Remove all stopped containers',
  maxArgs: 0,
  flags: { force: { type: 'bool', short: 'f', description: 'Do not prompt for confirmation' } },
};

export async function run(ctx: CliContext, { flags }: Parsed): Promise<number> {
  if (!flags.force && !(await confirm(ctx, 'WARNING! This will remove all stopped containers.'))) return 0;
  const { deleted } = (await ctx.engine()).containers.prune();
  if (deleted.length > 0) ctx.out.write(['Deleted Containers:', ...deleted, '', ''].join('\n'));
  print(ctx, 'Total reclaimed space: 0B');
  return 0;
}
