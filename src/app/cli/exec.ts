import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { envFlag } from './run-options.js';
import { bridgeTerminal } from './terminal.js';

export const spec: CommandSpec = {
  name: 'exec',
  usage: 'exec [OPTIONS] CONTAINER COMMAND [ARG...]',
  description: 'Execute a command in a running container',
  stopAtPositional: true,
  minArgs: 2,
  flags: {
    detach: { type: 'bool', short: 'd', description: 'Detached mode: run command in the background' },
    interactive: { type: 'bool', short: 'i', description: 'Keep STDIN open even if not attached' },
    tty: { type: 'bool', short: 't', description: 'Allocate a pseudo-TTY' },
    env: { type: 'list', short: 'e', value: 'list', description: 'Set environment variables' },
    user: { type: 'string', short: 'u', value: 'string', description: 'Username or UID (format: "<name|uid>[:<group|gid>]")' },
    workdir: { type: 'string', short: 'w', value: 'string', description: 'Working directory inside the container' },
    privileged: { type: 'bool', description: 'Give extended privileges to the command' },
    'detach-keys': { type: 'string', value: 'string', description: 'Override the key sequence for detaching a container' },
  },
};

/** Exits with the command's exit code; 126/127 when it cannot run, as Docker does. */
export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<number> {
  const [container, ...cmd] = args;
  const engine = await ctx.engine();
  const tty = flags.tty === true;
  for (const entry of (flags.env as string[] | undefined) ?? []) envFlag(entry);
  const session = await engine.containers.exec(container, {
    cmd,
    tty,
    interactive: flags.interactive === true,
    detach: flags.detach === true,
    env: flags.env as string[],
    user: flags.user as string | undefined,
    workdir: flags.workdir as string | undefined,
    privileged: flags.privileged === true,
    cols: process.stdout.columns,
    rows: process.stdout.rows,
  });
  if (flags.detach) return 0;
  const outcome = await bridgeTerminal(session, {
    tty,
    stdin: flags.interactive === true,
    detachKeys: flags['detach-keys'] as string | undefined,
  });
  return outcome.kind === 'exit' ? outcome.exit.code : 0;
}
