import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { progressRenderer } from './progress.js';
import { invalidArgument } from '../../engine/errors.js';

export const spec: CommandSpec = {
  name: 'save',
  usage: 'save [OPTIONS] IMAGE [IMAGE...]',
  description: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  minArgs: 1,
  flags: {
    output: { type: 'string', short: 'o', value: 'string', description: 'Write to a file, instead of STDOUT' },
  },
};

export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<void> {
  const engine = await ctx.engine();
  const progress = progressRenderer(ctx.err);
  const onProgress = ctx.err.isTTY ? progress.listener : undefined;
  if (typeof flags.output === 'string') {
    await engine.archives.saveToFile(args, flags.output, { onProgress });
  } else {
    if (ctx.out.isTTY) throw invalidArgument('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    await engine.archives.save(args, ctx.out, { onProgress });
  }
  progress.finish();
}
