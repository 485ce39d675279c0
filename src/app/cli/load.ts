import fs from 'node:fs';
import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { progressRenderer } from './progress.js';
import { invalidArgument, notFound } from '../../engine/errors.js';

export const spec: CommandSpec = {
  name: 'load',
  usage: 'load [OPTIONS]',
  description: 'Load an image from a tar archive or STDIN',
  maxArgs: 0,
  flags: {
    input: { type: 'string', short: 'i', value: 'string', description: 'Read from tar archive file, instead of STDIN' },
    quiet: { type: 'bool', short: 'q', description: 'Suppress the load output' },
  },
};

export async function run(ctx: CliContext, { flags }: Parsed): Promise<void> {
  let input: NodeJS.ReadableStream & import('node:stream').Readable;
  let totalBytes: number | undefined;
  if (typeof flags.input === 'string') {
    if (!fs.existsSync(flags.input)) throw notFound(`open ${flags.input}: no such file or directory`);
    totalBytes = fs.statSync(flags.input).size;
    input = fs.createReadStream(flags.input);
  } else {
    if (process.stdin.isTTY) throw invalidArgument('requested load from stdin, but stdin is empty');
    input = process.stdin;
  }
  const engine = await ctx.engine();
  const progress = progressRenderer(ctx.err);
  const quiet = flags.quiet === true;
  const result = await engine.archives.load(input, {
    totalBytes,
    onProgress: !quiet && ctx.err.isTTY ? progress.listener : undefined,
  });
  progress.finish();
  for (const name of result.loaded) print(ctx, /^sha256:/.test(name) ? `Loaded image ID: ${name}` : `Loaded image: ${name}`);
}
