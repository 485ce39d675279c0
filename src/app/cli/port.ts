import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { notFound } from '../../engine/errors.js';

export const spec: CommandSpec = {
  name: 'port',
  usage: 'port CONTAINER [PRIVATE_PORT[/PROTO]]',
  description: 'List port mappings or a specific mapping for the container',
  minArgs: 1,
  maxArgs: 2,
  flags: {},
};

/** Docker's format: "80/tcp -> 0.0.0.0:49154", or just "0.0.0.0:49154" for one asked-for port. */
export async function run(ctx: CliContext, { args }: Parsed): Promise<void> {
  const container = (await ctx.engine()).containers.get(args[0]);
  const bindings = container.ports; // as bound at start: -P and -p 80 pick their host ports then
  if (args[1]) {
    const key = args[1].includes('/') ? args[1] : `${args[1]}/tcp`;
    const found = bindings[key];
    if (!found?.length) throw notFound(`No public port '${key}' published for ${args[0]}`);
    print(ctx, found.map((b) => `${b.HostIp || '0.0.0.0'}:${b.HostPort}`).join('\n'));
    return;
  }
  print(ctx, Object.entries(bindings).flatMap(([port, list]) => list.map((b) => `${port} -> ${b.HostIp || '0.0.0.0'}:${b.HostPort}`)).join('\n'));
}
