import { describePorts } from '../../engine/networks/ports.js';
import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { ago, ellipsis, humanDuration, renderFormat, table } from './format.js';
import type { Container } from '../../engine/containers/types.js';
import { invalidArgument } from '../../engine/errors.js';

export const spec: CommandSpec = {
  name: 'ps',
  usage: 'ps [OPTIONS]',
  description: 'List containers',
  maxArgs: 0,
  flags: {
    all: { type: 'bool', short: 'a', description: 'Show all containers (default shows just running)' },
    quiet: { type: 'bool', short: 'q', description: 'Only display container IDs' },
    last: { type: 'string', short: 'n', value: 'int', description: 'Show n last created containers (includes all states)' },
    latest: { type: 'bool', short: 'l', description: 'Show the latest created container (includes all states)' },
    'no-trunc': { type: 'bool', description: "Don't truncate output" },
    filter: { type: 'list', short: 'f', value: 'filter', description: 'Filter output based on conditions provided' },
    format: { type: 'string', value: 'string', description: 'Format output using a custom template' },
    size: { type: 'bool', short: 's', description: 'Display total file sizes' },
  },
};

/** Docker's STATUS column: Up 3 minutes (Paused), Exited (137) 2 seconds ago, Created, Restarting (1) … */
export function statusText(c: Container, now = Date.now()): string {
  const since = (iso: string) => humanDuration(Math.max(0, now - Date.parse(iso)));
  switch (c.state.Status) {
    case 'running':
      return `Up ${since(c.state.StartedAt)}`;
    case 'paused':
      return `Up ${since(c.state.StartedAt)} (Paused)`;
    case 'restarting':
      return `Restarting (${c.state.ExitCode}) ${since(c.state.FinishedAt)} ago`;
    case 'exited':
      return c.state.FinishedAt.startsWith('0001') ? 'Created' : `Exited (${c.state.ExitCode}) ${since(c.state.FinishedAt)} ago`;
    case 'created':
      return 'Created';
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
  }
}

/** Go's strconv.Quote, enough for commands. */
function quote(s: string): string {
  return JSON.stringify(s);
}

function matches(c: Container, filter: string, imageLabel: string, descendsFrom: (c: Container, image: string) => boolean): boolean {
  const eq = filter.indexOf('=');
  if (eq < 0) throw invalidArgument(`bad format of filter (expected name=value)`);
  const key = filter.slice(0, eq);
  const value = filter.slice(eq + 1);
  switch (key) {
    case 'status':
      return c.state.Status === value;
    case 'name':
      return new RegExp(value).test(c.name);
    case 'id':
      return c.id.startsWith(value);
    case 'ancestor':
      return descendsFrom(c, value);
    case 'exited':
      return c.state.Status === 'exited' && String(c.state.ExitCode) === value;
    case 'label': {
      const [k, v] = value.split('=', 2);
      return k in c.config.Labels && (v === undefined || c.config.Labels[k] === v);
    }
    default:
      throw invalidArgument(`invalid filter '${key}'`);
  }
}

export async function run(ctx: CliContext, { flags }: Parsed): Promise<void> {
  const engine = await ctx.engine();
  let containers = engine.containers.list();
  const last = flags.latest ? 1 : flags.last !== undefined ? Number(flags.last) : -1;
  const filters = flags.filter as string[];
  if (!flags.all && last < 0 && !filters.some((f) => f.startsWith('status='))) {
    containers = containers.filter((c) => c.state.Status === 'running' || c.state.Status === 'paused' || c.state.Status === 'restarting');
  }
  // Docker's ancestor: the container's image is the named image or was built (committed) on top of it.
  const images = engine.images.list();
  const parentOf = new Map(images.map((i) => [i.id as string, i.parent]));
  const descendsFrom = (c: Container, name: string) => {
    let wanted: string;
    try {
      wanted = engine.images.resolve(name);
    } catch {
      return false;
    }
    for (let id: string | undefined = c.imageId; id; id = parentOf.get(id)) if (id === wanted) return true;
    return false;
  };
  containers = containers.filter((c) => filters.every((f) => matches(c, f, engine.containers.imageLabel(c), descendsFrom)));
  if (last >= 0) containers = containers.slice(0, last);
  const noTrunc = flags['no-trunc'] === true;
  if (flags.quiet) {
    print(ctx, containers.map((c) => (noTrunc ? c.id : c.id.slice(0, 12))).join('\n'));
    return;
  }
  const rows = containers.map((c) => {
    const command = [...(c.config.Entrypoint ?? []), ...(c.config.Cmd ?? [])].join(' ');
    return {
      ID: noTrunc ? c.id : c.id.slice(0, 12),
      Image: engine.containers.imageLabel(c),
      Command: quote(noTrunc ? command : ellipsis(command, 20)),
      CreatedAt: c.created,
      RunningFor: ago(c.created),
      Status: statusText(c),
      State: c.state.Status,
      Ports: describePorts(c.ports, Object.keys(c.config.ExposedPorts ?? {}), c.state.Running),
      Names: c.name,
      Labels: Object.entries(c.config.Labels).map(([k, v]) => `${k}=${v}`).join(','),
    };
  });
  if (typeof flags.format === 'string') {
    print(ctx, renderFormat(flags.format, rows, { ID: 'CONTAINER ID', RunningFor: 'CREATED', CreatedAt: 'CREATED AT' }));
    return;
  }
  print(
    ctx,
    table(
      ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'],
      rows.map((r) => [r.ID, r.Image, r.Command, r.RunningFor, r.Status, r.Ports, r.Names]),
    ),
  );
}
