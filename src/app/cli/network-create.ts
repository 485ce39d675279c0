import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';

export const spec: CommandSpec = {
  name: 'network create',
  usage: 'network create [OPTIONS] NETWORK',
  description: 'Create a network',
  minArgs: 1,
  maxArgs: 1,
  flags: {
    driver: { type: 'string', short: 'd', value: 'string', default: 'bridge', description: 'Driver to manage the Network' },
    subnet: { type: 'string', value: 'string', description: 'Subnet in CIDR format that represents a network segment' },
    gateway: { type: 'string', value: 'string', description: 'IPv4 Gateway for the master subnet' },
    internal: { type: 'bool', description: 'Restrict external access to the network' },
    label: { type: 'list', value: 'list', description: 'Set metadata on a network' },
  },
};

export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<void> {
  const labels: Record<string, string> = {};
  for (const l of (flags.label as string[] | undefined) ?? []) {
    const eq = l.indexOf('=');
    labels[eq >= 0 ? l.slice(0, eq) : l] = eq >= 0 ? l.slice(eq + 1) : '';
  }
  const network = await (await ctx.engine()).networks.create({
    name: args[0],
    driver: typeof flags.driver === 'string' ? flags.driver : undefined,
    subnet: typeof flags.subnet === 'string' ? flags.subnet : undefined,
    gateway: typeof flags.gateway === 'string' ? flags.gateway : undefined,
    internal: flags.internal === true,
    labels,
  });
  print(ctx, network.id);
}
