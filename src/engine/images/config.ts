/**
 * Image configuration as the OCI image spec and Docker write it. The bytes of
 * a config are kept as received (the image ID is their sha256); this type is
 * only how berth reads them.
 */
import type { Digest } from '../digest.js';
import { invalidArgument } from '../errors.js';
import { parseBoundedJson } from './bounded-json.js';

export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  OnBuild?: string[] | null;
  Shell?: string[];
  Healthcheck?: unknown;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface ImageConfig {
  architecture: string;
  os: string;
  variant?: string;
  created?: string;
  author?: string;
  comment?: string;
  config?: ContainerConfig;
  rootfs: { type: 'layers'; diff_ids: Digest[] };
  history?: HistoryEntry[];
  /** Docker's legacy fields, kept when present */
  container?: string;
  docker_version?: string;
}

/** Parses config bytes, checking only what berth relies on, within the bounds of bounded-json.ts. */
export function parseImageConfig(bytes: Buffer): ImageConfig {
  const config = parseBoundedJson(bytes, 'invalid image config') as ImageConfig;
  if (
    typeof config !== 'object' ||
    config === null ||
    config.rootfs?.type !== 'layers' ||
    !Array.isArray(config.rootfs.diff_ids) ||
    !config.rootfs.diff_ids.every((d) => typeof d === 'string' && /^sha256:[0-9a-f]{64}$/.test(d))
  ) {
    throw invalidArgument('invalid image config: rootfs.diff_ids is missing or malformed');
  }
  return config;
}

/** Docker's GOARCH names for Node's process.arch. */
export function hostArchitecture(): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[process.arch] ?? process.arch;
}

/**
 * Applies `--change` instructions (as `docker import` and `docker commit -c`
 * accept them) to a container config. Only instructions that describe the
 * image are allowed; RUN, COPY and friends are refused.
 */
export function applyChanges(base: ContainerConfig, changes: readonly string[]): ContainerConfig {
  const config: ContainerConfig = structuredClone(base);
  for (const change of changes) {
    const match = /^\s*([A-Za-z]+)\s+([\s\S]*?)\s*$/.exec(change);
    if (!match) throw invalidArgument(`invalid --change "${change}": expected an instruction and its arguments`);
    const instruction = match[1].toUpperCase();
    const args = match[2];
    switch (instruction) {
      case 'CMD':
        config.Cmd = commandForm(args, change);
        break;
      case 'ENTRYPOINT':
        config.Entrypoint = commandForm(args, change);
        break;
      case 'ENV':
        for (const [key, value] of keyValues(args, change)) {
          config.Env = (config.Env ?? []).filter((e) => !e.startsWith(`${key}=`)).concat(`${key}=${value}`);
        }
        break;
      case 'LABEL':
        for (const [key, value] of keyValues(args, change)) config.Labels = { ...config.Labels, [key]: value };
        break;
      case 'EXPOSE':
        for (const port of args.split(/\s+/)) {
          if (!/^\d{1,5}(\/(tcp|udp|sctp))?$/.test(port)) throw invalidArgument(`invalid --change "${change}": bad port "${port}"`);
          config.ExposedPorts = { ...config.ExposedPorts, [port.includes('/') ? port : `${port}/tcp`]: {} };
        }
        break;
      case 'VOLUME': {
        const paths = args.startsWith('[') ? jsonArray(args, change) : args.split(/\s+/);
        for (const p of paths) config.Volumes = { ...config.Volumes, [p]: {} };
        break;
      }
      case 'USER':
        config.User = args;
        break;
      case 'WORKDIR':
        config.WorkingDir = args;
        break;
      case 'STOPSIGNAL':
        config.StopSignal = args;
        break;
      case 'ONBUILD':
        config.OnBuild = [...(config.OnBuild ?? []), args];
        break;
      default:
        throw invalidArgument(`${instruction} is not a valid change command`);
    }
  }
  return config;
}

/** JSON array form is exec form; anything else is shell form, run by /bin/sh -c. */
function commandForm(args: string, change: string): string[] {
  if (args.startsWith('[')) return jsonArray(args, change);
  return ['/bin/sh', '-c', args];
}

function jsonArray(args: string, change: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw invalidArgument(`invalid --change "${change}": not a valid JSON array`);
  }
  if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === 'string')) {
    throw invalidArgument(`invalid --change "${change}": expected a JSON array of strings`);
  }
  return parsed;
}

/** `KEY=value KEY2="v 2"` or the legacy `KEY value` form. */
function keyValues(args: string, change: string): [string, string][] {
  if (!/^[^\s=]+=/.test(args)) {
    const legacy = /^(\S+)\s+([\s\S]*)$/.exec(args);
    if (!legacy) throw invalidArgument(`invalid --change "${change}": expected KEY=value`);
    return [[legacy[1], legacy[2]]];
  }
  const pairs: [string, string][] = [];
  const re = /([^\s=]+)=("((?:[^"\\]|\\.)*)"|'([^']*)'|(\S*))/g;
  let m: RegExpExecArray | null;
  let consumed = '';
  while ((m = re.exec(args))) {
    const value = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : (m[4] ?? m[5] ?? '');
    pairs.push([m[1], value]);
    consumed += m[0];
  }
  if (consumed.replace(/\s/g, '').length !== args.replace(/\s/g, '').length) {
    throw invalidArgument(`invalid --change "${change}": expected KEY=value pairs`);
  }
  return pairs;
}
