/**
 * The flags `run` and `create` share, and their translation into the
 * engine's CreateOptions — Docker's spellings, units and error wording.
 */
import fs from 'node:fs';
import type { FlagSpec, Parsed } from './args.js';
import type { CreateOptions } from '../../engine/containers/service.js';
import { invalidArgument } from '../../engine/errors.js';
import { checkEnv } from '../../engine/containers/create-checks.js';
import { MOUNT_FLAGS, mountOptions } from './mount-options.js';

export const CREATE_FLAGS: Record<string, FlagSpec> = {
  name: { type: 'string', value: 'string', description: 'Assign a name to the container' },
  interactive: { type: 'bool', short: 'i', description: 'Keep STDIN open even if not attached' },
  tty: { type: 'bool', short: 't', description: 'Allocate a pseudo-TTY' },
  env: { type: 'list', short: 'e', value: 'list', description: 'Set environment variables' },
  'env-file': { type: 'list', value: 'list', description: 'Read in a file of environment variables' },
  workdir: { type: 'string', short: 'w', value: 'string', description: 'Working directory inside the container' },
  user: { type: 'string', short: 'u', value: 'string', description: 'Username or UID (format: <name|uid>[:<group|gid>])' },
  entrypoint: { type: 'string', value: 'string', description: 'Overwrite the default ENTRYPOINT of the image' },
  hostname: { type: 'string', short: 'h', value: 'string', description: 'Container host name' },
  restart: { type: 'string', value: 'string', default: 'no', description: 'Restart policy to apply when a container exits' },
  rm: { type: 'bool', description: 'Automatically remove the container and its associated anonymous volumes when it exits' },
  memory: { type: 'string', short: 'm', value: 'bytes', description: 'Memory limit' },
  'memory-swap': { type: 'string', value: 'bytes', description: "Swap limit equal to memory plus swap: '-1' to enable unlimited swap" },
  cpus: { type: 'string', value: 'decimal', description: 'Number of CPUs' },
  'cpu-shares': { type: 'string', short: 'c', value: 'int', description: 'CPU shares (relative weight)' },
  'pids-limit': { type: 'string', value: 'int', description: 'Tune container pids limit (set -1 for unlimited)' },
  'cap-add': { type: 'list', value: 'list', description: 'Add Linux capabilities' },
  'cap-drop': { type: 'list', value: 'list', description: 'Drop Linux capabilities' },
  privileged: { type: 'bool', description: 'Give extended privileges to this container' },
  'read-only': { type: 'bool', description: "Mount the container's root filesystem as read only" },
  'security-opt': { type: 'list', value: 'list', description: 'Security Options' },
  'log-opt': { type: 'list', value: 'list', description: 'Log driver options (max-size, max-file)' },
  label: { type: 'list', short: 'l', value: 'list', description: 'Set meta data on a container' },
  'stop-signal': { type: 'string', value: 'string', description: 'Signal to stop the container' },
  'stop-timeout': { type: 'string', value: 'int', description: 'Timeout (in seconds) to stop a container' },
  network: { type: 'string', value: 'network', description: 'Connect a container to a network (bridge, none, host, container:<name|id>, or a network name)' },
  net: { type: 'string', value: 'network', description: 'Alias of --network' },
  'network-alias': { type: 'list', value: 'list', description: 'Add network-scoped alias for the container' },
  publish: { type: 'list', short: 'p', value: 'list', description: "Publish a container's port(s) to the host" },
  'publish-all': { type: 'bool', short: 'P', description: 'Publish all exposed ports to random ports' },
  expose: { type: 'list', value: 'list', description: 'Expose a port or a range of ports' },
  'add-host': { type: 'list', value: 'list', description: 'Add a custom host-to-IP mapping (host:ip)' },
  dns: { type: 'list', value: 'list', description: 'Set custom DNS servers' },
  ...MOUNT_FLAGS,
};

/** Docker's RAMInBytes: "32m", "1.5g", "512k", "1024b" (binary units). */
export function parseMemory(value: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([bkmgtp]?)b?$/i.exec(value.trim());
  if (!match) throw invalidArgument(`invalid argument "${value}" for "${flag}" flag: invalid size: '${value}'`);
  const power = 'bkmgtp'.indexOf((match[2] || 'b').toLowerCase());
  return Math.floor(Number(match[1]) * 1024 ** power);
}

