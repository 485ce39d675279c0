/**
 * A streaming tar reader and writer (POSIX ustar + PAX, GNU long names and
 * base-256 numbers), written for layers: the reader never buffers a body, and
 * both sides work on whole chunks rather than bytes.
 *
 * Names and link targets are bytes (names.ts): the reader hands out the exact
 * bytes of the ustar fields, GNU long names and PAX `path`/`linkpath` records
 * (Go's archive/tar keeps them raw too), with a text form for messages beside
 * them; the writer takes names as text or bytes and writes them unchanged.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { invalidArgument } from '../errors.js';
import { displayName, quoteName } from './names.js';

const BLOCK = 512;
const SLASH = Buffer.from('/');
/** Extended headers (PAX, GNU long names) are read into memory; anything bigger than this is not a real archive. */
const MAX_EXTENDED_HEADER = 8 * 1024 * 1024;
const ZEROS = Buffer.alloc(2 * BLOCK);

export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'chardev' | 'blockdev' | 'dir' | 'fifo' | 'other';

export interface TarHeader {
  /** The full path as stored (ustar prefix + name, a GNU long name or PAX `path`), e.g. "./usr/bin/": the truth for file systems. */
  nameBytes: Buffer;
  /** nameBytes as text, for messages and for names that are text by nature (an archive's manifest.json); see displayName. */
  name: string;
  type: TarEntryType;
  /** The raw typeflag character, useful when type is 'other' ("S" for GNU sparse, …). */
  typeflag: string;
  /** Hardlink or symlink target, as stored. */
  linknameBytes: Buffer;
  /** linknameBytes as text. */
  linkname: string;
  /** Permission bits including setuid, setgid and sticky (07777). */
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  size: number;
  /** Seconds since the epoch; PAX may give a fraction. */
  mtime: number;
  devmajor: number;
  devminor: number;
  /** From PAX `SCHILY.xattr.<name>` (raw bytes) and `LIBARCHIVE.xattr.<name>` (base64). */
  xattrs: Map<string, Buffer>;
}

export interface TarEntry extends TarHeader {
  /**
   * The entry's content, readable once, before the next entry is requested.
   * A body the consumer leaves (or leaves half read) is skipped automatically.
   */
  body: AsyncIterable<Buffer>;
}

/** Reads a whole body into memory; for small entries only. */
export async function readBody(entry: TarEntry): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of entry.body) parts.push(part);
  return Buffer.concat(parts);
}

function asBuffer(value: Buffer | Uint8Array | string): Buffer {
  if (Buffer.isBuffer(value)) return value;
  return typeof value === 'string' ? Buffer.from(value) : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

function corrupt(what: string, offset: number) {
  return invalidArgument(`invalid tar archive: ${what} at offset ${offset}`);
}

/**
 * Pulls exact-sized pieces out of a chunk stream. Pieces that lie inside one
 * chunk are zero-copy views; only a piece that straddles chunks is copied.
 */
class ChunkReader {
  private chunk: Buffer = Buffer.alloc(0);
  private pos = 0;
  private ended = false;
  /** Bytes handed out so far: the archive offset of the next byte. */
  offset = 0;

  constructor(private readonly source: AsyncIterator<Buffer | Uint8Array | string>) {}

  /** Makes sure unread bytes are at hand; false at the end of the input. */
  private async fill(): Promise<boolean> {
    while (this.pos >= this.chunk.length) {
      if (this.ended) return false;
      const next = await this.source.next();
      if (next.done) {
        this.ended = true;
        return false;
      }
      const value = next.value;
      this.chunk = asBuffer(value);
      this.pos = 0;
    }
    return true;
  }

  /** Between 1 and max bytes, or null at the end of the input. */
  async some(max: number): Promise<Buffer | null> {
    if (!(await this.fill())) return null;
    const end = Math.min(this.chunk.length, this.pos + max);
    const piece = this.chunk.subarray(this.pos, end);
    this.offset += end - this.pos;
    this.pos = end;
    return piece;
  }

  /** Exactly n bytes; null if the input ended before the first one; throws if it ends part way. */
  async exactly(n: number, what: string): Promise<Buffer | null> {
    if (this.chunk.length - this.pos >= n) {
      const piece = this.chunk.subarray(this.pos, this.pos + n);
      this.pos += n;
      this.offset += n;
      return piece;
    }
    const start = this.offset;
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n) {
      const piece = await this.some(n - got);
      if (!piece) break;
      parts.push(piece);
      got += piece.length;
    }
    if (got === 0) return null;
    if (got < n) throw corrupt(`unexpected end of data in ${what}`, start);
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, n);
  }

  async skip(n: number, what: string): Promise<void> {
    const start = this.offset;
    while (n > 0) {
      const piece = await this.some(n);
      if (!piece) throw corrupt(`unexpected end of data in ${what}`, start);
      n -= piece.length;
    }
  }

  /** Reads to the end so that whoever watches the input (a digest) sees every byte. */
  async drain(): Promise<void> {
    this.pos = this.chunk.length;
    while (await this.fill()) {
      this.offset += this.chunk.length - this.pos;
      this.pos = this.chunk.length;
    }
  }

  async close(): Promise<void> {
    await this.source.return?.();
  }
}

