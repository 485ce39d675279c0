/**
 * The mount syntaxes users type, parsed and checked as Docker does, with its
 * error wording: `-v SRC:DST[:MODE]` (Binds), `--mount k=v,…` (Mounts) and
 * `--volumes-from CTR[:ro|rw]`. Pure: nothing here touches the disk except
 * the bind-source existence check Docker makes for --mount.
 */
import fs from 'node:fs';
import path from 'node:path';
import { invalidArgument } from '../errors.js';
import { VOLUME_NAME_RE, type MountPoint, type MountSpec } from './types.js';

const RW_MODES = new Set(['rw', 'ro']);
const LABEL_MODES = new Set(['z', 'Z']);
export const PROPAGATION_MODES = new Set(['private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared']);
const CONSISTENCY_MODES = new Set(['consistent', 'cached', 'delegated']);

/** An absolute path without `.`, `..`, doubled or trailing slashes. */
const cleanPath = (p: string) => path.posix.normalize(p).replace(/(.)\/+$/, '$1');

/** Docker's linuxValidMountMode: a comma list with at most one of each kind. */
function validMode(mode: string): boolean {
  if (mode === '') return true;
  const counts = { rw: 0, label: 0, propagation: 0, copy: 0, consistency: 0 };
  for (const o of mode.split(',')) {
    if (RW_MODES.has(o)) counts.rw++;
    else if (LABEL_MODES.has(o)) counts.label++;
    else if (PROPAGATION_MODES.has(o)) counts.propagation++;
    else if (o === 'nocopy') counts.copy++;
    else if (CONSISTENCY_MODES.has(o)) counts.consistency++;
    else return false;
  }
  return Object.values(counts).every((n) => n <= 1);
}

/** A clean absolute container path, or Docker's error for the mount type. */
function checkTarget(type: string, target: string): string {
  if (target === '') throw mountConfigError(type, 'field Target must not be empty');
  if (!target.startsWith('/')) throw mountConfigError(type, `invalid mount path: '${target}' mount path must be absolute`);
  const clean = cleanPath(target);
  if (clean === '/') throw mountConfigError(type, "invalid specification: destination can't be '/'");
  return clean;
}

function mountConfigError(type: string, message: string) {
  return invalidArgument(`invalid mount config for type "${type}": ${message}`);
}

