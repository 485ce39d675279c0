import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { invalidArgument } from '../../engine/errors.js';

export const spec: CommandSpec = {
  name: 'volume create',
  usage: 'volume create [OPTIONS] [VOLUME]',
  description: 'Create a volume',
  maxArgs: 1,
  flags: {
    driver: { type: 'string', short: 'd', value: 'string', default: 'local', description: 'Specify volume driver name' },
    label: { type: 'list', value: 'list', description: 'Set metadata for a volume' },
    name: { type: 'string', value: 'string', description: 'Specify volume name' },
  },
};

/** Prints the volume's name (a new 64-hex one when none is given). */
export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<void> {
  if (typeof flags.name === 'string' && args.length > 0) {
    throw invalidArgument('conflicting options: cannot specify a volume-name through both --name and as a positional arg');
  }
  const labels: Record<string, string> = {};
  for (const l of (flags.label as string[] | undefined) ?? []) {
    const eq = l.indexOf('=');
    labels[eq >= 0 ? l.slice(0, eq) : l] = eq >= 0 ? l.slice(eq + 1) : '';
  }
  const volume = await (await ctx.engine()).volumes.create({
    name: typeof flags.name === 'string' ? flags.name : args[0],
    driver: typeof flags.driver === 'string' ? flags.driver : undefined,
    labels,
    options: {},
  });
  print(ctx, volume.name);
}
