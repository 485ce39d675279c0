/**
 * The on-disk store (DESIGN §3): one root holding berth.db, content-addressed
 * blobs, layers unpacked once per ChainID, and a staging area.
 *
 * Invariant: everything is written under tmp/ first and renamed into place,
 * then a DB transaction makes it visible. A crash therefore leaves only
 * unreferenced files, which `collectGarbage` removes. Several processes share
 * one root: SQLite serialises writers, and StoreLock keeps the collector away
 * from work in progress.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import Database from 'better-sqlite3';
import type { Digest } from '../digest.js';
import { nodeCrypto } from '../builtins.js';
import { hexOf } from '../digest.js';
import { errnoCode, invalidArgument, isOutOfSpace, unavailable } from '../errors.js';
import type { Native } from '../native.js';
import { MIGRATIONS } from './schema.js';
import { StoreLock } from './lock.js';

export const DEFAULT_ROOT = '/var/lib/berth';

/** better-sqlite3's compiled addon, named outright: left to itself it searches a dozen places for it (~7 ms of every command). */
function sqliteAddon(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');
  } catch {
    return undefined;
  }
}

/**
 * <root>/reserve: space held back for operations that free space. SQLite
 * needs room for its WAL to record even a DELETE, so on a full disk `rm`
 * could not remove the container that filled it. An operation that frees
 * space (`freeing`) releases the reserve first when less than this is free;
 * it is made again whenever a store opens or a freeing operation ends with
 * room to spare. Random bytes, so a compressing filesystem cannot shrink it.
 */
const RESERVE_BYTES = 1024 * 1024;
/** What a new reserve leaves free beside it, so making one never by itself fills the disk. */
const RESERVE_SLACK = 64 * 1024;

export interface GarbageReport {
  layers: number;
  blobs: number;
  /** bytes of blob files and layer content removed */
  reclaimed: number;
}

export class Store {
  private connection: Database.Database | undefined;
  readonly lock: StoreLock;
  private freeingDepth = 0;
  private reserveReleased = false;

  private constructor(
    readonly root: string,
    readonly native: Native,
  ) {
    for (const dir of ['blobs/sha256', 'overlay/l', 'containers', 'volumes', 'tmp']) {
      fs.mkdirSync(path.join(root, dir), { recursive: true, mode: 0o700 });
    }
    this.lock = new StoreLock(path.join(root, 'lock'), native);
    this.migrate();
  }

  /**
   * The SQLite connection, opened on first use (again after `release`). In
   * WAL mode even a read needs room for the 32 KiB wal-index (berth.db-shm):
   * on a full disk the reserve is given up for it, so `ps`, `logs` and `rm`
   * still work there; `close` puts the reserve back when it can.
   */
  get db(): Database.Database {
    if (!this.connection) {
      try {
        this.connection = this.connect();
      } catch (err) {
        if (!isOutOfSpace(err) || !this.releaseReserve()) throw err;
        this.connection = this.connect();
      }
    }
    return this.connection;
  }