// ---- header fields -------------------------------------------------------------------------

function isZeroBlock(block: Buffer): boolean {
  return block.equals(ZEROS.subarray(0, BLOCK));
}

/** The sum of the header bytes with the checksum field counted as spaces, unsigned and (for old tars) signed. */
function checksums(block: Buffer): { unsigned: number; signed: number } {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i];
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return { unsigned, signed };
}

function text(block: Buffer, start: number, length: number): string {
  return bytes(block, start, length).toString('utf8');
}

/** A NUL-terminated (or full) field, copied: the block is a view of input that moves on. */
function bytes(block: Buffer, start: number, length: number): Buffer {
  const nul = block.indexOf(0, start);
  const end = nul === -1 || nul > start + length ? start + length : nul;
  return Buffer.from(block.subarray(start, end));
}

/** An octal field (NUL or space padded) or a GNU base-256 field (high bit of the first byte set). */
function numeric(block: Buffer, start: number, length: number, field: string, headerOffset: number): number {
  const first = block[start];
  if (first & 0x80) return base256(block, start, length, field, headerOffset);
  let value = 0;
  let i = start;
  const end = start + length;
  while (i < end && (block[i] === 0x20 || block[i] === 0)) i++;
  for (; i < end; i++) {
    const c = block[i];
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37) throw corrupt(`bad ${field} field`, headerOffset);
    value = value * 8 + (c - 0x30);
  }
  return value;
}

/** GNU base-256: the field is big-endian two's complement with the marker bit (0x80 of byte 0) left out. */
function base256(block: Buffer, start: number, length: number, field: string, headerOffset: number): number {
  const invert = block[start] & 0x40 ? 0xff : 0;
  let magnitude = 0;
  for (let i = start; i < start + length; i++) {
    const byte = (block[i] ^ invert) & (i === start ? 0x7f : 0xff);
    magnitude = magnitude * 256 + byte;
    if (magnitude > Number.MAX_SAFE_INTEGER) throw corrupt(`${field} field out of range`, headerOffset);
  }
  return invert ? -magnitude - 1 : magnitude;
}

const TYPES: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file', // contiguous file: a regular file everywhere that matters
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'chardev',
  '4': 'blockdev',
  '5': 'dir',
  '6': 'fifo',
};

interface RawHeader {
  name: Buffer;
  typeflag: string;
  linkname: Buffer;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  size: number;
  mtime: number;
  devmajor: number;
  devminor: number;
}

