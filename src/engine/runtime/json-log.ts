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

export class JsonLogWriter {
  private fd: number;
  private size: number;
  private pending: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };

  constructor(
    private readonly file: string,
    private readonly maxSize = 0,
    private readonly maxFiles = 1,
  ) {
    this.fd = fs.openSync(file, 'a', 0o640);
    this.size = fs.fstatSync(this.fd).size;
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

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }

  private append(entry: LogEntry): void {
    const line = Buffer.from(`${JSON.stringify(entry)}\n`);
    if (this.maxSize > 0 && this.size + line.length > this.maxSize && this.size > 0) this.rotate();
    fs.writeSync(this.fd, line);
    this.size += line.length;
  }

  private rotate(): void {
    fs.closeSync(this.fd);
    if (this.maxFiles <= 1) {
      fs.truncateSync(this.file, 0);
    } else {
      fs.rmSync(`${this.file}.${this.maxFiles - 1}`, { force: true });
      for (let i = this.maxFiles - 2; i >= 1; i--) {
        if (fs.existsSync(`${this.file}.${i}`)) fs.renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
      }
      fs.renameSync(this.file, `${this.file}.1`);
    }
    this.fd = fs.openSync(this.file, 'a', 0o640);
    this.size = 0;
  }
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
