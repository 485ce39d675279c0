import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { reportError } from './report.js';
import { startAttached } from './start-attached.js';
import { invalidArgument } from '../../engine/errors.js';

export const spec: CommandSpec = {
  name: 'start',
  usage: 'start [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Start one or more stopped containers',
  runFamily: true,
  minArgs: 1,
  flags: {
    attach: { type: 'bool', short: 'a', description: "Attach STDOUT/STDERR and forward signals" },
    interactive: { type: 'bool', short: 'i', description: "Attach container's STDIN" },
    'detach-keys': { type: 'string', value: 'string', description: 'Override the key sequence for detaching a container' },
  },
};

export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<number> {
  const engine = await ctx.engine();
  if (flags.attach || flags.interactive) {
    if (args.length > 1) throw invalidArgument('you cannot start and attach multiple containers at once');
    const container = engine.containers.get(args[0]);
    return startAttached(engine, container, {
      stdin: flags.interactive === true,
      detachKeys: flags['detach-keys'] as string | undefined,
    });
  }
  let failed = false;
  for (const name of args) {
    try {
      await engine.containers.start(name);
      print(ctx, name);
    } catch (err) {
      reportError(ctx, err);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}
