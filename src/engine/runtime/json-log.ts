/**
 * Docker's json-file log driver: one JSON object a line,
 * {"log":"…","stream":"stdout","time":"2024-01-01T00:00:00.000000000Z"},
 * rotated at max-size into <file>.1 … <file>.<max-file - 1>.
 */
import fs from 'node:fs';
import { invalidArgument } from '../errors.js';

export interface LogEntry {
  log: string;
  stream: 'stdout' | 'stderr';
  time: string;
}

/** "10m", "1g", "512k", "100" → bytes (Docker's RAMInBytes-style units for log-opt max-size). */
export function parseByteSize(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)b?$/i.exec(value.trim());
  if (!match) throw invalidArgument(`invalid size: '${value}'`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[match[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Math.floor(Number(match[1]) * unit);
}

// Wall-clock nanoseconds from one monotonic clock, so log times never go backwards within a process.
const CLOCK_OFFSET = BigInt(Date.now()) * 1000000n - process.hrtime.bigint();

/** RFC 3339 with nanoseconds, as Docker writes log times. */
export function logTime(): string {
  const ns = CLOCK_OFFSET + process.hrtime.bigint();
  const iso = new Date(Number(ns / 1000000n)).toISOString();
  return `${iso.slice(0, 19)}.${(ns % 1000000000n).toString().padStart(9, '0')}Z`;
}

/** While lines are being dropped, a write is tried again at most this often (and with each line after it). */
const RETRY_AFTER_NS = 1_000_000_000n;

/**
 * A container's json-file log. A write that fails (a full disk, a quota,
 * an I/O error) never reaches the container: its lines are dropped and
 * counted, and once a write succeeds again the log first gets one line of
 * its own on stderr, `berth: N log lines dropped: no space left on device`,
 * where the gap is. A line is written whole or not at all, so the file stays
 * one JSON object a line.
 */
export class JsonLogWriter {
  private fd = -1;
  private size = 0;
  private pending: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  private dropped = 0;
  private dropReason = '';
  private retryAt = 0n;

  constructor(
    private readonly file: string,
    private readonly maxSize = 0,
    private readonly maxFiles = 1,
  ) {
    try {
      this.reopen();
    } catch {
      // no room for even an empty file: opened again with the first line
    }
  }

  /** Splits output into lines as Docker does; a partial line waits for its newline (or flush). */
  write(stream: 'stdout' | 'stderr', data: string): void {
    const text = this.pending[stream] + data;
    const lines = text.split(/(?<=\n)/);
    const last = lines[lines.length - 1];
    this.pending[stream] = last.endsWith('\n') ? '' : last;
    const complete = last.endsWith('\n') ? lines : lines.slice(0, -1);
    for (const log of complete) this.append({ log, stream, time: logTime() });
    // An unterminated line longer than 16 KiB is written as is, like Docker's partial messages.
    if (this.pending[stream].length > 16384) this.flush(stream);
  }

  flush(stream?: 'stdout' | 'stderr'): void {
    for (const s of stream ? [stream] : (['stdout', 'stderr'] as const)) {
      if (this.pending[s]) this.append({ log: this.pending[s], stream: s, time: logTime() });
      this.pending[s] = '';
    }
  }

  /** Flushes, says how many lines were dropped if it still can, and closes. */
  close(): void {
    this.flush();
    if (this.dropped > 0) {
      this.retryAt = 0n;
      this.tryWrite(Buffer.alloc(0));
    }
    if (this.fd >= 0) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // nothing more can be done about this log
      }
      this.fd = -1;
    }
  }

  private append(entry: LogEntry): void {
    if (this.dropped > 0 && process.hrtime.bigint() < this.retryAt) {
      this.dropped++;
      return;
    }
    if (!this.tryWrite(Buffer.from(`${JSON.stringify(entry)}\n`))) this.dropped++;
  }

  /** Writes `line` (after the dropped-lines notice, if one is owed); false, with nothing written, if it failed. */
  private tryWrite(line: Buffer): boolean {
    const bytes = this.dropped > 0 ? Buffer.concat([this.droppedNotice(), line]) : line;
    if (bytes.length === 0) return true;
    try {
      if (this.fd < 0) this.reopen();
      if (this.maxSize > 0 && this.size + bytes.length > this.maxSize && this.size > 0) this.rotate();
      this.writeAll(bytes);
    } catch (err) {
      this.dropReason = failureReason(err);
      this.retryAt = process.hrtime.bigint() + RETRY_AFTER_NS;
      return false;
    }
    this.size += bytes.length;
    this.dropped = 0;
    return true;
  }

  private droppedNotice(): Buffer {
    const what = `${this.dropped} log ${this.dropped === 1 ? 'line' : 'lines'} dropped: ${this.dropReason}`;
    return Buffer.from(`${JSON.stringify({ log: `berth: ${what}\n`, stream: 'stderr', time: logTime() } satisfies LogEntry)}\n`);
  }

  /** All of `bytes` or none: a short or failed write is cut off again so no half line stays in the file. */
  private writeAll(bytes: Buffer): void {
    let done = 0;
    try {
      while (done < bytes.length) done += fs.writeSync(this.fd, bytes, done);
    } catch (err) {
      if (done > 0) fs.ftruncateSync(this.fd, this.size);
      throw err;
    }
  }

  private reopen(): void {
    this.fd = -1;
    this.fd = fs.openSync(this.file, 'a', 0o640);
    this.size = fs.fstatSync(this.fd).size;
  }

  private rotate(): void {
    fs.closeSync(this.fd);
    this.fd = -1;
    if (this.maxFiles <= 1) {
      fs.truncateSync(this.file, 0);
    } else {
      fs.rmSync(`${this.file}.${this.maxFiles - 1}`, { force: true });
      for (let i = this.maxFiles - 2; i >= 1; i--) {
        if (fs.existsSync(`${this.file}.${i}`)) fs.renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
      }
      fs.renameSync(this.file, `${this.file}.1`);
    }
    this.reopen();
  }
}

/** "no space left on device" from Node's "ENOSPC: no space left on device, write". */
function failureReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return /^E[A-Z0-9]+: ([^,]+)/.exec(message)?.[1] ?? message;
}

/** All entries of a container's log, oldest first, across rotated files. */
export function readLogEntries(file: string, maxFiles = 10): LogEntry[] {
  const files: string[] = [];
  for (let i = maxFiles; i >= 1; i--) if (fs.existsSync(`${file}.${i}`)) files.push(`${file}.${i}`);
  if (fs.existsSync(file)) files.push(file);
  const entries: LogEntry[] = [];
  for (const f of files) {
    for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        entries.push(JSON.parse(line) as LogEntry);
      } catch {
        // a line cut by a crash mid-write: skip it rather than fail the whole log
      }
    }
  }
  return entries;
}
