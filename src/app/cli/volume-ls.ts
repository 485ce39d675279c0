import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { renderFormat, table } from './format.js';
import { invalidArgument } from '../../engine/errors.js';
import type { Volume } from '../../engine/volumes/types.js';
import { labelFilter, labelMatches } from '../../engine/volumes/service.js';

export const spec: CommandSpec = {
  name: 'volume ls',
  usage: 'volume ls [OPTIONS]',
  description: 'List volumes',
  maxArgs: 0,
  flags: {
    quiet: { type: 'bool', short: 'q', description: 'Only display volume names' },
    filter: { type: 'list', short: 'f', value: 'filter', description: "Provide filter values (e.g. 'dangling=true', 'name=…', 'label=…', 'driver=local')" },
    format: { type: 'string', value: 'string', description: 'Format output using a Go-like template, or json' },
  },
};

export async function run(ctx: CliContext, { flags }: Parsed): Promise<void> {
  const engine = await ctx.engine();
  let volumes = engine.volumes.list();
  let users: Map<string, string[]> | undefined;
  for (const f of (flags.filter as string[] | undefined) ?? []) {
    const eq = f.indexOf('=');
    if (eq < 0) throw invalidArgument(`bad format of filter (expected name=value)`);
    const key = f.slice(0, eq);
    const value = f.slice(eq + 1);
    if (key === 'dangling') {
      const dangling = ['true', '1'].includes(value) ? true : ['false', '0'].includes(value) ? false : undefined;
      if (dangling === undefined) throw invalidArgument(`invalid filter 'dangling=${value}'`);
      users ??= engine.volumes.users();
      const used = users;
      volumes = volumes.filter((v) => used.has(v.name) !== dangling);
    } else if (key === 'name') volumes = volumes.filter((v) => v.name.includes(value));
    else if (key === 'driver') volumes = volumes.filter(() => value === 'local');
    else if (key === 'label') {
      const filter = labelFilter(value);
      volumes = volumes.filter((vol: Volume) => labelMatches(vol.labels, filter));
    } else throw invalidArgument(`invalid filter '${key}'`);
  }
  if (flags.quiet) {
    print(ctx, volumes.map((v) => v.name).join('\n'));
    return;
  }
  const rows = volumes.map((v) => ({
    Driver: 'local',
    Name: v.name,
    Scope: 'local',
    Mountpoint: v.mountpoint,
    Labels: Object.entries(v.labels ?? {}).map(([k, val]) => `${k}=${val}`).join(','),
    CreatedAt: v.createdAt,
  }));
  if (typeof flags.format === 'string') {
    print(ctx, renderFormat(flags.format, rows, { Name: 'VOLUME NAME' }));
    return;
  }
  print(ctx, table(['DRIVER', 'VOLUME NAME'], rows.map((r) => [r.Driver, r.Name])));
}
