import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Native } from '../native.js';

/**
 * A store-wide reader/writer lock on `<root>/lock` (flock, so it dies with its
 * holder; `<root>/networks.lock` is another, networks/intents.ts's). Every operation that stages files or creates layer directories
 * holds it shared; garbage collection and reconciliation hold it exclusive,
 * so they never mistake another process's work in progress for garbage.
 */
export class StoreLock {
  constructor(
    private readonly file: string,
    private readonly native: Native,
  ) {}

  /**
   * Runs fn under the shared lock, waiting while a collector holds it exclusive.
   * fn gets the locked descriptor: a child given it keeps the lock held until it exits too.
   */
  async shared<T>(fn: (fd: number) => Promise<T>): Promise<T> {
    const fd = fs.openSync(this.file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
    try {
      while (!this.native.flock(fd, this.native.LOCK_SH | this.native.LOCK_NB)) await sleep(10);
      return await fn(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Runs fn under the exclusive lock once every holder has let go, waiting at most `ms`; undefined if they did not. */
  async exclusive<T>(ms: number, fn: () => Promise<T>): Promise<T | undefined> {
    const fd = fs.openSync(this.file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
    try {
      const deadline = Date.now() + ms;
      while (!this.native.flock(fd, this.native.LOCK_EX | this.native.LOCK_NB)) {
        if (Date.now() > deadline) return undefined;
        await sleep(10);
      }
      return await fn();
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Runs fn under the exclusive lock if nobody holds the lock now; otherwise returns undefined at once. */
  tryExclusive<T>(fn: () => T): T | undefined {
    const fd = fs.openSync(this.file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
    try {
      if (!this.native.flock(fd, this.native.LOCK_EX | this.native.LOCK_NB)) return undefined;
      return fn();
    } finally {
      fs.closeSync(fd);
    }
  }
}
