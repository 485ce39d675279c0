import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { renderTemplate } from './format.js';
import { reportError } from './report.js';

export const spec: CommandSpec = {
  name: 'volume inspect',
  usage: 'volume inspect [OPTIONS] VOLUME [VOLUME...]',
  description: 'Display detailed information on one or more volumes',
  minArgs: 1,
  flags: {
    format: { type: 'string', short: 'f', value: 'string', description: 'Format output using a custom template' },
  },
};

/** Docker's JSON array (4-space indent), or one formatted line per volume; exit 1 if any is missing. */
export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<number> {
  const engine = await ctx.engine();
  const found: object[] = [];
  let failed = false;
  for (const name of args) {
    try {
      found.push(engine.volumes.inspect(name));
    } catch (err) {
      reportError(ctx, err);
      failed = true;
    }
  }
  if (typeof flags.format === 'string') for (const v of found) print(ctx, renderTemplate(flags.format, v));
  else if (found.length > 0 || !failed) print(ctx, JSON.stringify(found, null, 4));
  return failed ? 1 : 0;
}
