/**
 * How many bytes one decompressed stream (a layer's tar, an archive being
 * staged) may expand to before berth refuses it. A gzip bomb is a few KiB
 * that inflates to more than the disk holds; stopping it at the disk's end
 * would fill the store first (and with it every running container's logs and
 * the database). So the default is what the store's file system has free,
 * less a reserve, measured when the stream starts; BERTH_MAX_LAYER_BYTES
 * sets a fixed limit for each layer instead.
 */
import fs from 'node:fs';
import { NO_SPACE, invalidArgument } from '../errors.js';

export interface SizeLimit {
  bytes: number;
  /** Why this many, for the message: "BERTH_MAX_LAYER_BYTES=50000", "the store's free space less a reserve". */
  reason?: string;
}

const FREE_SPACE = "the store's free space less a reserve";

/** Kept free below the limit: a twentieth of the file system, at most 1 GiB. */
const MAX_RESERVE = 1024 ** 3;
const RESERVE_FRACTION = 1 / 20;

/** The limit for a layer unpacked into `dir` (a directory on the store's file system): $BERTH_MAX_LAYER_BYTES, else freeSpaceLimit. */
export function layerSizeLimit(dir: string | Buffer): SizeLimit {
  const configured = process.env.BERTH_MAX_LAYER_BYTES;
  if (configured === undefined || configured === '') return freeSpaceLimit(dir);
  const value = Number(configured);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw invalidArgument(`BERTH_MAX_LAYER_BYTES must be a positive whole number of bytes, not ${JSON.stringify(configured)}`);
  }
  return { bytes: value, reason: `BERTH_MAX_LAYER_BYTES=${value}` };
}

/** What the file system holding `dir` has free now, less the reserve; for anything staged there (an archive's members). */
export function freeSpaceLimit(dir: string | Buffer): SizeLimit {
  const stats = fs.statfsSync(dir);
  const reserve = Math.min(MAX_RESERVE, Math.floor(stats.blocks * stats.bsize * RESERVE_FRACTION));
  return { bytes: Math.max(0, stats.bavail * stats.bsize - reserve), reason: FREE_SPACE };
}

/** "uncompressed size exceeds the limit of 58.2 MiB (the store's free space less a reserve)". */
export function limitExceeded(limit: SizeLimit): string {
  return `uncompressed size exceeds the limit of ${humanBytes(limit.bytes)}${limit.reason ? ` (${limit.reason})` : ''}`;
}

function humanBytes(n: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  if (n < 1024) return `${n} bytes`;
  let value = n;
  let unit = -1;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * Passes `source` through, counting its bytes; throws invalid-argument with
 * `limitExceeded` as soon as they pass the limit, before the chunk that
 * crosses it is handed on.
 */
export async function* withinLimit(source: AsyncIterable<Buffer>, limit: SizeLimit, what = ''): AsyncGenerator<Buffer> {
  let total = 0;
  // Nothing free beyond the reserve: that is a full disk, reported as one (whatever the stream holds).
  if (limit.bytes === 0 && limit.reason === FREE_SPACE) throw Object.assign(new Error(NO_SPACE), { code: 'ENOSPC' });
  for await (const chunk of source) {
    total += chunk.length;
    if (total > limit.bytes) throw invalidArgument(`${what}${limitExceeded(limit)}`);
    yield chunk;
  }
}
