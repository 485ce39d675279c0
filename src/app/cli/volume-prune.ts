import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { humanSize } from './format.js';
import { confirm } from './confirm.js';
import { invalidArgument } from '../../engine/errors.js';
import { labelFilter, type LabelFilter } from '../../engine/volumes/service.js';

export const spec: CommandSpec = {
  name: 'volume prune',
  usage: 'volume prune [OPTIONS]',
  description: 'Remove unused local volumes',
  maxArgs: 0,
  flags: {
    all: { type: 'bool', short: 'a', description: 'Remove all unused volumes, not just anonymous ones' },
    filter: { type: 'list', value: 'filter', description: "Provide filter values (e.g. 'label=<label>')" },
    force: { type: 'bool', short: 'f', description: 'Do not prompt for confirmation' },
  },
};

export async function run(ctx: CliContext, { flags }: Parsed): Promise<number> {
  let all = flags.all === true;
  const labels: LabelFilter[] = [];
  for (const f of (flags.filter as string[] | undefined) ?? []) {
    const eq = f.indexOf('=');
    if (eq < 0) throw invalidArgument('bad format of filter (expected name=value)');
    const key = f.slice(0, eq);
    const value = f.slice(eq + 1);
    if (key === 'all') {
      if (!['true', '1', 'false', '0'].includes(value)) throw invalidArgument(`invalid filter 'all=${value}'`);
      all ||= value === 'true' || value === '1';
    } else if (key === 'label' || key === 'label!') labels.push(labelFilter(value, key === 'label!'));
    else throw invalidArgument(`invalid filter '${key}'`);
  }
  const warning = all
    ? 'WARNING! This will remove all local volumes not used by at least one container.'
    : 'WARNING! This will remove anonymous local volumes not used by at least one container.';
  if (!flags.force && !(await confirm(ctx, warning))) return 0;
  const result = (await ctx.engine()).volumes.prune({ all, labels });
  // Docker prints the list, then an empty line.
  if (result.deleted.length > 0) ctx.out.write(`Deleted Volumes:\n${result.deleted.join('\n')}\n\n`);
  print(ctx, `Total reclaimed space: ${humanSize(result.reclaimed)}`);
  return 0;
}