function parseHeader(block: Buffer, offset: number): RawHeader {
  const { unsigned, signed } = checksums(block);
  const stored = numeric(block, 148, 8, 'checksum', offset);
  if (stored !== unsigned && stored !== signed) throw corrupt('bad header checksum', offset);

  const magic = block.toString('latin1', 257, 263);
  const ustar = magic === 'ustar\0';
  const ustarLike = ustar || magic === 'ustar ';
  let name = bytes(block, 0, 100);
  // GNU tar ("ustar  ") keeps atime/ctime where POSIX keeps the prefix.
  if (ustar && block[345] !== 0) name = Buffer.concat([bytes(block, 345, 155), SLASH, name]);
  return {
    name,
    typeflag: String.fromCharCode(block[156]),
    linkname: bytes(block, 157, 100),
    mode: numeric(block, 100, 8, 'mode', offset) & 0o7777,
    uid: numeric(block, 108, 8, 'uid', offset),
    gid: numeric(block, 116, 8, 'gid', offset),
    size: numeric(block, 124, 12, 'size', offset),
    mtime: numeric(block, 136, 12, 'mtime', offset),
    uname: ustarLike ? text(block, 265, 32) : '',
    gname: ustarLike ? text(block, 297, 32) : '',
    devmajor: ustarLike ? numeric(block, 329, 8, 'devmajor', offset) : 0,
    devminor: ustarLike ? numeric(block, 337, 8, 'devminor', offset) : 0,
  };
}

// ---- PAX -----------------------------------------------------------------------------------

type PaxRecords = Map<string, Buffer>;

/** Parses "<len> <key>=<value>\n" records; values stay bytes because xattr values are binary. */
function parsePax(data: Buffer, offset: number): PaxRecords {
  const records: PaxRecords = new Map();
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break; // some writers pad the record block with NULs
    const space = data.indexOf(0x20, pos);
    const length = space === -1 ? NaN : Number(data.toString('latin1', pos, space));
    if (!Number.isSafeInteger(length) || length <= space - pos || pos + length > data.length) {
      throw corrupt('bad PAX record', offset);
    }
    const record = data.subarray(space + 1, pos + length);
    const equals = record.indexOf(0x3d);
    if (equals === -1 || record[record.length - 1] !== 0x0a) throw corrupt('bad PAX record', offset);
    records.set(record.toString('utf8', 0, equals), record.subarray(equals + 1, record.length - 1));
    pos += length;
  }
  return records;
}

function paxNumber(value: Buffer, key: string, offset: number, allowFraction = false): number {
  const s = value.toString('latin1');
  const pattern = allowFraction ? /^-?\d+(\.\d+)?$/ : /^\d+$/;
  const n = Number(s);
  if (!pattern.test(s) || !Number.isFinite(n) || (!allowFraction && !Number.isSafeInteger(n))) {
    throw corrupt(`bad PAX ${key} value ${JSON.stringify(s.slice(0, 40))}`, offset);
  }
  return n;
}

const SCHILY_XATTR = 'SCHILY.xattr.';
const LIBARCHIVE_XATTR = 'LIBARCHIVE.xattr.';

/** Applies PAX records (global first, then the entry's own) over the ustar fields. */
function applyPax(header: RawHeader, records: PaxRecords, offset: number): Map<string, Buffer> {
  const xattrs = new Map<string, Buffer>();
  for (const [key, value] of records) {
    // An empty value cancels the keyword, leaving the ustar field in force.
    if (value.length === 0) continue;
    switch (key) {
      // UTF-8 by the standard, but Go and GNU tar write any name's bytes here (and hdrcharset=BINARY says so): kept as bytes.
      case 'path':
        header.name = Buffer.from(value);
        break;
      case 'linkpath':
        header.linkname = Buffer.from(value);
        break;
      case 'size':
        header.size = paxNumber(value, key, offset);
        break;
      case 'uid':
        header.uid = paxNumber(value, key, offset);
        break;
      case 'gid':
        header.gid = paxNumber(value, key, offset);
        break;
      case 'uname':
        header.uname = value.toString('utf8');
        break;
      case 'gname':
        header.gname = value.toString('utf8');
        break;
      case 'mtime':
        header.mtime = paxNumber(value, key, offset, true);
        break;
      case 'SCHILY.devmajor':
        header.devmajor = paxNumber(value, key, offset);
        break;
      case 'SCHILY.devminor':
        header.devminor = paxNumber(value, key, offset);
        break;
      default:
        if (key.startsWith(SCHILY_XATTR)) {
          xattrs.set(key.slice(SCHILY_XATTR.length), Buffer.from(value));
        } else if (key.startsWith(LIBARCHIVE_XATTR)) {
          xattrs.set(decodeURIComponent(key.slice(LIBARCHIVE_XATTR.length)), Buffer.from(value.toString('latin1'), 'base64'));
        }
    }
  }
  return xattrs;
}