  private connect(): Database.Database {
    let db: Database.Database;
    try {
      db = new Database(path.join(this.root, 'berth.db'), { timeout: 15_000, nativeBinding: sqliteAddon() });
    } catch (err) {
      throw unavailable(`cannot open the store at ${this.root}: ${(err as Error).message}`, err);
    }
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
    } catch (err) {
      db.close();
      throw err;
    }
    return db;
  }

  /**
   * Closes the connection until the next use. A shim does this while its
   * container runs: nothing to ask the store for hours, and the connection's
   * cache would sit in every running container's memory.
   */
  release(): void {
    this.connection?.close();
    this.connection = undefined;
  }

  /** Opens (creating if needed) the store at `root` and clears leftovers of crashed processes. */
  static open(root: string, native: Native): Store {
    if (!path.isAbsolute(root)) throw invalidArgument(`the store root must be an absolute path, got "${root}"`);
    const store = new Store(root, native);
    if (store.looksUntidy()) store.collectGarbage();
    store.keepReserve();
    return store;
  }

  /**
   * Runs `fn`, an operation that frees space (removing a container, an image,
   * a volume, a network): when the disk is (nearly) full, the reserve is
   * released first, so its own writes to the store find room.
   */
  freeing<T>(fn: () => T): T {
    if (this.freeingDepth === 0 && this.nearlyFull()) this.releaseReserve();
    this.freeingDepth++;
    const done = () => {
      if (--this.freeingDepth === 0) this.keepReserve();
    };
    let result: T;
    try {
      result = fn();
    } catch (err) {
      done();
      throw err;
    }
    if (result instanceof Promise) return result.finally(done) as T;
    done();
    return result;
  }

  /** Deletes the reserve; false if there was none to give. */
  private releaseReserve(): boolean {
    try {
      fs.unlinkSync(this.reservePath);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return false;
      throw err;
    }
    this.reserveReleased = true;
    return true;
  }

  private get reservePath(): string {
    return path.join(this.root, 'reserve');
  }

  /** Less free than the reserve holds: a write may fail for want of room (see `freeing`). */
  nearlyFull(): boolean {
    return this.freeBytes() < RESERVE_BYTES;
  }

  private freeBytes(): number {
    try {
      const { bavail, bsize } = fs.statfsSync(this.root);
      return bavail * bsize;
    } catch {
      return Infinity;
    }
  }

  /** Makes the reserve if it is missing and there is room for it (and `slack` more). */
  private keepReserve(slack = RESERVE_SLACK): void {
    if (fs.existsSync(this.reservePath) || this.freeBytes() < RESERVE_BYTES + slack) return;
    const staged = path.join(this.root, 'tmp', `${process.pid}-reserve`);
    try {
      fs.writeFileSync(staged, nodeCrypto().randomBytes(RESERVE_BYTES), { mode: 0o600 });
      fs.renameSync(staged, this.reservePath);
      this.reserveReleased = false;
    } catch (err) {
      fs.rmSync(staged, { force: true });
      if (!isOutOfSpace(err) && errnoCode(err) !== 'ENOENT') throw err;
    }
  }

  /** Evidence of a crash: staging left in tmp/, or more layer directories than layer rows. */
  private looksUntidy(): boolean {
    if (fs.readdirSync(path.join(this.root, 'tmp')).length > 0) return true;
    const dirs = fs.readdirSync(this.overlayDir).filter((n) => n !== 'l' && n !== 'empty').length;
    return dirs > (this.db.prepare('SELECT count(*) AS n FROM layers').get() as { n: number }).n;
  }

  close(): void {
    this.release();
    if (this.reserveReleased) this.keepReserve(0); // what this process took, given back
  }

  private migrate(): void {
    const apply = this.db.transaction(() => {
      const version = this.db.pragma('user_version', { simple: true }) as number;
      for (let i = version; i < MIGRATIONS.length; i++) this.db.exec(MIGRATIONS[i]);
      if (version < MIGRATIONS.length) this.db.pragma(`user_version = ${MIGRATIONS.length}`);
    });
    apply.immediate();
  }

  /** Runs fn in one write transaction, taken up front so concurrent writers queue instead of failing. */
  write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  blobPath(digest: Digest): string {
    return path.join(this.root, 'blobs/sha256', hexOf(digest));
  }

  layerRoot(chainId: Digest): string {
    return path.join(this.root, 'overlay', hexOf(chainId));
  }

  layerDiff(chainId: Digest): string {
    return path.join(this.layerRoot(chainId), 'diff');
  }

  get overlayDir(): string {
    return path.join(this.root, 'overlay');
  }

  /** A fresh directory under tmp/, named after this process so its owner is known. Call under `lock.shared`. */
  makeStagingDir(purpose: string): string {
    return fs.mkdtempSync(path.join(this.root, 'tmp', `${process.pid}-${purpose}-`));
  }

  /**
   * Moves a staged file to its content address. Idempotent: if the blob is
   * already there (same content by definition), the staged copy is dropped.
   */
  placeBlob(stagedFile: string, digest: Digest): void {
    const target = this.blobPath(digest);
    if (path.resolve(stagedFile) === target) return;
    if (fs.existsSync(target)) {
      fs.rmSync(stagedFile, { force: true });
      return;
    }
    fs.renameSync(stagedFile, target);
  }

  /**
   * Moves a staged layer root (holding diff/) to overlay/<chain hex>, giving
   * it a short link name under overlay/l. If another process placed the same
   * layer first, ours is discarded and theirs is used: same ChainID, same
   * content. Returns the link name. Call under `lock.shared`.
   */
  placeLayer(stagedRoot: string, chainId: Digest, parentChainId: Digest | undefined): string {
    const target = this.layerRoot(chainId);
    const existing = readLinkName(target);
    if (existing) {
      fs.rmSync(stagedRoot, { recursive: true, force: true });
      this.ensureShortLink(existing, chainId);
      return existing;
    }
    const link = randomLinkName();
    fs.writeFileSync(path.join(stagedRoot, 'link'), link);
    if (parentChainId) {
      const parentRoot = this.layerRoot(parentChainId);
      const parentLower = fs.existsSync(path.join(parentRoot, 'lower')) ? fs.readFileSync(path.join(parentRoot, 'lower'), 'utf8') : '';
      const parentLink = fs.readFileSync(path.join(parentRoot, 'link'), 'utf8');
      fs.writeFileSync(path.join(stagedRoot, 'lower'), [`l/${parentLink}`, parentLower].filter(Boolean).join(':'));
    }
    // The short link goes first, dangling until the rename: a crash between
    // the two then leaves only a dangling link (garbage), never a layer
    // directory that cannot be mounted.
    const shortLink = path.join(this.overlayDir, 'l', link);
    fs.symlinkSync(`../${hexOf(chainId)}/diff`, shortLink);
    try {
      fs.renameSync(stagedRoot, target);
    } catch (err) {
      const code = errnoCode(err);
      fs.rmSync(shortLink, { force: true });
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw err;
      fs.rmSync(stagedRoot, { recursive: true, force: true });
      const theirs = readLinkName(target)!;
      this.ensureShortLink(theirs, chainId);
      return theirs;
    }
    return link;
  }

  private ensureShortLink(link: string, chainId: Digest): void {
    try {
      fs.symlinkSync(`../${hexOf(chainId)}/diff`, path.join(this.overlayDir, 'l', link));
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
  }

  /**
   * Removes what no row references: layers and blobs no image uses, then
   * unreferenced directories and files, staging leftovers and dangling short
   * links. Runs only when no other process holds the store lock (a load in
   * progress has files that look like garbage); returns undefined if skipped.
   */
  collectGarbage(): GarbageReport | undefined {
    return this.freeing(() => this.lock.tryExclusive(() => this.sweep()));
  }

  private sweep(): GarbageReport {
    const { layers, blobs } = this.write(() => {
      const layers = this.db
        .prepare(`DELETE FROM layers WHERE chain_id NOT IN (SELECT chain_id FROM image_layers) RETURNING chain_id`)
        .all() as { chain_id: string }[];
      const blobs = this.db
        .prepare(
          `DELETE FROM blobs WHERE digest NOT IN (SELECT blob FROM image_layers) AND digest NOT IN (SELECT id FROM images) RETURNING digest`,
        )
        .all() as { digest: string }[];
      return { layers: layers.length, blobs: blobs.length };
    });
    let reclaimed = 0;
    const liveLayers = new Set(
      (this.db.prepare('SELECT chain_id FROM layers').all() as { chain_id: Digest }[]).map((r) => hexOf(r.chain_id)),
    );
    for (const name of fs.readdirSync(this.overlayDir)) {
      if (name === 'l' || name === 'empty' || liveLayers.has(name)) continue;
      reclaimed += treeSize(path.join(this.overlayDir, name, 'diff'));
      fs.rmSync(path.join(this.overlayDir, name), { recursive: true, force: true });
    }
    for (const link of fs.readdirSync(path.join(this.overlayDir, 'l'))) {
      const linkPath = path.join(this.overlayDir, 'l', link);
      if (!fs.existsSync(linkPath)) fs.rmSync(linkPath, { force: true });
    }
    const liveBlobs = new Set(
      (this.db.prepare('SELECT digest FROM blobs').all() as { digest: Digest }[]).map((r) => hexOf(r.digest)),
    );
    const blobDir = path.join(this.root, 'blobs/sha256');
    for (const name of fs.readdirSync(blobDir)) {
      if (liveBlobs.has(name)) continue;
      reclaimed += fs.statSync(path.join(blobDir, name)).size;
      fs.rmSync(path.join(blobDir, name), { force: true });
    }
    const tmp = path.join(this.root, 'tmp');
    for (const name of fs.readdirSync(tmp)) fs.rmSync(path.join(tmp, name), { recursive: true, force: true });
    return { layers, blobs, reclaimed };
  }
}

/** The short link name a placed layer directory records, or undefined if none is placed there. */
function readLinkName(layerRoot: string): string | undefined {
  try {
    return fs.readFileSync(path.join(layerRoot, 'link'), 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** 10 characters of [A-Z0-9] keep 200 lowerdirs (l/XXXXXXXXXX:) within overlay's one-page option limit. */
function randomLinkName(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return Array.from(nodeCrypto().randomBytes(10), (b) => alphabet[b % alphabet.length]).join('');
}

/** Bytes of regular files under dir, not following symlinks; 0 if dir is gone. */
export function treeSize(dir: string): number {
  let total = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += treeSize(full);
    else if (entry.isFile()) total += fs.lstatSync(full).size;
  }
  return total;
}
