/**
 * Unpacks a layer tarball into a directory that overlayfs can use as a layer.
 *
 * Invariant (DESIGN §4): a layer never writes outside its directory. Every
 * entry name is checked to be relative and free of `..`; every directory on
 * the way to an entry must be a real directory, never a symlink (the layer is
 * the only writer of its staging directory, so checking with lstat is
 * enough); nothing existing is opened for writing (it is removed and created
 * anew with O_EXCL); and metadata calls never follow a final symlink.
 *
 * Names are bytes from the tar header to the file-system call (names.ts):
 * paths inside the layer are byte strings, given to fs as Buffers.
 */
import fs from 'node:fs';
import type { Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { nodeCrypto } from '../builtins.js';
import { digestOf, type Digest } from '../digest.js';
import { BerthError, describeCause, errnoCode, invalidArgument, isBerthError, withContext } from '../errors.js';
import { loadNative, type Native } from '../native.js';
import { byteCounter, decompressed } from './compression.js';
import { layerSizeLimit, withinLimit, type SizeLimit } from './size-limit.js';
import { below, bytePath, quoteName, type BytePath } from './names.js';
import { readTar, type TarEntry } from './tar.js';

export interface ApplyLayerOptions {
  /** Refuse a layer whose uncompressed tar is larger. Default: layerSizeLimit(dir) (the store's free space less a reserve, or $BERTH_MAX_LAYER_BYTES). */
  maxBytes?: number;
  /** Called as the input (compressed, as stored) is read, with the bytes read so far. */
  onProgress?: (bytesRead: number) => void;
  native?: Native;
}

export interface AppliedLayer {
  /** sha256 of the uncompressed tar stream, every byte including end padding. */
  diffId: Digest;
  /** Bytes of regular-file content written. */
  size: number;
}

const WHITEOUT_PREFIX = '.wh.';
const WHITEOUT_META_PREFIX = '.wh..wh.';
const OPAQUE_MARKER = '.wh..wh..opq';
/** overlayfs's own metadata: a layer may express whiteouts only as .wh. entries, never set these directly. */
const OVERLAY_XATTR = /^(trusted|user)\.overlay\./;

/**
 * Unpacks `input` (a tar, plain, gzip or zstd, told apart by its first bytes)
 * into `dir`, an empty directory, turning `.wh.` entries into overlayfs
 * whiteouts and opaque directories.
 *
 * On failure it throws a one-line BerthError that says what is wrong with the
 * layer (the caller names the layer): invalid-argument for a hostile, broken
 * or oversized one, unavailable for a full disk. It leaves `dir` half
 * written: the caller stages `dir` in a temporary place and removes it, since
 * only the caller knows what else to clean up. `input` is destroyed on failure.
 */
export async function applyLayer(input: Readable, dir: string, options: ApplyLayerOptions = {}): Promise<AppliedLayer> {
  const { onProgress } = options;
  const counted = onProgress ? input.pipe(byteCounter(onProgress)) : input;
  if (counted !== input) input.on('error', (err) => counted.destroy(err));
  let tar: Readable | undefined;
  try {
    const limit: SizeLimit = options.maxBytes !== undefined ? { bytes: options.maxBytes } : layerSizeLimit(dir);
    const writer = new LayerWriter(dir, options.native ?? loadNative());
    const hash = nodeCrypto().createHash('sha256');
    tar = await decompressed(counted);
    // pipe() does not pass errors along; without this a failing read would hang the unpack.
    if (tar !== counted) counted.on('error', (err) => tar?.destroy(err));
    for await (const entry of readTar(hashed(withinLimit(readErrorsNamed(tar), limit), hash))) {
      await writer.apply(entry);
    }
    writer.setDirectoryTimes();
    return { diffId: digestOf(hash), size: writer.contentBytes };
  } catch (err) {
    for (const stream of [tar, counted, input]) if (stream) destroyQuietly(stream);
    throw isBerthError(err) ? err : withContext('unpacking', err);
  }
}

/**
 * The error we throw is the one to report; a stream destroyed before it opened
 * may still fail to open later (its file already removed by the caller's
 * cleanup), and that must not become an uncaught 'error' event.
 */
function destroyQuietly(stream: Readable): void {
  stream.on('error', () => {});
  stream.destroy();
}

/** Hashes the uncompressed stream for the DiffID. */
async function* hashed(source: AsyncIterable<Buffer>, hash: Hash): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    hash.update(chunk);
    yield chunk;
  }
}