/** -e as Docker's CLI checks it, naming the flag; the engine checks every entry again (--env-file's too). */
export function envFlag(entry: string): void {
  try {
    checkEnv([entry]);
  } catch (err) {
    throw invalidArgument(`invalid argument "${entry}" for "-e, --env" flag: ${(err as Error).message}`);
  }
}

function parseInteger(value: string, flag: string): number {
  if (!/^-?\d+$/.test(value)) throw invalidArgument(`invalid argument "${value}" for "${flag}" flag: strconv.ParseInt: parsing "${value}": invalid syntax`);
  return Number(value);
}

/** KEY=value lines; blank lines and # comments skipped; a bare KEY takes the host's value. */
function readEnvFile(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw invalidArgument(`open ${file}: no such file or directory`);
  }
  return text
    .split('\n')
    .map((l) => l.replace(/^\s+/, ''))
    .filter((l) => l && !l.startsWith('#'));
}

export function createOptions(flags: Parsed['flags'], image: string, cmd: string[], extra: Partial<CreateOptions> = {}): CreateOptions {
  const str = (name: string) => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);
  const list = (name: string) => (flags[name] as string[] | undefined) ?? [];
  const labels: Record<string, string> = {};
  for (const l of list('label')) {
    const eq = l.indexOf('=');
    labels[eq >= 0 ? l.slice(0, eq) : l] = eq >= 0 ? l.slice(eq + 1) : '';
  }
  const logOpts: Record<string, string> = {};
  for (const o of list('log-opt')) {
    const eq = o.indexOf('=');
    if (eq < 0) throw invalidArgument(`invalid log-opt: ${o}`);
    logOpts[o.slice(0, eq)] = o.slice(eq + 1);
  }
  const cpus = str('cpus');
  // 0 is no limit and a negative count is out of range (the engine says so), as Docker has them
  if (cpus !== undefined && (cpus.trim() === '' || !Number.isFinite(Number(cpus)))) {
    throw invalidArgument(`invalid argument "${cpus}" for "--cpus" flag: failed to parse ${cpus} as a rational number`);
  }
  for (const entry of list('env')) envFlag(entry);
  const memorySwap = str('memory-swap');
  const entrypoint = str('entrypoint');
  const stopTimeout = str('stop-timeout');
  const pids = str('pids-limit');
  const shares = str('cpu-shares');
  return {
    image,
    cmd,
    name: str('name'),
    entrypoint: entrypoint !== undefined ? [entrypoint] : undefined,
    env: [...list('env-file').flatMap(readEnvFile), ...list('env')],
    workdir: str('workdir'),
    user: str('user'),
    hostname: str('hostname'),
    tty: flags.tty === true,
    interactive: flags.interactive === true,
    restart: str('restart'),
    autoRemove: flags.rm === true,
    memory: str('memory') !== undefined ? parseMemory(str('memory')!, '-m, --memory') : undefined,
    memorySwap: memorySwap === '-1' ? -1 : memorySwap !== undefined ? parseMemory(memorySwap, '--memory-swap') : undefined,
    cpus: cpus !== undefined ? Number(cpus) : undefined,
    cpuShares: shares !== undefined ? parseInteger(shares, '-c, --cpu-shares') : undefined,
    pidsLimit: pids !== undefined ? parseInteger(pids, '--pids-limit') : undefined,
    capAdd: list('cap-add'),
    capDrop: list('cap-drop'),
    privileged: flags.privileged === true,
    readOnly: flags['read-only'] === true,
    securityOpt: list('security-opt'),
    logOpts,
    labels,
    stopSignal: str('stop-signal'),
    stopTimeout: stopTimeout !== undefined ? parseInteger(stopTimeout, '--stop-timeout') : undefined,
    consoleSize: process.stdout.isTTY ? [process.stdout.columns, process.stdout.rows] : undefined,
    network: str('network') ?? str('net'),
    networkAliases: list('network-alias'),
    publish: list('publish'),
    publishAll: flags['publish-all'] === true,
    expose: list('expose'),
    addHost: list('add-host'),
    dns: list('dns'),
    ...mountOptions(flags),
    ...extra,
  };
}
