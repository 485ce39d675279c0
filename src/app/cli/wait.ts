import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { reportError } from './report.js';

export const spec: CommandSpec = {
  name: 'wait',
  usage: 'wait CONTAINER [CONTAINER...]',
  description: 'Block until one or more containers stop, then print their exit codes',
  minArgs: 1,
  flags: {},
};

export async function run(ctx: CliContext, { args }: Parsed): Promise<number> {
  const engine = await ctx.engine();
  let failed = false;
  for (const name of args) {
    try {
      print(ctx, String(await engine.containers.wait(name)));
    } catch (err) {
      reportError(ctx, err);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}
