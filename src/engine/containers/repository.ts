/**
 * Container rows in berth.db, and their mirrors on disk: Docker keeps
 * containers/<id>/config.json and hostconfig.json, and so does berth (the seed
 * notes read them), rewritten atomically on every change. The DB stays the
 * source of truth.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Digest } from '../digest.js';
import { alreadyExists, invalidArgument, isOutOfSpace, notFound } from '../errors.js';
import type { Store } from '../store/store.js';
import type { Container, ContainerConfig, ContainerState, ContainerStatus, HostConfig } from './types.js';

interface Row {
  id: string;
  name: string;
  image_id: Digest;
  image_name: string;
  created: string;
  config: string;
  host_config: string;
  status: ContainerStatus;
  pid: number;
  shim_pid: number;
  exit_code: number;
  oom_killed: number;
  error: string;
  started_at: string;
  finished_at: string;
  restart_count: number;
  stopped_by_user: number;
  ports: string;
}

export type StateUpdate = Partial<{
  status: ContainerStatus;
  pid: number;
  shimPid: number;
  exitCode: number;
  oomKilled: boolean;
  error: string;
  startedAt: string;
  finishedAt: string;
  restartCount: number;
  stoppedByUser: boolean;
}>;

const COLUMNS: Record<keyof StateUpdate, string> = {
  status: 'status',
  pid: 'pid',
  shimPid: 'shim_pid',
  exitCode: 'exit_code',
  oomKilled: 'oom_killed',
  error: 'error',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  restartCount: 'restart_count',
  stoppedByUser: 'stopped_by_user',
};

export class ContainerRepository {
  constructor(private readonly store: Store) {}

  dir(id: string): string {
    return path.join(this.store.root, 'containers', id);
  }

  insert(container: Container): void {
    // The mirrors first: a create that finds no room for them fails before there is a row.
    this.mirror(container, { hostConfig: true, strict: true });
    try {
      this.store.write(() => {
        this.store.db
          .prepare(
            `INSERT INTO containers (id, name, image_id, image_name, created, config, host_config, status)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            container.id,
            container.name,
            container.imageId,
            container.imageName,
            container.created,
            JSON.stringify(container.config),
            JSON.stringify(container.hostConfig),
            container.state.Status,
          );
      });
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        const other = this.store.db.prepare('SELECT id FROM containers WHERE name = ?').get(container.name) as { id: string } | undefined;
        throw alreadyExists(
          `Conflict. The container name "/${container.name}" is already in use by container "${other?.id ?? '?'}". You have to remove (or rename) that container to be able to reuse that name.`,
        );
      }
      throw err;
    }
  }

  /** By full ID, unique ID prefix or name, as Docker resolves them. */
  find(nameOrId: string): Container {
    const db = this.store.db;
    let row = db.prepare('SELECT * FROM containers WHERE id = ? OR name = ?').get(nameOrId, nameOrId.replace(/^\//, '')) as Row | undefined;
    if (!row && /^[0-9a-f]{1,63}$/.test(nameOrId)) {
      const rows = db.prepare('SELECT * FROM containers WHERE id LIKE ? LIMIT 2').all(`${nameOrId}%`) as Row[];
      if (rows.length > 1) throw invalidArgument(`multiple containers found with provided prefix: ${nameOrId}`);
      row = rows[0];
    }
    if (!row) throw notFound(`No such container: ${nameOrId}`);
    return fromRow(row);
  }

  maybeFind(id: string): Container | undefined {
    const row = this.store.db.prepare('SELECT * FROM containers WHERE id = ?').get(id) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  list(): Container[] {
    return (this.store.db.prepare('SELECT * FROM containers ORDER BY created DESC, rowid DESC').all() as Row[]).map(fromRow);
  }

  /** Every container's keeper (shim) and status, without reading its configuration: what a start checks. */
  keepers(): { id: string; shimPid: number; status: ContainerStatus }[] {
    const rows = this.store.db.prepare('SELECT id, shim_pid, status FROM containers').all() as Pick<Row, 'id' | 'shim_pid' | 'status'>[];
    return rows.map((row) => ({ id: row.id, shimPid: row.shim_pid, status: row.status }));
  }

  /** Updates state columns; `expect` makes it conditional on the current status (a compare-and-set). */
  update(id: string, update: StateUpdate, expect?: ContainerStatus[]): boolean {
    const keys = Object.keys(update) as (keyof StateUpdate)[];
    if (keys.length === 0) return true;
    const values = keys.map((k) => {
      const v = update[k];
      return typeof v === 'boolean' ? (v ? 1 : 0) : v;
    });
    const where = expect ? ` AND status IN (${expect.map(() => '?').join(',')})` : '';
    const changed = this.store.write(
      () =>
        this.store.db
          .prepare(`UPDATE containers SET ${keys.map((k) => `${COLUMNS[k]} = ?`).join(', ')} WHERE id = ?${where}`)
          .run(...values, id, ...(expect ?? [])).changes,
    );
    if (changed > 0) {
      const container = this.maybeFind(id);
      if (container) this.mirror(container);
    }
    return changed > 0;
  }

  /**
   * Claims the container for a new shim: only one shim may keep a container,
   * so of two concurrent starts exactly one wins. Returns false if another
   * shim holds it.
   */
  claimShim(id: string, pid: number): boolean {
    return this.store.write(
      () => this.store.db.prepare('UPDATE containers SET shim_pid = ? WHERE id = ? AND shim_pid = 0').run(pid, id).changes > 0,
    );
  }

  /** The published ports as bound at start; {} when stopped. */
  setPorts(id: string, ports: Container['ports']): void {
    this.store.write(() => this.store.db.prepare('UPDATE containers SET ports = ? WHERE id = ?').run(JSON.stringify(ports), id));
  }

  /** Lets go of the container; false if its row is gone (removed while the shim kept it). */
  releaseShim(id: string): boolean {
    return this.store.write(() => this.store.db.prepare('UPDATE containers SET shim_pid = 0 WHERE id = ?').run(id).changes > 0);
  }

  rename(id: string, name: string): void {
    try {
      this.store.write(() => this.store.db.prepare('UPDATE containers SET name = ? WHERE id = ?').run(name, id));
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw alreadyExists(`Conflict. The container name "/${name}" is already in use. You have to remove (or rename) that container to be able to reuse that name.`);
      }
      throw err;
    }
    const container = this.maybeFind(id);
    if (container) this.mirror(container);
  }

  delete(id: string): void {
    this.store.write(() => this.store.db.prepare('DELETE FROM containers WHERE id = ?').run(id));
  }

  /**
   * Deletes the row only while shim `shimPid` still keeps the container; that
   * shim then finds the row gone when it lets go, and deletes the files.
   */
  deleteKeptBy(id: string, shimPid: number): boolean {
    return this.store.write(() => this.store.db.prepare('DELETE FROM containers WHERE id = ? AND shim_pid = ?').run(id, shimPid).changes > 0);
  }

  /** Names of containers using an image (for rmi), or undefined. */
  userOf(imageId: Digest): string | undefined {
    const row = this.store.db.prepare('SELECT id FROM containers WHERE image_id = ? LIMIT 1').get(imageId) as { id: string } | undefined;
    return row?.id.slice(0, 12);
  }

  /**
   * Rewrites config.json and hostconfig.json (Docker's files) atomically. Only
   * `strict` (at create) fails for want of room: afterwards the row has
   * changed already, and a mirror left one change behind on a full disk must
   * not undo it (nothing in berth reads the mirrors; the next change rewrites them).
   */
  private mirror(container: Container, options: { hostConfig?: boolean; strict?: boolean } = {}): void {
    const dir = this.dir(container.id);
    if (!fs.existsSync(dir)) return;
    try {
      this.writeMirror(dir, container, options.hostConfig === true);
    } catch (err) {
      if (options.strict || !isOutOfSpace(err)) throw err;
    }
  }

  private writeMirror(dir: string, container: Container, withHostConfig: boolean): void {
    const { hostConfig, ...rest } = container;
    writeAtomic(path.join(dir, 'config.json'), JSON.stringify({
      ID: rest.id,
      Name: `/${rest.name}`,
      Created: rest.created,
      Image: rest.imageId,
      Config: rest.config,
      State: rest.state,
      RestartCount: rest.restartCount,
      Driver: 'overlay',
    }));
    // The host config never changes after create; state updates rewrite config.json only.
    if (withHostConfig) writeAtomic(path.join(dir, 'hostconfig.json'), JSON.stringify(hostConfig));
  }
}

export function writeAtomic(file: string, data: string | Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

function fromRow(row: Row): Container {
  const state: ContainerState = {
    Status: row.status,
    Running: row.status === 'running' || row.status === 'paused',
    Paused: row.status === 'paused',
    Restarting: row.status === 'restarting',
    OOMKilled: row.oom_killed === 1,
    Dead: row.status === 'dead',
    Pid: row.pid,
    ExitCode: row.exit_code,
    Error: row.error,
    StartedAt: row.started_at,
    FinishedAt: row.finished_at,
  };
  return {
    id: row.id,
    name: row.name,
    imageId: row.image_id,
    imageName: row.image_name,
    created: row.created,
    config: JSON.parse(row.config) as ContainerConfig,
    hostConfig: JSON.parse(row.host_config) as HostConfig,
    state,
    shimPid: row.shim_pid,
    restartCount: row.restart_count,
    stoppedByUser: row.stopped_by_user === 1,
    ports: JSON.parse(row.ports ?? '{}') as Container['ports'],
  };
}