// ---- reader --------------------------------------------------------------------------------

/** What the metadata entries ('x', 'L', 'K') before a real entry said about it. */
interface Pending {
  pax?: PaxRecords;
  longName?: Buffer;
  longLink?: Buffer;
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/**
 * Reads a tar stream entry by entry. Each entry's body must be consumed before
 * asking for the next entry, or it is skipped. After the end-of-archive blocks
 * the rest of the input is read and discarded, so a digest computed over the
 * input covers every byte (as DiffIDs must).
 *
 * Throws BerthError('invalid-argument') for a truncated or corrupt archive.
 */
export async function* readTar(input: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<TarEntry> {
  const reader = new ChunkReader(input[Symbol.asyncIterator]());
  let globalPax: PaxRecords = new Map();
  let pending: Pending = {};
  try {
    for (;;) {
      const headerOffset = reader.offset;
      const block = await reader.exactly(BLOCK, 'header');
      if (!block) break; // an archive missing its end blocks: accepted, as Go's archive/tar does
      if (isZeroBlock(block)) {
        const second = await reader.exactly(BLOCK, 'end-of-archive marker');
        if (second && !isZeroBlock(second)) throw corrupt('data after a zero block', headerOffset + BLOCK);
        break;
      }
      const raw = parseHeader(block, headerOffset);
      const bodyOffset = reader.offset;

      switch (raw.typeflag) {
        case 'x':
        case 'g': {
          const records = parsePax(await readExtended(reader, raw.size, headerOffset), headerOffset);
          if (raw.typeflag === 'g') globalPax = new Map([...globalPax, ...records]);
          else pending.pax = new Map([...(pending.pax ?? []), ...records]);
          continue;
        }
        case 'L':
          pending.longName = cString(await readExtended(reader, raw.size, headerOffset));
          continue;
        case 'K':
          pending.longLink = cString(await readExtended(reader, raw.size, headerOffset));
          continue;
      }

      const entry = buildEntry(raw, pending, globalPax, headerOffset);
      pending = {};
      // Links, directories and devices have no data even when their size field says otherwise
      // (as in Go's archive/tar, which wrote most layers out there).
      const dataSize = entry.type === 'file' || entry.type === 'other' ? entry.size : 0;
      const body = new BodyCursor(reader, dataSize, bodyOffset);
      yield { ...entry, body };
      body.close();
      await reader.skip(body.remaining + padding(dataSize), 'entry data');
    }
    await reader.drain();
  } finally {
    await reader.close();
  }
}

async function readExtended(reader: ChunkReader, size: number, headerOffset: number): Promise<Buffer> {
  if (size > MAX_EXTENDED_HEADER) throw corrupt('extended header too large', headerOffset);
  const data = size === 0 ? Buffer.alloc(0) : await reader.exactly(size, 'extended header');
  if (!data) throw corrupt('unexpected end of data in extended header', headerOffset);
  await reader.skip(padding(size), 'extended header');
  // Copy: the view may share a chunk, and we keep this past the next read.
  return Buffer.from(data);
}

function cString(data: Buffer): Buffer {
  const nul = data.indexOf(0);
  return data.subarray(0, nul === -1 ? data.length : nul);
}

function buildEntry(raw: RawHeader, pending: Pending, globalPax: PaxRecords, offset: number): TarHeader {
  if (pending.longName !== undefined) raw.name = pending.longName;
  if (pending.longLink !== undefined) raw.linkname = pending.longLink;
  const records = pending.pax ? new Map([...globalPax, ...pending.pax]) : globalPax;
  const xattrs = applyPax(raw, records, offset);
  let type = TYPES[raw.typeflag] ?? 'other';
  // Pre-POSIX archives mark directories only by a trailing slash.
  if (raw.typeflag === '\0' && raw.name.at(-1) === 0x2f) type = 'dir';
  const { name, linkname, ...rest } = raw;
  return { ...rest, nameBytes: name, name: displayName(name), linknameBytes: linkname, linkname: displayName(linkname), type, xattrs };
}

/** The body of one entry: hands out views of the input until the entry's size is used up. */
class BodyCursor implements AsyncIterable<Buffer> {
  private open = true;

  constructor(
    private readonly reader: ChunkReader,
    public remaining: number,
    private readonly offset: number,
  ) {}

  close(): void {
    this.open = false;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    while (this.remaining > 0) {
      if (!this.open) throw new Error('tar entry body read after moving on to the next entry');
      const piece = await this.reader.some(this.remaining);
      if (!piece) throw corrupt('unexpected end of data in entry data', this.offset);
      this.remaining -= piece.length;
      yield piece;
    }
  }
}

// ---- writer --------------------------------------------------------------------------------

export interface TarWriterHeader {
  /** Text (written as UTF-8) or the exact bytes of the name. */
  name: string | Buffer;
  /** Permission bits (07777). Defaults: 0644 for files, 0755 for directories, 0777 for symlinks. */
  mode?: number;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  /** Seconds since the epoch; defaults to 0 so archives are reproducible. Fractions are dropped. */
  mtime?: number;
  /** Written as PAX SCHILY.xattr.<name>, sorted by name. */
  xattrs?: ReadonlyMap<string, Buffer> | Readonly<Record<string, Buffer>>;
}

export interface TarFileHeader extends TarWriterHeader {
  /** Required when the data is a stream; checked against the bytes actually written. */
  size?: number;
}

export interface TarDeviceHeader extends TarWriterHeader {
  type: 'chardev' | 'blockdev' | 'fifo';
  devmajor?: number;
  devminor?: number;
}

const TYPEFLAGS: Record<Exclude<TarEntryType, 'other'>, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  chardev: '3',
  blockdev: '4',
  dir: '5',
  fifo: '6',
};

interface OutEntry {
  header: TarWriterHeader;
  type: Exclude<TarEntryType, 'other'>;
  linkname?: string | Buffer;
  size?: number;
  devmajor?: number;
  devminor?: number;
}

/**
 * Produces a tar stream (POSIX ustar, with PAX records only where ustar cannot
 * hold a value: long names, big sizes and ids, xattrs). Output depends only on
 * the calls made, so the same content always yields the same bytes.
 *
 * Calls may be made without awaiting each one; they are written in call order.
 * Each returned promise settles once its entry has been handed to the stream,
 * which honours backpressure. A failed add (a source stream error, a size
 * mismatch) destroys the stream with that error, since the archive is then
 * unusable, and every later call rejects.
 */
export class TarWriter extends Readable {
  private queue: Promise<void> = Promise.resolve();
  private failure: unknown;
  private resumeProducer: (() => void) | undefined;
  private finishCalled = false;

