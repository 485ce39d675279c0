import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { renderTemplate } from './format.js';
import { reportError } from './report.js';
import { notFound } from '../../engine/errors.js';
import type { Engine } from '../../engine/engine.js';

export const spec: CommandSpec = {
  name: 'inspect',
  usage: 'inspect [OPTIONS] NAME|ID [NAME|ID...]',
  description: 'Return low-level information on berth objects',
  minArgs: 1,
  flags: {
    format: { type: 'string', short: 'f', value: 'string', description: 'Format output using a custom template' },
    type: { type: 'string', value: 'string', description: 'Only inspect objects of the given type (container, image)' },
  },
};

/** Containers first, then images, as Docker looks names up. */
function inspectOne(engine: Engine, name: string, type: string | undefined): Record<string, unknown> {
  if (type !== 'image') {
    try {
      return engine.containers.inspect(name);
    } catch (err) {
      if (type === 'container' || (err as { kind?: string }).kind !== 'not-found') throw err;
    }
  }
  return engine.images.inspect(engine.images.resolve(name));
}

export const imageSpec: CommandSpec = { ...spec, name: 'image inspect', usage: 'image inspect [OPTIONS] IMAGE [IMAGE...]', description: 'Display detailed information on one or more images' };

/** Prints a JSON array (4-space indent, as Docker) or one formatted line per object; exit 1 if any is missing. */
export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<number> {
  const engine = await ctx.engine();
  const found: Record<string, unknown>[] = [];
  let failed = false;
  for (const name of args) {
    try {
      const type = flags.type as string | undefined;
      if (type !== undefined && type !== 'image' && type !== 'container') throw notFound(`No such object: ${name}`);
      found.push(inspectOne(engine, name, type));
    } catch (err) {
      failed = true;
      reportError(ctx, err && (err as { kind?: string }).kind === 'not-found' ? notFound(`No such object: ${name}`) : err);
    }
  }
  if (typeof flags.format === 'string') {
    for (const item of found) print(ctx, renderTemplate(flags.format, item));
  } else {
    print(ctx, JSON.stringify(found, null, 4));
  }
  return failed ? 1 : 0;
}
