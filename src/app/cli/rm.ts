import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { forEachContainer } from './each.js';

export const spec: CommandSpec = {
  name: 'rm',
  usage: 'rm [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Remove one or more containers',
  minArgs: 1,
  flags: {
    force: { type: 'bool', short: 'f', description: 'Force the removal of a running container (uses SIGKILL)' },
    volumes: { type: 'bool', short: 'v', description: 'Remove anonymous volumes associated with the container' },
  },
};

export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<number> {
  const engine = await ctx.engine();
  return forEachContainer(ctx, args, (name) => engine.containers.remove(name, { force: flags.force === true, volumes: flags.volumes === true }));
}
