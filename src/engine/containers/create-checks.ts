/**
 * What `create` refuses before it writes anything: every value that start (the
 * shim, the cgroup driver, berth-init) would otherwise refuse later, when the
 * container already exists and the error arrives as a start failure. Docker's
 * wording where Docker has one. The engine's create calls this, so the CLI and
 * the API server refuse the same things in the same words.
 */
import path from 'node:path';
import { invalidArgument } from '../errors.js';
import { checkLimits } from '../cgroups/limits.js';
import { checkHostsName } from '../networks/host-names.js';
import { CAPABILITIES, normalizeCapability } from '../runtime/capabilities.js';
import { parseSecurityOpts } from '../runtime/security-opts.js';
import { normalizeSignal } from './signals.js';
import type { CreateOptions } from './service.js';
import type { RestartPolicy } from './types.js';

/** Linux's HOST_NAME_MAX: sethostname(2) refuses a longer name. */
const HOST_NAME_MAX = 64;
/** The largest byte count a JavaScript number holds exactly (2^53 - 1, 8 PiB): cgroup limits are written as integers. */
const MAX_LIMIT_BYTES = Number.MAX_SAFE_INTEGER;

/** The container's final settings that come from the image when the options leave them out. */
export interface MergedSettings {
  workingDir: string;
  args: string[];
}

/** Throws invalid-argument, in one line, for the first option the container could not start with. */
export function checkCreateOptions(options: CreateOptions, merged: MergedSettings): void {
  checkEnv(options.env ?? []);
  checkWorkingDir(merged.workingDir);
  for (const arg of merged.args) noNul(arg, 'the command');
  if (options.hostname !== undefined) checkHostname(options.hostname);
  for (const entry of options.addHost ?? []) checkHostsName(entry.slice(0, Math.max(0, entry.indexOf(':'))), `invalid argument "${entry}" for "--add-host" flag`);
  for (const alias of options.networkAliases ?? []) checkHostsName(alias, `invalid argument "${alias}" for "--network-alias" flag`);
  checkCapabilities('CapAdd', options.capAdd ?? []);
  checkCapabilities('CapDrop', options.capDrop ?? []);
  parseSecurityOpts(options.securityOpt ?? []);
  if (options.stopSignal !== undefined) normalizeSignal(options.stopSignal);
  checkResources(options);
}

/** Docker's ValidateEnv: KEY=value or a bare KEY, never an empty KEY. */
export function checkEnv(entries: readonly string[]): void {
  for (const entry of entries) {
    const key = entry.includes('=') ? entry.slice(0, entry.indexOf('=')) : entry;
    if (key === '') throw invalidArgument(`invalid environment variable: ${entry}`);
    noNul(entry, 'an environment variable');
  }
}

/** An absolute container path; empty means the image's, or `/`. */
export function checkWorkingDir(dir: string): void {
  if (dir !== '' && !path.posix.isAbsolute(dir)) {
    throw invalidArgument(`the working directory '${dir}' is invalid, it needs to be an absolute path`);
  }
  noNul(dir, 'the working directory');
}

function checkHostname(hostname: string): void {
  noNul(hostname, 'the hostname');
  checkHostsName(hostname, `invalid argument ${JSON.stringify(hostname)} for "-h, --hostname" flag`);
  if (Buffer.byteLength(hostname) > HOST_NAME_MAX) {
    throw invalidArgument(`invalid hostname "${hostname}": a hostname is at most ${HOST_NAME_MAX} characters`);
  }
}

/** Docker's names for capabilities: any case, with or without CAP_; ALL for every one. */
function checkCapabilities(field: 'CapAdd' | 'CapDrop', names: readonly string[]): void {
  for (const name of names) {
    const normalized = normalizeCapability(name);
    if (normalized !== 'ALL' && !(normalized in CAPABILITIES)) {
      throw invalidArgument(`invalid ${field}: unknown capability: "CAP_${normalized}"`);
    }
  }
}

function checkResources(options: CreateOptions): void {
  const { memory, memorySwap } = options;
  for (const [what, bytes] of [['Memory', memory], ['Memoryswap', memorySwap]] as const) {
    if (bytes !== undefined && bytes > MAX_LIMIT_BYTES) {
      throw invalidArgument(`${what} limit too large: ${bytes} bytes, the most berth can set is 8 PiB`);
    }
  }
  if (memory !== undefined && memory > 0 && memory < 6 * 1024 * 1024) throw invalidArgument('Minimum memory limit allowed is 6MB');
  if (memorySwap !== undefined && memorySwap > 0 && (memory ?? 0) === 0) {
    throw invalidArgument('You should always set the Memory limit when using Memoryswap limit, see usage');
  }
  if (memorySwap !== undefined && memorySwap > 0 && memorySwap < (memory ?? 0)) {
    throw invalidArgument('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  // The rest as the cgroup driver checks them at start (CPUs against this host's, integers, signs).
  checkLimits({ memory, memorySwap, cpus: options.cpus, cpuShares: options.cpuShares, pidsLimit: options.pidsLimit });
}

/** Docker's --restart: no, always, unless-stopped, on-failure[:N]. */
export function parseRestartPolicy(value: string | undefined): RestartPolicy {
  if (!value) return { Name: 'no', MaximumRetryCount: 0 };
  const colon = value.indexOf(':');
  const name = colon < 0 ? value : value.slice(0, colon);
  const count = colon < 0 || colon === value.length - 1 ? undefined : value.slice(colon + 1);
  if (name !== 'no' && name !== 'always' && name !== 'unless-stopped' && name !== 'on-failure') {
    throw invalidArgument(`invalid restart policy '${name}'`);
  }
  if (count === undefined) return { Name: name, MaximumRetryCount: 0 };
  if (!/^-?\d+$/.test(count)) throw invalidArgument('invalid restart policy format: maximum retry count must be an integer');
  if (name !== 'on-failure') throw invalidArgument(`maximum retry count cannot be used with restart policy '${name}'`);
  if (Number(count) < 0) throw invalidArgument('maximum retry count cannot be negative');
  return { Name: 'on-failure', MaximumRetryCount: Number(count) };
}

function noNul(value: string, what: string): void {
  if (value.includes('\0')) throw invalidArgument(`${what} contains a NUL byte: ${JSON.stringify(value)}`);
}
