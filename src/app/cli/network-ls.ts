import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { renderFormat, table } from './format.js';
import { invalidArgument } from '../../engine/errors.js';

export const spec: CommandSpec = {
  name: 'network ls',
  usage: 'network ls [OPTIONS]',
  description: 'List networks',
  maxArgs: 0,
  flags: {
    quiet: { type: 'bool', short: 'q', description: 'Only display network IDs' },
    'no-trunc': { type: 'bool', description: "Do not truncate the output" },
    filter: { type: 'list', short: 'f', value: 'filter', description: "Provide filter values (e.g. 'name=mynet', 'driver=bridge', 'id=…', 'label=…', 'type=custom|builtin')" },
    format: { type: 'string', value: 'string', description: 'Format output using a Go-like template, or json' },
  },
};

export async function run(ctx: CliContext, { flags }: Parsed): Promise<void> {
  const engine = await ctx.engine();
  await engine.networks.ensureDefaults();
  let networks = engine.networks.list();
  for (const f of (flags.filter as string[] | undefined) ?? []) {
    const eq = f.indexOf('=');
    const key = f.slice(0, eq);
    const value = f.slice(eq + 1);
    if (eq < 0) throw invalidArgument(`bad format of filter (expected name=value)`);
    if (key === 'name') networks = networks.filter((n) => n.name.includes(value));
    else if (key === 'id') networks = networks.filter((n) => n.id.startsWith(value));
    else if (key === 'driver') networks = networks.filter((n) => n.driver === value);
    else if (key === 'type') networks = networks.filter((n) => (value === 'builtin') === ['bridge', 'host', 'none'].includes(n.name));
    else if (key === 'label') {
      const [k, v] = value.split('=');
      networks = networks.filter((n) => k in n.labels && (v === undefined || n.labels[k] === v));
    } else throw invalidArgument(`invalid filter '${key}'`);
  }
  const noTrunc = flags['no-trunc'] === true;
  const id = (full: string) => (noTrunc ? full : full.slice(0, 12));
  if (flags.quiet) {
    print(ctx, networks.map((n) => id(n.id)).join('\n'));
    return;
  }
  const rows = networks.map((n) => ({
    ID: id(n.id),
    Name: n.name,
    Driver: n.driver,
    Scope: 'local',
    IPv6: 'false',
    Internal: String(n.internal),
    CreatedAt: n.created,
    Labels: Object.entries(n.labels).map(([k, v]) => `${k}=${v}`).join(','),
  }));
  if (typeof flags.format === 'string') {
    print(ctx, renderFormat(flags.format, rows, { ID: 'NETWORK ID' }));
    return;
  }
  print(ctx, table(['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE'], rows.map((r) => [r.ID, r.Name, r.Driver, r.Scope])));
}