/**
 * Read errors (corrupt gzip, a failing disk) become BerthErrors where they
 * happen, so that they are not mistaken for a failure to write whichever
 * entry was being read.
 */
async function* readErrorsNamed(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const chunks = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (err) {
        if (isBerthError(err)) throw err;
        // zlib's errors are about the data, not about reading it.
        throw (errnoCode(err) ?? '').startsWith('Z_') ? invalidArgument(describeCause(err), err) : withContext('reading', err);
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await chunks.return?.();
  }
}

/** An entry name (bytes) quoted so that the message stays on one line whatever the name holds. */
function quoted(name: Buffer | BytePath): string {
  return quoteName(name);
}

function refuse(entryName: Buffer, why: string): BerthError {
  return invalidArgument(`layer entry ${quoted(entryName)}: ${why}`);
}

/**
 * A name from the archive (a byte string) as a clean relative path ("" for
 * the layer root): no NUL, not absolute, no `..` component. `.` components
 * and repeated or trailing slashes are dropped.
 */
function layerPath(name: BytePath, entryName: Buffer, what = 'path'): BytePath {
  if (name.includes('\0')) throw refuse(entryName, `${what} contains a NUL byte`);
  if (name.startsWith('/')) throw refuse(entryName, `${what} is absolute and escapes the layer`);
  const parts = name.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw refuse(entryName, `${what} escapes the layer`);
  return parts.join('/');
}

function parentOf(rel: string): string {
  const slash = rel.lastIndexOf('/');
  return slash === -1 ? '' : rel.slice(0, slash);
}

function baseOf(rel: string): string {
  return rel.slice(rel.lastIndexOf('/') + 1);
}

function joinRel(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}

/** Writes entries into one layer directory, remembering what it has checked. */
class LayerWriter {
  /** Bytes of regular files and symlink targets written: what Docker reports as a layer's size. */
  contentBytes = 0;
  /** Relative paths known to be real directories (not symlinks) in the layer; "" is the layer itself. */
  private readonly realDirs = new Set<string>(['']);
  /** Directory mtimes, set last because creating children changes them. */
  private readonly dirTimes = new Map<string, number>();

  constructor(
    private readonly root: string,
    private readonly native: Native,
  ) {}

  async apply(entry: TarEntry): Promise<void> {
    const rel = layerPath(bytePath(entry.nameBytes), entry.nameBytes);
    if (isAufsMetadata(rel)) return;
    const base = baseOf(rel);
    try {
      if (base === OPAQUE_MARKER) this.markOpaque(rel, entry.nameBytes);
      else if (base.startsWith(WHITEOUT_META_PREFIX)) return;
      else if (base.startsWith(WHITEOUT_PREFIX)) this.whiteout(rel, entry.nameBytes);
      else await this.create(rel, entry);
    } catch (err) {
      if (isBerthError(err)) throw err;
      throw withContext(`layer entry ${quoted(entry.nameBytes)}`, err);
    }
  }

  private async create(rel: BytePath, entry: TarEntry): Promise<void> {
    if (rel === '' && entry.type !== 'dir') throw refuse(entry.nameBytes, 'the layer root can only be a directory');
    checkOwner(entry);
    this.prepareParents(rel, entry.nameBytes);
    switch (entry.type) {
      case 'file':
        return this.createFile(rel, entry);
      case 'dir':
        return this.createDir(rel, entry);
      case 'symlink':
        return this.createSymlink(rel, entry);
      case 'hardlink':
        return this.createHardlink(rel, entry);
      case 'chardev':
      case 'blockdev':
      case 'fifo':
        return this.createNode(rel, entry);
      default:
        throw refuse(entry.nameBytes, `unsupported tar entry type ${JSON.stringify(entry.typeflag)}`);
    }
  }

  private abs(rel: BytePath): Buffer {
    return below(this.root, rel);
  }

