import fs from 'node:fs';
import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { progressRenderer } from './progress.js';
import { invalidArgument, notFound } from '../../engine/errors.js';

export const spec: CommandSpec = {
  name: 'import',
  usage: 'import [OPTIONS] file|- [REPOSITORY[:TAG]]',
  description: 'Import the contents from a tarball to create a filesystem image',
  minArgs: 1,
  maxArgs: 2,
  flags: {
    change: { type: 'list', short: 'c', value: 'list', description: 'Apply Dockerfile instruction to the created image' },
    message: { type: 'string', short: 'm', value: 'string', description: 'Set commit message for imported image' },
    platform: { type: 'string', value: 'string', description: 'Set platform if server is multi-platform capable' },
  },
};

export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<void> {
  const [source, reference] = args;
  if (/^https?:\/\//.test(source)) throw invalidArgument('importing from a URL is not supported; download the file first');
  let input: NodeJS.ReadableStream;
  if (source === '-') {
    if (process.stdin.isTTY) throw invalidArgument('requested import from stdin, but stdin is a terminal');
    input = process.stdin;
  } else {
    if (!fs.existsSync(source)) throw notFound(`open ${source}: no such file or directory`);
    input = fs.createReadStream(source);
  }
  const engine = await ctx.engine();
  const progress = progressRenderer(ctx.err);
  const id = await engine.images.importRootfs(input, {
    source,
    reference,
    changes: flags.change as string[],
    message: flags.message as string | undefined,
    onProgress: ctx.err.isTTY ? progress.listener : undefined,
  });
  progress.finish();
  print(ctx, id);
}
