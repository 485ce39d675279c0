import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { ago, ellipsis, humanSize, renderFormat, shortId, table } from './format.js';
import { imageHistory } from '../../engine/images/service.js';

export const spec: CommandSpec = {
  name: 'history',
  usage: 'history [OPTIONS] IMAGE',
  description: 'Show the history of an image',
  minArgs: 1,
  maxArgs: 1,
  flags: {
    human: { type: 'string', short: 'H', value: 'bool', default: 'true', description: 'Print sizes and dates in human readable format' },
    'no-trunc': { type: 'bool', description: "Don't truncate output" },
    quiet: { type: 'bool', short: 'q', description: 'Only show image IDs' },
    format: { type: 'string', value: 'string', description: 'Format output using a custom template' },
  },
};

export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<void> {
  const engine = await ctx.engine();
  const id = engine.images.resolve(args[0]);
  const layers = engine.images.layers(id);
  const history = imageHistory(id, engine.images.config(id), layers.map((l) => l.size));
  const noTrunc = flags['no-trunc'] === true;
  const human = flags.human !== 'false';
  const rows = history.map((h) => ({
    ID: h.id ? (noTrunc ? h.id : shortId(h.id)) : '<missing>',
    CreatedSince: human ? ago(h.created) : (h.created ?? ''),
    CreatedAt: h.created ?? '',
    CreatedBy: noTrunc ? h.createdBy : ellipsis(h.createdBy.replace(/\s+/g, ' '), 45),
    Size: human ? humanSize(h.size) : String(h.size),
    Comment: h.comment,
  }));
  if (flags.quiet) {
    print(ctx, rows.map((r) => r.ID).join('\n'));
    return;
  }
  if (typeof flags.format === 'string') {
    print(ctx, renderFormat(flags.format, rows, { ID: 'IMAGE', CreatedSince: 'CREATED', CreatedBy: 'CREATED BY' }));
    return;
  }
  print(ctx, table(['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'], rows.map((r) => [r.ID, r.CreatedSince, r.CreatedBy, r.Size, r.Comment])));
}