/** Docker's error for a volume name that is not one (often a relative host path). */
export function checkVolumeName(name: string): void {
  if (!VOLUME_NAME_RE.test(name)) {
    throw invalidArgument(
      `create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
    );
  }
}

/** A `-v` value, split. `source` is undefined for `-v /path` (an anonymous volume). */
export interface VolumeFlag {
  source?: string;
  destination: string;
  mode: string;
}

/** Splits `-v SRC:DST[:MODE]` or `-v DST`, checking the shape and mode as Docker's parser does. */
export function parseVolumeFlag(raw: string): VolumeFlag {
  const parts = raw.split(':');
  const invalidSpec = () => invalidArgument(`invalid volume specification: '${raw}'`);
  if (raw === '' || parts.some((p) => p === '')) throw invalidSpec();
  let flag: VolumeFlag;
  if (parts.length === 1) flag = { destination: parts[0], mode: '' };
  else if (parts.length === 2) {
    // "/dst:ro" is a destination with a mode, and an anonymous volume cannot have one
    if (validMode(parts[1])) throw invalidSpec();
    flag = { source: parts[0], destination: parts[1], mode: '' };
  } else if (parts.length === 3) flag = { source: parts[0], destination: parts[1], mode: parts[2] };
  else throw invalidSpec();
  if (!validMode(flag.mode)) throw invalidArgument(`invalid mode: ${flag.mode}`);
  const type = flag.source !== undefined && path.isAbsolute(flag.source) ? 'bind' : 'volume';
  try {
    flag.destination = checkTarget(type, flag.destination);
    if (type === 'bind' && flag.mode.split(',').includes('nocopy')) throw mountConfigError(type, 'field VolumeOptions must not be specified');
  } catch (err) {
    throw invalidArgument(`invalid volume specification: '${raw}': ${(err as Error).message}`);
  }
  return flag;
}

/** A `-v` with a source as the container will have it (the volume name is checked, not created). */
export function volumeFlagMount(flag: VolumeFlag): MountPoint {
  const modes = flag.mode === '' ? [] : flag.mode.split(',');
  const readOnly = modes.includes('ro');
  if (flag.source === undefined) throw invalidArgument(`invalid volume specification: '${flag.destination}'`);
  if (path.isAbsolute(flag.source)) {
    return {
      type: 'bind',
      source: cleanPath(flag.source),
      destination: flag.destination,
      readOnly,
      mode: flag.mode,
      propagation: modes.find((m) => PROPAGATION_MODES.has(m)) ?? 'rprivate',
      createSource: true,
    };
  }
  checkVolumeName(flag.source);
  return {
    type: 'volume',
    name: flag.source,
    destination: flag.destination,
    readOnly,
    mode: flag.mode || 'z',
    propagation: '',
    copyData: !modes.includes('nocopy'),
  };
}

/** Docker's RAMInBytes: "64m", "1.5g", "512k", "100" (binary units); undefined if it is not one. */
export function ramInBytes(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([bkmgtp]?)(?:i?b)?$/i.exec(value.trim());
  if (!match) return undefined;
  return Math.floor(Number(match[1]) * 1024 ** 'bkmgtp'.indexOf((match[2] || 'b').toLowerCase()));
}

function parseBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  return undefined;
}

/**
 * `--mount type=bind,source=/x,target=/y,readonly` (Docker's CLI syntax:
 * src|source, dst|destination|target, ro|readonly[=bool], bind-propagation,
 * volume-nocopy, volume-label, tmpfs-size, tmpfs-mode). Errors are the bare
 * message; the CLI names the flag.
 */
export function parseMountFlag(value: string): MountSpec {
  const mount: MountSpec = { Type: '', Target: '' };
  const bind = () => (mount.BindOptions ??= {});
  const volume = () => (mount.VolumeOptions ??= {});
  const tmpfs = () => (mount.TmpfsOptions ??= {});
  for (const field of value.split(',')) {
    if (field === '') continue;
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const val = eq < 0 ? '' : field.slice(eq + 1);
    if (eq < 0) {
      if (key === 'readonly' || key === 'ro') mount.ReadOnly = true;
      else if (key === 'volume-nocopy') volume().NoCopy = true;
      else if (key === 'bind-nonrecursive') bind().NonRecursive = true;
      else throw invalidArgument(`invalid field '${field}' must be a key=value pair`);
      continue;
    }
    const bool = () => {
      const b = parseBool(val);
      if (b === undefined) throw invalidArgument(`invalid value for ${key}: ${val}`);
      return b;
    };
    switch (key) {
      case 'type':
        mount.Type = val.toLowerCase();
        break;
      case 'source':
      case 'src':
        mount.Source = val;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        mount.Target = val;
        break;
      case 'readonly':
      case 'ro':
        mount.ReadOnly = bool();
        break;
      case 'consistency':
        break;
      case 'bind-propagation':
        bind().Propagation = val.toLowerCase();
        break;
      case 'bind-nonrecursive':
        bind().NonRecursive = bool();
        break;
      case 'volume-nocopy':
        volume().NoCopy = bool();
        break;
      case 'volume-label': {
        const at = val.indexOf('=');
        volume().Labels = { ...volume().Labels, [at < 0 ? val : val.slice(0, at)]: at < 0 ? '' : val.slice(at + 1) };
        break;
      }
      case 'volume-driver':
        volume().DriverConfig = { ...volume().DriverConfig, Name: val };
        break;
      case 'tmpfs-size': {
        const size = ramInBytes(val);
        if (size === undefined) throw invalidArgument(`invalid value for ${key}: ${val}`);
        tmpfs().SizeBytes = size;
        break;
      }
      case 'tmpfs-mode': {
        if (!/^[0-7]+$/.test(val)) throw invalidArgument(`invalid value for ${key}: ${val}`);
        tmpfs().Mode = parseInt(val, 8);
        break;
      }
      default:
        throw invalidArgument(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (mount.Type === '') throw invalidArgument('type is required');
  if (mount.Target === '') throw invalidArgument('target is required');
  for (const [options, type] of [[mount.VolumeOptions, 'volume'], [mount.BindOptions, 'bind'], [mount.TmpfsOptions, 'tmpfs']] as const) {
    if (options && mount.Type !== type) throw invalidArgument(`cannot mix '${type}-*' options with mount type '${mount.Type}'`);
  }
  return mount;
}

/**
 * A `--mount` (or API Mounts entry) as the container will have it, checked
 * as Docker's daemon checks it; a bind's source must exist. The volume is
 * named, not created.
 */
export function mountSpecMount(spec: MountSpec): MountPoint {
  const type = spec.Type;
  if (type !== 'bind' && type !== 'volume' && type !== 'tmpfs') throw mountConfigError(type, 'mount type unknown');
  const destination = checkTarget(type, spec.Target);
  const source = spec.Source ?? '';
  const readOnly = spec.ReadOnly === true;
  if (type !== 'bind' && spec.BindOptions) throw mountConfigError(type, 'field BindOptions must not be specified');
  if (type !== 'volume' && spec.VolumeOptions) throw mountConfigError(type, 'field VolumeOptions must not be specified');
  if (type !== 'tmpfs' && spec.TmpfsOptions) throw mountConfigError(type, 'field TmpfsOptions must not be specified');
  if (type === 'bind') {
    if (source === '') throw mountConfigError(type, 'field Source must not be empty');
    const propagation = spec.BindOptions?.Propagation || 'rprivate';
    if (!PROPAGATION_MODES.has(propagation)) throw mountConfigError(type, `invalid propagation mode: ${propagation}`);
    if (!path.isAbsolute(source)) throw mountConfigError(type, `invalid mount path: '${source}' mount path must be absolute`);
    if (!fs.existsSync(source)) throw mountConfigError(type, `bind source path does not exist: ${source}`);
    return { type, source: cleanPath(source), destination, readOnly, mode: '', propagation };
  }
  if (type === 'tmpfs') {
    if (source !== '') throw mountConfigError(type, 'field Source must not be specified');
    const size = spec.TmpfsOptions?.SizeBytes ?? 0;
    const mode = spec.TmpfsOptions?.Mode ?? 0;
    if (!Number.isSafeInteger(size) || size < 0) throw mountConfigError(type, `invalid tmpfs size: ${size}`);
    if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw mountConfigError(type, `invalid tmpfs mode: ${mode}`);
    return { type, destination, readOnly, mode: '', propagation: '', tmpfsSize: size, tmpfsMode: mode };
  }
  const driver = spec.VolumeOptions?.DriverConfig?.Name;
  if (driver && driver !== 'local') throw invalidArgument(`error looking up volume plugin ${driver}: plugin "${driver}" not found`);
  if (source === '') {
    if (readOnly) throw mountConfigError(type, 'must not set ReadOnly mode when using anonymous volumes');
  } else checkVolumeName(source);
  return {
    type,
    ...(source !== '' ? { name: source } : {}),
    destination,
    readOnly,
    mode: 'z',
    propagation: '',
    anonymous: source === '',
    copyData: spec.VolumeOptions?.NoCopy !== true,
  };
}

/** `--volumes-from CTR[:ro|rw]`. */
export function parseVolumesFrom(raw: string): { container: string; readOnly: boolean } {
  const at = raw.lastIndexOf(':');
  if (at < 0) return { container: raw, readOnly: false };
  const mode = raw.slice(at + 1);
  if (mode !== 'ro' && mode !== 'rw') throw invalidArgument(`invalid mode for volumes-from: ${mode}`);
  return { container: raw.slice(0, at), readOnly: mode === 'ro' };
}

/** A clean absolute container path for an image's or -v's anonymous volume. */
export function volumeDestination(raw: string): string {
  try {
    return checkTarget('volume', raw);
  } catch (err) {
    throw invalidArgument(`invalid volume specification: '${raw}': ${(err as Error).message}`);
  }
}

/** Flags of --tmpfs's options, and what each does to the mount's flags (Docker's default: noexec, nosuid, nodev). */
const TMPFS_FLAGS: Record<string, (flags: Set<string>) => void> = {
  ro: (f) => void f.add('ro'),
  rw: (f) => void f.delete('ro'),
  exec: (f) => void f.delete('noexec'),
  noexec: (f) => void f.add('noexec'),
  suid: (f) => void f.delete('nosuid'),
  nosuid: (f) => void f.add('nosuid'),
  dev: (f) => void f.delete('nodev'),
  nodev: (f) => void f.add('nodev'),
  atime: (f) => void f.delete('noatime'),
  noatime: (f) => void f.add('noatime'),
  relatime: (f) => void f.add('relatime'),
  strictatime: (f) => void f.add('strictatime'),
};
/** tmpfs's own options, passed to the kernel as they are */
const TMPFS_DATA = new Set(['size', 'mode', 'uid', 'gid', 'nr_inodes', 'nr_blocks']);

/**
 * `--tmpfs PATH[:OPTIONS]` (Docker's HostConfig.Tmpfs): the container path and its options as
 * typed, checked. Errors are one line, as Docker's.
 */
export function parseTmpfsFlag(raw: string): { destination: string; options: string; readOnly: boolean } {
  const colon = raw.indexOf(':');
  const destination = colon < 0 ? raw : raw.slice(0, colon);
  const options = colon < 0 ? '' : raw.slice(colon + 1);
  if (!path.isAbsolute(destination)) throw invalidArgument(`invalid mount config for type "tmpfs": invalid mount path: '${destination}' mount path must be absolute`);
  const { readOnly } = tmpfsMountOptions(options);
  return { destination: path.posix.normalize(destination).replace(/(.)\/$/, '$1'), options, readOnly };
}

/** The mount flags and the data of a --tmpfs mount with these options. */
export function tmpfsMountOptions(options: string): { flags: string[]; data: string; readOnly: boolean } {
  const flags = new Set(['noexec', 'nosuid', 'nodev']);
  const data: string[] = [];
  for (const option of options.split(',').filter(Boolean)) {
    const key = option.split('=')[0];
    if (TMPFS_DATA.has(key) && option.includes('=')) data.push(option);
    else if (TMPFS_FLAGS[option]) TMPFS_FLAGS[option](flags);
    else throw invalidArgument(`invalid tmpfs option "${option}"`);
  }
  return { flags: [...flags], data: data.join(','), readOnly: flags.has('ro') };
}

/** tmpfs mount data as Docker writes it: mode in octal, size with the largest unit that divides it. */
export function tmpfsData(size: number, mode: number): string {
  const options: string[] = [];
  if (mode) options.push(`mode=${mode.toString(8)}`);
  if (size) {
    const unit = [['g', 2 ** 30], ['m', 2 ** 20], ['k', 2 ** 10]].find(([, d]) => size % (d as number) === 0) as [string, number] | undefined;
    options.push(unit ? `size=${size / unit[1]}${unit[0]}` : `size=${size}`);
  }
  return options.join(',');
}