  /**
   * data is the content, a stream of it (header.size required), or the path of
   * a file to copy (its current size, or the first header.size bytes).
   */
  addFile(header: TarFileHeader, data: Buffer | Readable | string): Promise<void> {
    return this.enqueue(async () => {
      if (Buffer.isBuffer(data)) {
        if (header.size !== undefined && header.size !== data.length) {
          throw badEntry(header.name, `size ${header.size} does not match ${data.length} bytes of data`);
        }
        await this.writeEntry({ header, type: 'file', size: data.length });
        await this.writeBody(data, data.length);
      } else if (typeof data === 'string') {
        const size = header.size ?? (await fs.promises.stat(data)).size;
        await this.writeEntry({ header, type: 'file', size });
        // Bounded, so a file that grows while we read it still fits its header.
        const content = size === 0 ? Readable.from([]) : fs.createReadStream(data, { start: 0, end: size - 1 });
        await this.writeStream(content, size, header.name);
      } else {
        if (header.size === undefined) throw badEntry(header.name, 'a stream needs a size');
        await this.writeEntry({ header, type: 'file', size: header.size });
        await this.writeStream(data, header.size, header.name);
      }
    });
  }

  addDir(header: TarWriterHeader): Promise<void> {
    const bytes = Buffer.from(header.name);
    const name = bytes.at(-1) === 0x2f ? bytes : Buffer.concat([bytes, SLASH]);
    return this.enqueue(() => this.writeEntry({ header: { ...header, name }, type: 'dir' }));
  }

