/**
 * Cgroup math, shared by the v1 and v2 drivers and free of I/O: Docker's
 * checks on limits, its memory/swap semantics, CFS quota and the
 * shares→weight conversion. The messages are Docker's, so users recognise them.
 */
import os from 'node:os';
import { invalidArgument } from '../errors.js';
import type { CgroupLimits } from './types.js';

/** Docker's minimum for --memory on Linux. */
export const MIN_MEMORY = 6 * 1024 * 1024;
/** The CFS period berth uses (Docker's default), µs. */
export const CPU_PERIOD_US = 100_000;
export const MIN_CPU_SHARES = 2;
export const MAX_CPU_SHARES = 262_144;
export const DEFAULT_CPU_SHARES = 1024;

/** 'max' = unlimited. */
export type Limit = number | 'max';

export const WARN_NO_SWAP =
  'Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.';
export const WARN_NO_MEMORY =
  'Your kernel does not support memory limit capabilities or the cgroup is not mounted. Limitation discarded.';
export const WARN_NO_SHARES = 'Your kernel does not support CPU shares or the cgroup is not mounted. Shares discarded.';
export const WARN_NO_PIDS =
  'Your kernel does not support pids limit capabilities or the cgroup is not mounted. PIDs limit discarded.';
export const ERR_NO_CFS = 'NanoCPUs can not be set, as your kernel does not support CPU CFS scheduler or the cgroup is not mounted';

/**
 * Rejects limits no kernel can apply (invalid-argument). Returns Docker's
 * warnings for values it adjusts (CPU shares outside 2..262144 are clamped).
 */
export function checkLimits(limits: CgroupLimits, hostCpus = os.availableParallelism()): string[] {
  const warnings: string[] = [];
  const integer = (name: string, v: number | undefined) => {
    if (v !== undefined && !Number.isSafeInteger(v)) throw invalidArgument(`invalid ${name}: ${v} is not an integer`);
  };
  integer('memory', limits.memory);
  integer('memory-swap', limits.memorySwap);
  integer('cpu-shares', limits.cpuShares);
  integer('pids-limit', limits.pidsLimit);

  const { memory, memorySwap, cpus, cpuShares } = limits;
  if (memory !== undefined && memory < 0) throw invalidArgument(`invalid memory limit: ${memory}`);
  if (memory !== undefined && memory > 0 && memory < MIN_MEMORY) throw invalidArgument('Minimum memory limit allowed is 6MB');
  if (memorySwap !== undefined && memorySwap < -1) throw invalidArgument(`invalid memory-swap limit: ${memorySwap}`);
  if (memory !== undefined && memory > 0 && memorySwap !== undefined && memorySwap > 0 && memorySwap < memory) {
    throw invalidArgument('Minimum memoryswap limit should be larger than memory limit, see usage.');
  }
  if (cpus !== undefined) {
    if (!Number.isFinite(cpus) || cpus < 0 || cpus > hostCpus || (cpus > 0 && cpuQuota(cpus) < 1000)) {
      throw invalidArgument(`Range of CPUs is from 0.01 to ${hostCpus}.00, as there are only ${hostCpus} CPUs available`);
    }
  }
  if (cpuShares !== undefined) {
    if (cpuShares < 0) throw invalidArgument(`invalid CPU shares: ${cpuShares}`);
    if (cpuShares > 0 && cpuShares < MIN_CPU_SHARES) {
      warnings.push(`Changing requested CPUShares of ${cpuShares} to minimum allowed of ${MIN_CPU_SHARES}`);
    } else if (cpuShares > MAX_CPU_SHARES) {
      warnings.push(`Changing requested CPUShares of ${cpuShares} to maximum allowed of ${MAX_CPU_SHARES}`);
    }
  }
  return warnings;
}

/** CFS quota in µs per CPU_PERIOD_US for `cpus` CPUs (Docker: NanoCPUs × period / 1e9). */
export function cpuQuota(cpus: number): number {
  return Math.round(cpus * CPU_PERIOD_US);
}

/** cpu.shares to write: 0 means Docker's default; clamped to the kernel's range. */
export function effectiveShares(shares: number): number {
  if (shares === 0) return DEFAULT_CPU_SHARES;
  return Math.min(MAX_CPU_SHARES, Math.max(MIN_CPU_SHARES, shares));
}

