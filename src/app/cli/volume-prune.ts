import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { humanSize } from './format.js';
import { confirm } from './confirm.js';

export const spec: CommandSpec = {
  name: 'volume prune',
  usage: 'volume prune [OPTIONS]',
  description: 'Remove unused local volumes',
  maxArgs: 0,
  flags: {
    all: { type: 'bool', short: 'a', description: 'Remove all unused volumes, not just anonymous ones' },
    force: { type: 'bool', short: 'f', description: 'Do not prompt for confirmation' },
  },
};

export async function run(ctx: CliContext, { flags }: Parsed): Promise<number> {
  const warning = flags.all
    ? 'WARNING! This will remove all local volumes not used by at least one container.'
    : 'WARNING! This will remove anonymous local volumes not used by at least one container.';
  if (!flags.force && !(await confirm(ctx, warning))) return 0;
  const result = (await ctx.engine()).volumes.prune({ all: flags.all === true });
  // Docker prints the list, then an empty line.
  if (result.deleted.length > 0) ctx.out.write(`Deleted Volumes:\n${result.deleted.join('\n')}\n\n`);
  print(ctx, `Total reclaimed space: ${humanSize(result.reclaimed)}`);
  return 0;
}