  /**
   * Makes sure every directory above `rel` is a real directory in the layer,
   * creating missing ones (0755, owned by the caller, i.e. root) when `create`.
   * A symlink on the way is refused rather than followed: that is how a layer
   * would otherwise reach outside itself (`a -> /`, then `a/etc/passwd`).
   */
  private prepareParents(rel: BytePath, entryName: Buffer, create = true): void {
    const parent = parentOf(rel);
    if (this.realDirs.has(parent)) return;
    let current = '';
    for (const part of parent.split('/')) {
      current = joinRel(current, part);
      if (this.realDirs.has(current)) continue;
      const abs = this.abs(current);
      const stat = fs.lstatSync(abs, { throwIfNoEntry: false });
      if (!stat) {
        if (!create) throw refuse(entryName, `${quoted(current)} is not in the layer`);
        fs.mkdirSync(abs, 0o755);
        fs.chmodSync(abs, 0o755); // undo the umask
      } else if (stat.isSymbolicLink()) {
        throw refuse(entryName, `path traverses a symlink (${quoted(current)})`);
      } else if (!stat.isDirectory()) {
        throw refuse(entryName, `${quoted(current)} is not a directory`);
      }
      this.realDirs.add(current);
    }
  }

  /**
   * Runs `make`, which creates `rel` and fails with EEXIST when something is
   * already there; in that case removes what is in the way and runs it again.
   * Trying first saves a lookup per entry in the usual case, a fresh layer.
   */
  private replacing<T>(rel: BytePath, make: () => T): T {
    try {
      return make();
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
    this.remove(rel);
    return make();
  }

  private remove(rel: BytePath): void {
    const abs = this.abs(rel);
    // rm never follows the symlinks inside what it removes.
    if (fs.lstatSync(abs).isDirectory()) fs.rmSync(abs, { recursive: true });
    else fs.unlinkSync(abs);
    this.forget(rel);
  }

  /** Drops what we knew about `rel` and everything below it: it is gone, or about to be something else. */
  private forget(rel: BytePath): void {
    if (!this.realDirs.delete(rel)) return; // nothing below a non-directory was ever recorded
    const below = `${rel}/`;
    for (const known of this.realDirs) if (known.startsWith(below)) this.realDirs.delete(known);
    this.dirTimes.delete(rel);
    for (const known of this.dirTimes.keys()) if (known.startsWith(below)) this.dirTimes.delete(known);
  }

  private async createFile(rel: BytePath, entry: TarEntry): Promise<void> {
    const abs = this.abs(rel);
    const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
    // Never open what exists (it may be a link to elsewhere): replace it. The file stays
    // private until its owner and mode are set.
    const fd = this.replacing(rel, () => fs.openSync(abs, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600));
    try {
      for await (const chunk of entry.body) {
        writeAll(fd, chunk);
        this.contentBytes += chunk.length;
      }
      // chown clears setuid/setgid, so the mode goes on after the owner.
      fs.fchownSync(fd, entry.uid, entry.gid);
      fs.fchmodSync(fd, entry.mode);
    } finally {
      fs.closeSync(fd);
    }
    this.finishMetadata(abs, entry);
  }

  private createDir(rel: BytePath, entry: TarEntry): void {
    const abs = this.abs(rel);
    this.makeDirectory(rel);
    // abs is a directory we made or lstat'ed, so chmod (which follows links) meets no link here.
    fs.lchownSync(abs, entry.uid, entry.gid);
    fs.chmodSync(abs, entry.mode);
    this.setXattrs(abs, entry);
    this.realDirs.add(rel);
    this.dirTimes.set(rel, entry.mtime);
  }

  private createSymlink(rel: BytePath, entry: TarEntry): void {
    const target = entry.linknameBytes;
    if (target.length === 0) throw refuse(entry.nameBytes, 'symlink has no target');
    if (target.includes(0)) throw refuse(entry.nameBytes, 'symlink target contains a NUL byte');
    const abs = this.abs(rel);
    // The target is only data: it may point anywhere, since nothing here ever follows it.
    this.replacing(rel, () => fs.symlinkSync(target, abs));
    // Docker counts a symlink's own size (its target's length) in image sizes; so does berth.
    this.contentBytes += target.length;
    fs.lchownSync(abs, entry.uid, entry.gid);
    this.setXattrs(abs, entry);
    fs.lutimesSync(abs, entry.mtime, entry.mtime);
  }

  /** A hardlink may only point at a non-directory this layer already holds; it shares that entry's metadata. */
  private createHardlink(rel: BytePath, entry: TarEntry): void {
    const name = entry.nameBytes;
    const target = layerPath(bytePath(entry.linknameBytes), name, 'hardlink target');
    if (target === '') throw refuse(name, 'hardlink target is the layer root');
    this.prepareParents(target, name, false);
    const targetAbs = this.abs(target);
    const stat = fs.lstatSync(targetAbs, { throwIfNoEntry: false });
    if (!stat) throw refuse(name, `hardlink target ${quoted(entry.linknameBytes)} is not in the layer`);
    if (stat.isDirectory()) throw refuse(name, `hardlink target ${quoted(entry.linknameBytes)} is a directory`);
    if (target === rel) return;
    if (target.startsWith(`${rel}/`)) throw refuse(name, 'hardlink target lies inside the entry it replaces');
    // link(2) does not follow a symlink target: the new name links the symlink itself.
    this.replacing(rel, () => fs.linkSync(targetAbs, this.abs(rel)));
  }

  private createNode(rel: BytePath, entry: TarEntry): void {
    const abs = this.abs(rel);
    const { S_IFCHR, S_IFBLK, S_IFIFO } = this.native;
    const kind = entry.type === 'chardev' ? S_IFCHR : entry.type === 'blockdev' ? S_IFBLK : S_IFIFO;
    this.replacing(rel, () => this.native.mknod(abs, kind | 0o600, entry.devmajor, entry.devminor));
    fs.lchownSync(abs, entry.uid, entry.gid);
    fs.chmodSync(abs, entry.mode); // a node we just made, not a link
    this.finishMetadata(abs, entry);
  }

  /** A directory over a directory only updates its metadata; over anything else it replaces it. */
  private makeDirectory(rel: BytePath): void {
    const abs = this.abs(rel);
    try {
      fs.mkdirSync(abs, 0o700);
      return;
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
    if (fs.lstatSync(abs).isDirectory()) return;
    this.remove(rel);
    fs.mkdirSync(abs, 0o700);
  }

  /** Xattrs after chown (which clears security.capability), times last. */
  private finishMetadata(abs: Buffer, entry: TarEntry): void {
    this.setXattrs(abs, entry);
    fs.lutimesSync(abs, entry.mtime, entry.mtime);
  }

  private setXattrs(abs: Buffer, entry: TarEntry): void {
    for (const [name, value] of entry.xattrs) {
      if (OVERLAY_XATTR.test(name)) continue;
      this.native.lsetxattr(abs, name, value);
    }
  }

  /** `dir/.wh.name`: hide `name` of the layers below, as overlayfs does, with a 0/0 character device. */
  private whiteout(rel: BytePath, entryName: Buffer): void {
    const hidden = baseOf(rel).slice(WHITEOUT_PREFIX.length);
    // A basename holds no slash, so "." , ".." and "" are the only names that could leave the directory.
    if (hidden === '' || hidden === '.' || hidden === '..') throw refuse(entryName, 'whiteout names an invalid path');
    const target = joinRel(parentOf(rel), hidden);
    this.prepareParents(target, entryName);
    this.replacing(target, () => this.native.mknod(this.abs(target), this.native.S_IFCHR, 0, 0));
  }

  /** `dir/.wh..wh..opq`: hide everything the layers below have in `dir`. */
  private markOpaque(rel: BytePath, entryName: Buffer): void {
    this.prepareParents(rel, entryName);
    this.native.lsetxattr(this.abs(parentOf(rel)), 'trusted.overlay.opaque', Buffer.from('y'));
  }

  /** Deepest first, though setting a time does not touch the parent's: the order is the safe one either way. */
  setDirectoryTimes(): void {
    const byDepth = [...this.dirTimes].sort(([a], [b]) => depth(b) - depth(a));
    for (const [rel, mtime] of byDepth) fs.lutimesSync(this.abs(rel), mtime, mtime);
  }
}

/** AUFS keeps hardlink and other bookkeeping under /.wh..wh.*; it means nothing to overlayfs. */
function isAufsMetadata(rel: BytePath): boolean {
  return rel.startsWith(WHITEOUT_META_PREFIX) && rel !== OPAQUE_MARKER;
}

function depth(rel: string): number {
  let n = 0;
  for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) n++;
  return rel === '' ? -1 : n;
}

const MAX_ID = 2 ** 32 - 2; // (uid_t)-1 means "unchanged" to chown

function checkOwner(entry: TarEntry): void {
  for (const [what, id] of [
    ['uid', entry.uid],
    ['gid', entry.gid],
  ] as const) {
    if (!Number.isSafeInteger(id) || id < 0 || id > MAX_ID) throw refuse(entry.nameBytes, `${what} ${id} is out of range`);
  }
}

function writeAll(fd: number, chunk: Buffer): void {
  for (let offset = 0; offset < chunk.length; ) offset += fs.writeSync(fd, chunk, offset);
}
