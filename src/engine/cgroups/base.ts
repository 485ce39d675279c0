/**
 * What the v1 and v2 cgroups share: the process list, the kill loop and
 * removal. Each driver supplies its directories and kernel-specific hooks.
 */
import path from 'node:path';
import { errnoCode, isBerthError, notFound } from '../errors.js';
import { pollUntil, removeTree, subtreePids, writeFile } from './fs.js';
import type { CgroupFs, CgroupLimits, CgroupStats, CgroupUsage, ContainerCgroup } from './types.js';

export abstract class CgroupBase implements ContainerCgroup {
  constructor(
    readonly id: string,
    protected readonly cfs: CgroupFs,
  ) {}

  abstract paths(): string[];
  abstract stats(): CgroupStats;
  abstract usage(): CgroupUsage;
  abstract oomKilled(): boolean;
  abstract freeze(): Promise<void>;
  abstract thaw(): Promise<void>;
  abstract isFrozen(): boolean;
  abstract update(limits: CgroupLimits): string[];
  /** The cgroup.kill file to use for SIGKILL, if the kernel has one here. */
  protected abstract killFile(): string | undefined;
  /** Runs after SIGKILL was sent (v1: thaw, so frozen tasks can die). */
  protected abstract afterKill(): void;

  /** Throws not-found when none of the cgroup's directories exists (removed, or never created). */
  protected requireExists(): void {
    if (!this.paths().some((dir) => this.cfs.exists(dir))) throw notFound(`cgroup ${this.id} does not exist`);
  }

  /**
   * Runs `apply` on a cgroup create just made or re-opened. When `fresh`
   * (the directories are new) and `apply` throws, the directories go again,
   * so a refused create leaves nothing behind.
   */
  applyOrUndo<T>(fresh: boolean, apply: () => T): T {
    try {
      return apply();
    } catch (err) {
      if (fresh) {
        for (const dir of this.paths()) {
          try {
            removeTree(this.cfs, dir);
          } catch {
            // best effort: the error that matters is the one being thrown
          }
        }
      }
      throw err;
    }
  }

  procsFiles(): string[] {
    return this.paths().map((dir) => path.join(dir, 'cgroup.procs'));
  }

  pids(): number[] {
    const all = new Set<number>();
    for (const dir of this.paths()) subtreePids(this.cfs, dir, all);
    return [...all].sort((a, b) => a - b);
  }

  killAll(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (signal === 'SIGKILL') {
      const file = this.killFile();
      if (file) {
        try {
          writeFile(this.cfs, file, 1);
        } catch (err) {
          // the cgroup is gone: nothing to kill; anything else is real
          if (!isBerthError(err, 'unavailable')) throw err;
        }
      }
    }
    // Pid by pid as well (cgroup.kill does not reach v1-only members): for
    // SIGKILL, again while new pids turn up, since a task may fork between
    // the read and the kill; other signals go once to each task.
    const signalled = new Set<number>();
    for (let round = 0; round < 100; round++) {
      const fresh = this.pids().filter((p) => !signalled.has(p));
      if (fresh.length === 0) break;
      for (const pid of fresh) {
        signalled.add(pid);
        try {
          process.kill(pid, signal);
        } catch (err) {
          if (errnoCode(err) !== 'ESRCH') throw err;
        }
      }
      if (signal !== 'SIGKILL') break;
    }
    if (signal === 'SIGKILL') this.afterKill();
  }

  async remove(): Promise<void> {
    const removeAll = () => {
      try {
        for (const dir of this.paths()) removeTree(this.cfs, dir);
        return true;
      } catch (err) {
        if (errnoCode(err) === 'EBUSY') return false; // tasks still exiting
        throw err;
      }
    };
    if (removeAll()) return;
    await pollUntil(`removing cgroup ${this.id}`, removeAll, () => {
      if (this.pids().length > 0) this.killAll('SIGKILL');
    });
  }
}