  addSymlink(header: TarWriterHeader, target: string | Buffer): Promise<void> {
    return this.enqueue(() => this.writeEntry({ header, type: 'symlink', linkname: target }));
  }

  /** target is the name of an entry written earlier. */
  addHardlink(header: TarWriterHeader, target: string | Buffer): Promise<void> {
    return this.enqueue(() => this.writeEntry({ header, type: 'hardlink', linkname: target }));
  }

  addDevice(header: TarDeviceHeader): Promise<void> {
    return this.enqueue(() =>
      this.writeEntry({ header, type: header.type, devmajor: header.devmajor ?? 0, devminor: header.devminor ?? 0 }),
    );
  }

  /** Writes the end-of-archive marker and ends the stream. */
  finish(): Promise<void> {
    const done = this.enqueue(async () => {
      await this.pushChunk(ZEROS);
      this.push(null);
    });
    this.finishCalled = true;
    return done;
  }

  override _read(): void {
    const resume = this.resumeProducer;
    this.resumeProducer = undefined;
    resume?.();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.failure ??= error ?? new Error('tar writer destroyed');
    this._read(); // wake a producer waiting on backpressure so it sees the failure
    callback(error);
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    // A usage error, not a broken archive: the stream stays intact.
    if (this.finishCalled) return Promise.reject(new Error('tar writer: entry added after finish()'));
    const run = this.queue.then(() => {
      if (this.failure) throw this.failure;
      return task();
    });
    this.queue = run.catch((error: unknown) => {
      if (!this.failure) this.destroy(error instanceof Error ? error : new Error(String(error)));
    });
    return run;
  }

  private async pushChunk(chunk: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.push(chunk)) {
      await new Promise<void>((resolve) => (this.resumeProducer = resolve));
      if (this.failure) throw this.failure;
    }
  }

  private async writeEntry(entry: OutEntry): Promise<void> {
    const { header, pax } = encodeHeader(entry);
    if (pax) {
      const paxEntry: OutEntry = { header: { name: paxHeaderName(entry.header.name) }, type: 'file', size: pax.length };
      await this.pushChunk(encodeHeader(paxEntry, 'x').header);
      await this.writeBody(pax, pax.length);
    }
    await this.pushChunk(header);
  }

  private async writeBody(data: Buffer, size: number): Promise<void> {
    if (size > 0) await this.pushChunk(data);
    const pad = padding(size);
    if (pad) await this.pushChunk(ZEROS.subarray(0, pad));
  }

  private async writeStream(source: Readable, size: number, name: string | Buffer): Promise<void> {
    let written = 0;
    for await (const chunk of source) {
      const piece = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      written += piece.length;
      if (written > size) break;
      await this.pushChunk(piece);
    }
    if (written !== size) {
      throw badEntry(name, `expected ${size} bytes of data, got ${written > size ? 'more' : written}`);
    }
    const pad = padding(size);
    if (pad) await this.pushChunk(ZEROS.subarray(0, pad));
  }
}

/** The same, under the name the rest of the engine's factories use. */
export function createTarWriter(): TarWriter {
  return new TarWriter();
}

function badEntry(name: string | Buffer, why: string) {
  return invalidArgument(`tar entry ${typeof name === 'string' ? JSON.stringify(name) : quoteName(name)}: ${why}`);
}

const OCTAL_LIMIT = { 8: 0o7777777, 12: 0o77777777777 } as const;

function paxHeaderName(name: string | Buffer): string {
  const base = Buffer.from(name).toString('latin1').replace(/\/+$/, '').split('/').pop() ?? '';
  // ASCII only, so the truncated name still fits 100 bytes and is valid UTF-8.
  return `PaxHeaders/${base.replace(/[^\x20-\x7e]/g, '_').slice(0, 80)}`;
}

