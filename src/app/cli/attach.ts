import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { attachTerminal } from './start-attached.js';
import { failedPrecondition } from '../../engine/errors.js';

export const spec: CommandSpec = {
  name: 'attach',
  usage: 'attach [OPTIONS] CONTAINER',
  description: "Attach local standard input, output, and error streams to a running container",
  minArgs: 1,
  maxArgs: 1,
  flags: {
    'detach-keys': { type: 'string', value: 'string', description: 'Override the key sequence for detaching a container' },
    'no-stdin': { type: 'bool', description: 'Do not attach STDIN' },
    'sig-proxy': { type: 'string', value: 'bool', default: 'true', description: 'Proxy all received signals to the process' },
  },
};

export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<number> {
  const engine = await ctx.engine();
  const container = engine.containers.get(args[0]);
  if (container.state.Status !== 'running' && container.state.Status !== 'paused') {
    throw failedPrecondition('You cannot attach to a stopped container, start it first');
  }
  const stdin = container.config.OpenStdin && flags['no-stdin'] !== true;
  return attachTerminal(engine, container, {
    stdin,
    detachKeys: flags['detach-keys'] as string | undefined,
    sigProxy: flags['sig-proxy'] !== 'false',
  });
}
