import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { renderFormat } from './format.js';
import { reportError } from './report.js';

export const spec: CommandSpec = {
  name: 'network inspect',
  usage: 'network inspect [OPTIONS] NETWORK [NETWORK...]',
  description: 'Display detailed information on one or more networks',
  minArgs: 1,
  flags: {
    format: { type: 'string', short: 'f', value: 'string', description: 'Format output using a Go-like template' },
  },
};

/** Docker's shape, containers attached included. */
export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<number> {
  const engine = await ctx.engine();
  await engine.networks.ensureDefaults();
  const found: object[] = [];
  let failed = false;
  for (const name of args) {
    try {
      found.push(engine.networks.inspect(name));
    } catch (err) {
      reportError(ctx, err);
      failed = true;
    }
  }
  if (typeof flags.format === 'string') print(ctx, renderFormat(flags.format, found));
  else if (found.length > 0 || !failed) print(ctx, JSON.stringify(found, null, 4));
  return failed ? 1 : 0;
}