/** Splits a long name into ustar prefix/name at a slash, or null when it cannot fit. */
function splitUstarName(name: Buffer): { prefix: Buffer; name: Buffer } | null {
  if (name.length <= 100) return { prefix: Buffer.alloc(0), name };
  for (let slash = name.indexOf(0x2f, name.length - 101); slash !== -1 && slash <= 155; slash = name.indexOf(0x2f, slash + 1)) {
    if (slash > 0 && name.length - slash - 1 <= 100 && name.length - slash - 1 > 0) {
      return { prefix: name.subarray(0, slash), name: name.subarray(slash + 1) };
    }
  }
  return null;
}

function paxRecord(key: string, value: Buffer | string): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), Buffer.isBuffer(value) ? value : Buffer.from(value), Buffer.from('\n')]);
  // The length counts its own digits.
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length = String(length).length + body.length;
  return Buffer.concat([Buffer.from(String(length)), body]);
}

function writeOctal(block: Buffer, value: number, start: number, length: 8 | 12): void {
  block.write(value.toString(8).padStart(length - 1, '0'), start, length - 1, 'latin1');
}

function writeBase256(block: Buffer, value: number, start: number, length: number): void {
  let v = value;
  for (let i = start + length - 1; i > start; i--) {
    block[i] = v % 256;
    v = Math.floor(v / 256);
  }
  block[start] = 0x80;
}

function encodeHeader(entry: OutEntry, typeflag = TYPEFLAGS[entry.type]): { header: Buffer; pax: Buffer | null } {
  const h = entry.header;
  const records: Buffer[] = [];
  const block = Buffer.alloc(BLOCK);

  const nameBytes = Buffer.from(h.name);
  if (nameBytes.length === 0 || nameBytes.includes(0)) throw badEntry(h.name, 'not a valid name');
  const linkBytes = entry.linkname === undefined ? undefined : Buffer.from(entry.linkname);
  // A long name goes into a PAX path record as its bytes, UTF-8 or not, as Go's archive/tar and GNU tar write it
  // (hdrcharset=BINARY would be the standard's way, but GNU tar warns about the keyword).
  const split = splitUstarName(nameBytes);
  if (split) {
    split.name.copy(block, 0);
    split.prefix.copy(block, 345);
  } else {
    records.push(paxRecord('path', nameBytes));
    nameBytes.copy(block, 0, 0, 100);
  }

  const defaultMode = entry.type === 'dir' ? 0o755 : entry.type === 'symlink' ? 0o777 : 0o644;
  writeOctal(block, (h.mode ?? defaultMode) & 0o7777, 100, 8);

  const numbers: Array<[key: string, value: number, start: number, length: 8 | 12]> = [
    ['uid', h.uid ?? 0, 108, 8],
    ['gid', h.gid ?? 0, 116, 8],
    ['size', entry.size ?? 0, 124, 12],
    ['mtime', Math.trunc(h.mtime ?? 0), 136, 12],
  ];
  for (const [key, value, start, length] of numbers) {
    if (!Number.isSafeInteger(value)) throw badEntry(h.name, `${key} ${value} is not valid`);
    if (value >= 0 && value <= OCTAL_LIMIT[length]) writeOctal(block, value, start, length);
    else records.push(paxRecord(key, String(value)));
  }

  block.write(typeflag, 156, 1, 'latin1');
  if (linkBytes !== undefined) {
    if (linkBytes.length > 100) records.push(paxRecord('linkpath', linkBytes));
    else linkBytes.copy(block, 157);
  }
  block.write('ustar\x0000', 257, 8, 'latin1');
  block.write(h.uname ?? '', 265, 31, 'utf8');
  block.write(h.gname ?? '', 297, 31, 'utf8');
  for (const [value, start] of [
    [entry.devmajor ?? 0, 329],
    [entry.devminor ?? 0, 337],
  ] as const) {
    if (value <= OCTAL_LIMIT[8]) writeOctal(block, value, start, 8);
    else writeBase256(block, value, start, 8);
  }

  const xattrs = h.xattrs instanceof Map ? [...h.xattrs] : Object.entries(h.xattrs ?? {});
  xattrs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, value] of xattrs) records.push(paxRecord(SCHILY_XATTR + name, value));

  block.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += block[i];
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return { header: block, pax: records.length ? Buffer.concat(records) : null };
}
