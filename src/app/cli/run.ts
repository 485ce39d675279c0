import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { CREATE_FLAGS, createOptions } from './run-options.js';
import { startAttached } from './start-attached.js';
import { StartError } from '../../engine/errors.js';

export const spec: CommandSpec = {
  name: 'run',
  usage: 'run [OPTIONS] IMAGE [COMMAND] [ARG...]',
  description: 'Create and run a new container from an image',
  stopAtPositional: true,
  runFamily: true,
  minArgs: 1,
  flags: {
    ...CREATE_FLAGS,
    detach: { type: 'bool', short: 'd', description: 'Run container in background and print container ID' },
    'detach-keys': { type: 'string', value: 'string', description: 'Override the key sequence for detaching a container' },
    'sig-proxy': { type: 'string', value: 'bool', default: 'true', description: 'Proxy received signals to the process' },
  },
};

/**
 * `run`: create, then either start detached and print the ID, or start held,
 * attach, and exit with the container's own exit code.
 */
export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<number> {
  const engine = await ctx.engine();
  const [image, ...cmd] = args;
  const detach = flags.detach === true;
  const container = await engine.containers.create(createOptions(flags, image, cmd, { attach: !detach }));
  try {
    if (detach) {
      await engine.containers.start(container.id);
      print(ctx, container.id);
      return 0;
    }
    return await startAttached(engine, container, {
      stdin: flags.interactive === true,
      detachKeys: flags['detach-keys'] as string | undefined,
      sigProxy: flags['sig-proxy'] !== 'false',
    });
  } catch (err) {
    if (err instanceof StartError && container.hostConfig.AutoRemove) {
      await engine.containers.remove(container.id, { force: true, volumes: true }).catch(() => {});
    }
    throw err;
  }
}