/**
 * cgroup v2 cpu.weight (1..10000) for v1 cpu.shares (2..262144), by the
 * linear map Docker/runc have used since cgroup v2 support:
 * 1 + (shares − 2) × 9999 / 262142, integer division. 1024 → 39.
 * (runc 1.3.2+ switched to a quadratic map where 1024 → 100; the kernel's
 * default weight is 100, which is what an unset --cpu-shares keeps.)
 */
export function sharesToWeight(shares: number): number {
  const s = effectiveShares(shares);
  return 1 + Math.floor(((s - 2) * 9999) / 262142);
}

/** Memory as the kernel should end up: memory limit and memory+swap total. */
export interface MemoryTarget {
  memory: Limit;
  /** memory + swap */
  total: Limit;
}

/**
 * Resolves Docker's memory/swap semantics into the two limits to apply.
 * `current` is the cgroup's state on update, undefined on create. Returns
 * undefined when the call changes nothing about memory.
 *
 * - create: memorySwap undefined/0 → twice memory; -1 → unlimited swap.
 * - update: an undefined memorySwap keeps the current memory+swap total,
 *   which must stay at least the new memory (Docker refuses otherwise); a
 *   cgroup without a memory limit gets the create default. memory 0 lifts both.
 */
export function planMemory(limits: CgroupLimits, current?: MemoryTarget): MemoryTarget | undefined {
  const memory = limits.memory;
  const swap = limits.memorySwap === 0 ? undefined : limits.memorySwap;
  const needMemory = () => invalidArgument('You should always set the Memory limit when using Memoryswap limit, see usage.');

  if (memory === undefined) {
    if (swap === undefined) return undefined;
    if (!current) {
      if (swap === -1) return undefined; // unlimited swap without a memory limit: nothing to limit
      throw needMemory();
    }
    if (swap === -1) return { memory: current.memory, total: 'max' };
    if (current.memory === 'max') throw needMemory();
    if (swap < current.memory) throw invalidArgument('Minimum memoryswap limit should be larger than memory limit, see usage.');
    return { memory: current.memory, total: swap };
  }
  if (memory === 0) {
    if (swap !== undefined && swap > 0) throw needMemory();
    return current ? { memory: 'max', total: 'max' } : undefined;
  }
  if (swap === -1) return { memory, total: 'max' };
  if (swap !== undefined) return { memory, total: swap };
  if (!current || current.memory === 'max') return { memory, total: 2 * memory };
  if (current.total !== 'max' && memory > current.total) {
    throw invalidArgument(
      'Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time',
    );
  }
  return { memory, total: current.total };
}

/** Docker's swap warning applies: a memory limit without the means to limit swap, unless swap was asked unlimited. */
export function wantsSwapLimit(limits: CgroupLimits): boolean {
  return limits.memory !== undefined && limits.memory > 0 && limits.memorySwap !== -1;
}

/** Parses a limit file: 'max' (v2), or a number ≥ 2^62 (v1's "unlimited", 9223372036854771712), is 'max'. */
export function parseLimit(text: string): Limit {
  const t = text.trim();
  if (t === 'max' || t === '-1') return 'max';
  const n = Number(t);
  return n >= 2 ** 62 ? 'max' : n;
}

/** Adds Limits, 'max' absorbing. */
export const addLimits = (a: Limit, b: Limit): Limit => (a === 'max' || b === 'max' ? 'max' : a + b);
export const limitValue = (l: Limit): number => (l === 'max' ? Infinity : l);

/** One value of a flat keyed file (memory.stat, cpu.stat), or undefined: without parsing the other lines. */
export function keyedValue(text: string, key: string): number | undefined {
  const prefix = `${key} `;
  let start: number;
  if (text.startsWith(prefix)) start = prefix.length;
  else {
    const line = text.indexOf(`\n${prefix}`);
    if (line < 0) return undefined;
    start = line + 1 + prefix.length;
  }
  const end = text.indexOf('\n', start);
  const value = Number(text.slice(start, end < 0 ? undefined : end).trim());
  return Number.isFinite(value) ? value : undefined;
}

/** Parses "key value" lines (memory.stat, cpu.stat, memory.events, pids.events, oom_control). */
export function parseKeyed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined) out.set(key, Number(value));
  }
  return out;
}
