/**
 * Containers: create, start (through a shim), stop, kill, remove, list and
 * read their state, as Docker's verbs do. Processes run under the shim
 * (src/engine/runtime/shim.ts); this service only asks and waits.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parsePublish } from '../networks/ports.js';
import { NetworkService } from '../networks/service.js';
import { VolumeService } from '../volumes/service.js';
import type { MountPoint, MountSpec } from '../volumes/types.js';
import type { Digest } from '../digest.js';
import { nodeChildProcess, nodeCrypto, nodeNet } from '../builtins.js';
import { StartError, failedPrecondition, invalidArgument, isBerthError } from '../errors.js';
import type { CopyOptions } from './copy.js';
export { StartError } from '../errors.js';
import type { ImageService } from '../images/service.js';
import { familiarName, parseReference, parseTaggedReference, qualifiedName } from '../images/reference.js';
import { applyChanges, type ImageConfig } from '../images/config.js';
import type { Change } from './changes.js';
import { HOST_MEMORY, networkBytes, readProcesses, type ProcessInfo } from './processes.js';

export interface ContainerSample {
  id: string;
  name: string;
  /** ms since epoch */
  at: number;
  running: boolean;
  cpuUsageNs: number;
  memoryUsage: number;
  memoryLimit: number;
  netRx: number;
  netTx: number;
  blkioRead: number;
  blkioWrite: number;
  pids: number;
}
import type { Store } from '../store/store.js';
import { parseByteSize } from '../runtime/json-log.js';
import { createRootfsDirs, holdRootfs, mountedRootfs, rootfsPaths, unmountRootfs, unmountRootfsUnlessHeld } from '../runtime/rootfs.js';
import { socketAddress } from '../runtime/attach-protocol.js';
import { resolveInRoot } from '../runtime/safe-path.js';
import { randomName } from './names.js';
import { checkCreateOptions, parseRestartPolicy } from './create-checks.js';
import { normalizeSignal, stopSignalOf } from './signals.js';
export { normalizeSignal } from './signals.js';
import { mergeEnv } from './env.js';
import type { ExecOptions, ExecSession } from './exec.js';
import { ContainerRepository } from './repository.js';
import { removeContainerDirectory, removeContainerFiles } from './remove.js';
import {
  canKill,
  canPause,
  canUnpause,
  isActive,
  NAME_RE,
  ZERO_TIME,
  type Container,
  type ContainerConfig,
  type HostConfig,
} from './types.js';
import { containerCgroups } from '../runtime/cgroup-port.js';

export interface CreateOptions {
  image: string;
  name?: string;
  /** replaces the image's Cmd */
  cmd?: string[];
  /** replaces the image's Entrypoint ([] or [''] clears it) */
  entrypoint?: string[];
  env?: string[];
  workdir?: string;
  user?: string;
  hostname?: string;
  tty?: boolean;
  interactive?: boolean;
  /** attach stdin/stdout/stderr (run without -d) */
  attach?: boolean;
  restart?: string;
  autoRemove?: boolean;
  memory?: number;
  memorySwap?: number;
  cpus?: number;
  cpuShares?: number;
  pidsLimit?: number;
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  readOnly?: boolean;
  securityOpt?: string[];
  logOpts?: Record<string, string>;
  labels?: Record<string, string>;
  stopSignal?: string;
  stopTimeout?: number;
  consoleSize?: [number, number];
  /** --network: bridge (default), none, host, container:<name|id>, or a user network */
  network?: string;
  /** --network-alias */
  networkAliases?: string[];
  /** -p specs */
  publish?: string[];
  /** -P */
  publishAll?: boolean;
  /** --expose 80, 53/udp, 8000-8001 */
  expose?: string[];
  /** --add-host name:ip */
  addHost?: string[];
  /** --dns */
  dns?: string[];
  /** -v: /host:/ctr[:mode], name:/ctr[:mode], or /ctr (an anonymous volume) */
  volumes?: string[];
  /** --mount, parsed (Docker's HostConfig.Mounts) */
  mounts?: MountSpec[];
  /** --volumes-from ctr[:ro|rw] */
  volumesFrom?: string[];
  /** --tmpfs PATH[:OPTIONS] */
  tmpfs?: string[];
}

export class ContainerService {
  readonly repo: ContainerRepository;

  constructor(
    private readonly store: Store,
    private readonly images: ImageService,
  ) {
    this.repo = new ContainerRepository(store);
  }

  /**
   * A container whose shim is gone (killed, or the host rebooted) is not
   * running, whatever its row says: mark it exited and release its mount and
   * cgroup, killing anything left inside.
   */
  async reconcile(): Promise<void> {
    const all = this.repo.keepers();
    for (const container of all) {
      if (container.shimPid === 0 || shimAlive(container.shimPid, this.store.root)) continue;
      try {
        containerCgroups().open(container.id).killAll();
      } catch {
        // nothing left to kill
      }
      const { releaseLaunch } = await import('../runtime/launch.js');
      await releaseLaunch(this.store, container.id).catch(() => {});
      if (isActive(container.status)) {
        this.repo.update(container.id, {
          status: 'exited',
          pid: 0,
          exitCode: 137,
          error: 'the container keeper (shim) died',
          finishedAt: new Date().toISOString(),
        });
      }
      this.repo.releaseShim(container.id);
    }
    await this.removeOrphans(new Set(all.map((c) => c.id)));
    // A cp (or a create's copy-up) killed while it had the rootfs of a stopped container mounted. Kept ones
    // were skipped or released above; `unkept` asks again, for a shim that claimed one since.
    const kept = new Set(all.filter((c) => c.shimPid !== 0).map((c) => c.id));
    for (const id of mountedRootfs(this.store)) if (!kept.has(id)) unmountRootfsUnlessHeld(this.store, id, () => this.unkept(id));
  }

  /** No shim keeps the container (or it is gone): its rootfs mount is nobody's but a copy's. */
  private unkept(id: string): boolean {
    const c = this.repo.maybeFind(id);
    return !c || (c.shimPid === 0 && !isActive(c.state.Status));
  }

  /**
   * Directories without a row: `rm -f` leaves the files to the container's
   * shim, so a shim that died right then leaves its mount, cgroups and files.
   * Only old ones: `create` makes the directory a moment before the row.
   */
  private async removeOrphans(known: Set<string>): Promise<void> {
    const dir = path.join(this.store.root, 'containers');
    for (const id of fs.readdirSync(dir)) {
      if (known.has(id) || !/^[0-9a-f]{64}$/.test(id)) continue;
      try {
        if (Date.now() - fs.statSync(path.join(dir, id)).mtimeMs < 60_000) continue;
      } catch {
        continue;
      }
      const { releaseLaunch } = await import('../runtime/launch.js');
      await releaseLaunch(this.store, id).catch(() => {});
      removeContainerDirectory(this.store, id);
    }
  }

  list(): Container[] {
    return this.repo.list();
  }

  get(nameOrId: string): Container {
    return this.repo.find(nameOrId);
  }

  /** `docker create`: the container's config from the image's and the options; no process yet. */
  async create(options: CreateOptions): Promise<Container> {
    if (options.name !== undefined && !NAME_RE.test(options.name)) {
      throw invalidArgument(`Invalid container name (${options.name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    }
    const imageId = this.images.resolve(options.image);
    const image = this.images.config(imageId).config ?? {};
    const volumes = new VolumeService(this.store);
    const mountPlan = volumes.plan({ volumes: options.volumes, mounts: options.mounts, volumesFrom: options.volumesFrom, tmpfs: options.tmpfs, imageVolumes: image.Volumes });
    const entrypoint =
      options.entrypoint !== undefined ? (options.entrypoint.filter((e) => e !== '').length ? options.entrypoint : null) : (image.Entrypoint ?? null);
    // As Docker: a new entrypoint drops the image's Cmd.
    const cmd = options.cmd && options.cmd.length > 0 ? options.cmd : options.entrypoint !== undefined ? null : (image.Cmd ?? null);
    if ((entrypoint ?? []).length + (cmd ?? []).length === 0) throw invalidArgument('No command specified');
    const env = mergeEnv(image.Env ?? [], options.env ?? []);
    const restart = parseRestartPolicy(options.restart);
    if (options.autoRemove && restart.Name !== 'no') throw invalidArgument('Conflicting options: --restart and --rm');
    const workingDir = options.workdir ?? image.WorkingDir ?? '';
    checkCreateOptions(options, { workingDir, args: [...(entrypoint ?? []), ...(cmd ?? [])] });
    const logOpts = options.logOpts ?? {};
    for (const [key, value] of Object.entries(logOpts)) {
      if (key === 'max-size') parseByteSize(value);
      else if (key === 'max-file') {
        if (!/^[1-9]\d*$/.test(value)) throw invalidArgument(`invalid value for max-file: ${value}`);
      } else throw invalidArgument(`unknown log opt '${key}' for json-file log driver`);
    }
    const id = nodeCrypto().randomBytes(32).toString('hex');
    const config: ContainerConfig = {
      Hostname: options.hostname ?? id.slice(0, 12),
      Domainname: '',
      User: options.user ?? image.User ?? '',
      AttachStdin: Boolean(options.attach && options.interactive),
      AttachStdout: Boolean(options.attach),
      AttachStderr: Boolean(options.attach),
      ExposedPorts: image.ExposedPorts,
      Tty: Boolean(options.tty),
      OpenStdin: Boolean(options.interactive),
      StdinOnce: Boolean(options.interactive && options.attach),
      Env: env,
      Cmd: cmd,
      Image: options.image,
      Volumes: mountPlan.configVolumes,
      WorkingDir: workingDir,
      Entrypoint: entrypoint,
      OnBuild: null,
      Labels: { ...(image.Labels ?? {}), ...(options.labels ?? {}) },
      StopSignal: options.stopSignal ?? image.StopSignal,
      StopTimeout: options.stopTimeout,
    };
    const hostConfig: HostConfig = {
      ...mountPlan.hostConfig,
      RestartPolicy: restart,
      AutoRemove: Boolean(options.autoRemove),
      CapAdd: options.capAdd ?? null,
      CapDrop: options.capDrop ?? null,
      Privileged: Boolean(options.privileged),
      ReadonlyRootfs: Boolean(options.readOnly),
      SecurityOpt: options.securityOpt ?? null,
      Memory: options.memory ?? 0,
      MemorySwap: options.memorySwap ?? 0,
      NanoCpus: options.cpus ? Math.round(options.cpus * 1e9) : 0,
      CpuShares: options.cpuShares ?? 0,
      PidsLimit: options.pidsLimit ?? null,
      LogConfig: { Type: 'json-file', Config: logOpts },
      ConsoleSize: options.consoleSize,
      ...networkOptions(options),
    };
    const networks = new NetworkService(this.store);
    hostConfig.NetworkMode = await networks.resolveMode(hostConfig.NetworkMode, options.networkAliases ?? []);
    const networkMode = hostConfig.NetworkMode;
    if (networkMode.startsWith('container:')) hostConfig.NetworkMode = `container:${this.repo.find(networkMode.slice('container:'.length)).id}`;
    if (networkMode === 'host' && options.hostname === undefined) config.Hostname = os.hostname();
    const exposed = [...Object.keys(parsePublish(options.expose ?? [])), ...Object.keys(hostConfig.PortBindings ?? {})];
    if (exposed.length > 0) config.ExposedPorts = { ...config.ExposedPorts, ...Object.fromEntries(exposed.map((k) => [k, {}])) };
    const container: Container = {
      id,
      name: options.name ?? this.freeRandomName(),
      imageId,
      imageName: options.image,
      created: new Date().toISOString(),
      config,
      hostConfig,
      state: {
        Status: 'created', Running: false, Paused: false, Restarting: false, OOMKilled: false, Dead: false,
        Pid: 0, ExitCode: 0, Error: '', StartedAt: ZERO_TIME, FinishedAt: ZERO_TIME,
      },
      shimPid: 0,
      restartCount: 0,
      stoppedByUser: false,
      ports: {},
    };
    let mounts: MountPoint[] = [];
    try {
      createRootfsDirs(this.store, id);
      mounts = await volumes.realize(id, mountPlan, { images: this.images, id: imageId });
      for (let attempt = 1; ; attempt++) {
        try {
          this.repo.insert(container);
          break;
        } catch (err) {
          // A name of our choosing taken by a concurrent create since it was picked: pick another
          // (Docker never fails a run over a name it generated).
          if (options.name !== undefined || attempt === 5 || !isBerthError(err, 'already-exists')) throw err;
          container.name = this.freeRandomName();
        }
      }
    } catch (err) {
      fs.rmSync(this.repo.dir(id), { recursive: true, force: true });
      volumes.releaseAnonymous(mounts, { except: id });
      throw err;
    }
    try {
      networks.addEndpoint(id, hostConfig.NetworkMode, options.networkAliases ?? []);
    } catch (err) {
      removeContainerFiles(this.store, container, this.store.native, { volumes: true });
      throw err;
    }
    return container;
  }

  private freeRandomName(): string {
    for (let i = 0; i < 20; i++) {
      const name = randomName();
      if (!this.store.db.prepare('SELECT 1 FROM containers WHERE name = ?').get(name)) return name;
    }
    return `${randomName()}_${nodeCrypto().randomBytes(2).toString('hex')}`;
  }

  /**
   * Starts the container's process under a new shim. With `hold`, the shim
   * waits for the first attach client before starting, so no output is
   * missed; this resolves once the shim is ready. Otherwise it resolves once
   * the process runs, or throws StartError with Docker's exit code.
   */
  async start(nameOrId: string, options: { hold?: boolean } = {}): Promise<{ id: string; pid?: number }> {
    const container = this.repo.find(nameOrId);
    if (isActive(container.state.Status)) return { id: container.id, pid: container.state.Pid };
    if (container.shimPid !== 0 && shimAlive(container.shimPid, this.store.root)) return { id: container.id };
    if (container.stoppedByUser) this.repo.update(container.id, { stoppedByUser: false });
    const line = (await this.askSpare(container.id, options.hold === true)) ?? (await this.spawnShim(container.id, options.hold === true));
    if (line === 'ready') return { id: container.id };
    const started = /^started (\d+)$/.exec(line);
    if (started) return { id: container.id, pid: Number(started[1]) };
    const error = /^error (\d+) (.*)$/.exec(line);
    if (error) throw new StartError(Number(error[1]), error[2]);
    throw new StartError(125, `the container keeper (shim) failed to start${line ? `: ${line}` : ''}`);
  }

  /** Hands the container to the spare shim if one is waiting; undefined if none took it. */
  private askSpare(id: string, hold: boolean): Promise<string | undefined> {
    if (process.env.BERTH_SPARE_SHIM === '0') return Promise.resolve(undefined);
    if (!fs.existsSync(path.join(this.store.root, 'spare.sock'))) return Promise.resolve(undefined);
    const address = socketAddress(this.store.root, 'spare.sock');
    return new Promise<string | undefined>((resolve) => {
      const socket = nodeNet().connect(address.path);
      let text = '';
      socket.once('error', () => resolve(undefined));
      socket.once('connect', () => socket.write(`take ${id}${hold ? ' hold' : ''}\n`));
      socket.on('data', (chunk) => (text += chunk.toString()));
      // No line back means the spare went away (idle timeout, another taker): start a fresh shim instead.
      socket.once('close', () => resolve(text.includes('\n') ? text.split('\n')[0].trim() : undefined));
    }).finally(() => address.close());
  }

  private async spawnShim(id: string, hold: boolean): Promise<string> {
    const { shimArgs, shimEnv, shimScript } = await import('../runtime/shim-options.js');
    const child = nodeChildProcess().spawn(process.execPath, shimArgs(shimScript, [this.store.root, id, ...(hold ? ['--hold'] : [])]), {
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
      cwd: '/',
      env: shimEnv(),
    });
    const line = await firstLine(child.stdout!);
    child.stdout!.destroy();
    child.unref();
    return line;
  }

  /** Sends a signal to PID 1 (Docker's kill). */
  kill(nameOrId: string, signal: string = 'SIGKILL'): void {
    const container = this.repo.find(nameOrId);
    if (!canKill(container.state.Status) && container.state.Status !== 'paused') {
      throw failedPrecondition(`Cannot kill container: ${nameOrId}: Container ${container.id} is not running`);
    }
    const sig = normalizeSignal(signal);
    if (container.state.Pid > 0) {
      try {
        process.kill(container.state.Pid, sig);
      } catch {
        // exited meanwhile
      }
    }
  }

  /**
   * `docker stop`: the stop signal (SIGTERM unless the image says otherwise)
   * to PID 1, then SIGKILL after `timeout` seconds. Stopping a stopped
   * container succeeds.
   */
  async stop(nameOrId: string, options: { timeout?: number; signal?: string } = {}): Promise<void> {
    const container = this.repo.find(nameOrId);
    this.repo.update(container.id, { stoppedByUser: true });
    if (!isActive(container.state.Status)) return;
    const timeout = options.timeout ?? container.config.StopTimeout ?? 10;
    const signal = options.signal !== undefined ? normalizeSignal(options.signal) : stopSignalOf(container.config.StopSignal);
    if (container.state.Status === 'paused') await containerCgroups().open(container.id).thaw();
    if (timeout !== 0) {
      signalPid(container.state.Pid, signal);
      if (await this.waitUntilStopped(container.id, timeout < 0 ? Infinity : timeout * 1000)) return;
    }
    const current = this.repo.maybeFind(container.id);
    if (current && current.state.Pid > 0) signalPid(current.state.Pid, 'SIGKILL');
    await this.waitUntilStopped(container.id, 30_000);
  }

  /** Resolves true once the container has no running process and its shim has let go (or at the deadline, false). */
  async waitUntilStopped(id: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let interval = 10;
    for (;;) {
      const c = this.repo.maybeFind(id);
      if (!c || (!isActive(c.state.Status) && (c.shimPid === 0 || !shimAlive(c.shimPid, this.store.root)))) return true;
      if (Date.now() >= deadline) return false;
      await sleep(Math.min(interval, Math.max(1, deadline - Date.now())));
      interval = Math.min(interval * 2, 100);
    }
  }

  /** `docker wait`: blocks until the container stops, then gives its exit code. */
  async wait(nameOrId: string): Promise<number> {
    const container = this.repo.find(nameOrId);
    if (isActive(container.state.Status) || container.shimPid !== 0) {
      // The shim's exit frame carries the code even when --rm removes the row before anyone could read it.
      const { attach } = await import('./attach-client.js');
      const code = await attach(this.repo.dir(container.id), { stdin: false, stdout: false, stderr: false, watchOnly: true }).then(
        (session) =>
          new Promise<number | undefined>((resolve) => {
            session.on('exit', (exit) => resolve(exit.code));
            session.on('close', () => resolve(undefined));
          }),
        () => undefined,
      );
      if (code !== undefined) return code;
    }
    await this.waitUntilStopped(container.id, Infinity);
    return this.repo.maybeFind(container.id)?.state.ExitCode ?? container.state.ExitCode;
  }

  async restart(nameOrId: string, options: { timeout?: number } = {}): Promise<void> {
    await this.stop(nameOrId, options);
    await this.start(nameOrId);
  }

  async pause(nameOrId: string): Promise<void> {
    const container = this.repo.find(nameOrId);
    if (!canPause(container.state.Status)) {
      throw failedPrecondition(
        container.state.Status === 'paused'
          ? `Container ${container.id} is already paused`
          : `Container ${container.id} is not running`,
      );
    }
    await containerCgroups().open(container.id).freeze();
    this.repo.update(container.id, { status: 'paused' });
  }

  async unpause(nameOrId: string): Promise<void> {
    const container = this.repo.find(nameOrId);
    if (!canUnpause(container.state.Status)) throw failedPrecondition(`Container ${container.id} is not paused`);
    await containerCgroups().open(container.id).thaw();
    this.repo.update(container.id, { status: 'running' });
  }

  /** `docker rm`: refuses a running container unless forced (then kills it first). Works on a full disk (`Store.freeing`). */
  async remove(nameOrId: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    const container = this.repo.find(nameOrId);
    // On a (nearly) full disk the container may be what fills it, and would take the reserve's room before
    // rm's own writes get it: there it is killed before the reserve is given up (killing writes nothing).
    if (options.force && isActive(container.state.Status) && container.state.Pid > 0 && this.store.nearlyFull()) {
      signalPid(container.state.Pid, 'SIGKILL');
      if (container.state.Status === 'paused') await containerCgroups().open(container.id).thaw().catch(() => undefined);
      if ((await processEnded(container.state.Pid, 10_000)) && this.store.nearlyFull()) {
        // Still no room (the reserve may have gone to the container before it died): its writable layer,
        // which rm deletes anyway, goes first, so that rm's own writes find room.
        const { upper } = rootfsPaths(this.store, container.id);
        for (const name of fs.readdirSync(upper)) fs.rmSync(path.join(upper, name), { recursive: true, force: true });
      }
    }
    return this.store.freeing(() => this.removeNow(container, options));
  }

  private async removeNow(container: Container, options: { force?: boolean; volumes?: boolean }): Promise<void> {
    // -v: its anonymous volumes too; read now, the shim may delete the directory below.
    const mounts = options.volumes ? new VolumeService(this.store).mountsOf(container.id) : [];
    if (isActive(container.state.Status)) {
      if (!options.force) {
        throw failedPrecondition(
          `You cannot remove a running container ${container.id}. Stop the container before attempting removal or force remove`,
        );
      }
      this.repo.update(container.id, { stoppedByUser: true });
      if (container.state.Status === 'paused') await containerCgroups().open(container.id).thaw();
      signalPid(container.state.Pid, 'SIGKILL');
      // Once PID 1 is dead the kernel has killed the rest of its PID namespace. Take the row at once and leave
      // the mount, cgroups and files to the shim, which deletes them when it finds the row gone, rather than
      // wait for it to record an exit nobody will read.
      if (
        container.state.Pid > 0 &&
        (await processEnded(container.state.Pid, 10_000)) &&
        this.repo.deleteKeptBy(container.id, container.shimPid)
      ) {
        // Docker's `rm` returns with the files gone; the shim deletes them within milliseconds.
        await pathGone(this.repo.dir(container.id), 5_000);
        new VolumeService(this.store).releaseAnonymous(mounts, { except: container.id });
        return;
      }
      if (!(await this.waitUntilStopped(container.id, 30_000))) {
        containerCgroups().open(container.id).killAll();
        await this.waitUntilStopped(container.id, 10_000);
      }
    }
    const latest = this.repo.maybeFind(container.id);
    if (!latest) return; // --rm got there first
    removeContainerFiles(this.store, latest, this.store.native, { volumes: options.volumes });
  }

  rename(nameOrId: string, newName: string): void {
    if (!NAME_RE.test(newName)) throw invalidArgument(`Invalid container name (${newName}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    const container = this.repo.find(nameOrId);
    if (container.name === newName) throw invalidArgument(`Renaming a container with the same name as its current name`);
    this.repo.rename(container.id, newName);
  }

  /** `docker container prune`: every stopped container. */
  prune(): { deleted: string[] } {
    return this.store.freeing(() => {
      const deleted: string[] = [];
      for (const container of this.repo.list()) {
        if (isActive(container.state.Status) || container.shimPid !== 0) continue;
        removeContainerFiles(this.store, container, this.store.native);
        deleted.push(container.id);
      }
      return { deleted };
    });
  }

  logPath(container: Container): string {
    return path.join(this.repo.dir(container.id), `${container.id}-json.log`);
  }

  /** The container as Docker's API shows it (GET /containers/{id}/json). */
  inspect(nameOrId: string): Record<string, unknown> {
    const c = this.repo.find(nameOrId);
    const dir = this.repo.dir(c.id);
    const paths = rootfsPaths(this.store, c.id);
    const args = [...(c.config.Entrypoint ?? []), ...(c.config.Cmd ?? [])];
    const lowers = this.images.layers(c.imageId).map((l) => this.store.layerDiff(l.chainId)).reverse();
    return {
      Id: c.id,
      Created: c.created,
      Path: args[0] ?? '',
      Args: args.slice(1),
      State: c.state,
      Image: c.imageId,
      ResolvConfPath: path.join(dir, 'resolv.conf'),
      HostnamePath: path.join(dir, 'hostname'),
      HostsPath: path.join(dir, 'hosts'),
      LogPath: this.logPath(c),
      Name: `/${c.name}`,
      RestartCount: c.restartCount,
      Driver: 'overlay',
      Platform: 'linux',
      MountLabel: '',
      ProcessLabel: '',
      AppArmorProfile: '',
      ExecIDs: null,
      HostConfig: c.hostConfig,
      GraphDriver: {
        Data: { LowerDir: lowers.join(':'), MergedDir: paths.merged, UpperDir: paths.upper, WorkDir: paths.work },
        Name: 'overlay',
      },
      Mounts: new VolumeService(this.store).inspectMounts(c.id),
      Config: c.config,
      NetworkSettings: networkSettings(c, new NetworkService(this.store).settingsFor(c)),
    };
  }

  /** Image name as ps shows it: what the user typed, or the short ID if that tag moved away. */
  imageLabel(c: Container): string {
    try {
      if (this.images.resolve(c.imageName) === c.imageId) return familiarName(parseReference(c.imageName));
    } catch {
      // the tag is gone
    }
    return c.imageId.slice(7, 19);
  }

  /** `docker diff`: the thin layer's additions, changes and deletions. */
  async diff(nameOrId: string): Promise<Change[]> {
    const { listChanges } = await import('./changes.js');
    const c = this.repo.find(nameOrId);
    const lowers = this.images.layers(c.imageId).map((l) => this.store.layerDiff(l.chainId)).reverse();
    return listChanges(this.store.native, rootfsPaths(this.store, c.id).upper, lowers);
  }

  /**
   * `docker commit`: the thin layer becomes a new layer on top of the
   * container's image, with the container's config (and `changes`) as the
   * new image's. A running container is frozen meanwhile unless pause is false.
   */
  async commit(
    nameOrId: string,
    options: { reference?: string; message?: string; author?: string; changes?: string[]; pause?: boolean } = {},
  ): Promise<Digest> {
    const c = this.repo.find(nameOrId);
    const ref = options.reference ? parseTaggedReference(options.reference) : undefined;
    if (ref?.digest) throw invalidArgument('invalid reference format: a commit cannot be tagged with a digest');
    const base = this.images.config(c.imageId);
    const containerConfig = applyChanges(
      {
        ...base.config,
        User: c.config.User || undefined,
        Env: c.config.Env,
        Cmd: c.config.Cmd,
        Entrypoint: c.config.Entrypoint,
        WorkingDir: c.config.WorkingDir || undefined,
        ExposedPorts: c.config.ExposedPorts,
        Volumes: c.config.Volumes ?? undefined,
        Labels: c.config.Labels,
        StopSignal: c.config.StopSignal,
      },
      options.changes ?? [],
    );
    const [{ ingestLayers, stageStream }, { TarWriter }, { writeLayerTar }] = await Promise.all([
      import('../images/layer-store.js'),
      import('../layers/tar.js'),
      import('./changes.js'),
    ]);
    const freeze = c.state.Status === 'running' && options.pause !== false;
    const cgroup = containerCgroups().open(c.id);
    if (freeze) await cgroup.freeze();
    try {
      return await this.store.lock.shared(async () => {
        const staging = this.store.makeStagingDir('commit');
        try {
          const writer = new TarWriter();
          // Both awaited together: a write that fails (a full disk) ends the staging first, and
          // alone it would be a rejection nobody handles yet, which kills the process.
          const [blob] = await Promise.all([
            stageStream(writer, path.join(staging, 'layer.tar')),
            writeLayerTar(this.store.native, rootfsPaths(this.store, c.id).upper, writer).catch((err: Error) => {
              writer.destroy(err);
              throw err;
            }),
          ]);
          const baseLayers = this.images.layers(c.imageId);
          const [layer] = await ingestLayers(this.store, staging, [blob], {
            operation: 'commit',
            base: baseLayers.length > 0 ? { diffIds: baseLayers.map((l) => l.diffId), chainId: baseLayers.at(-1)!.chainId } : undefined,
          });
          const created = new Date().toISOString();
          const history = base.history ?? baseLayers.map(() => ({ created: base.created }));
          const config: ImageConfig = {
            ...base,
            created,
            author: options.author ?? '',
            config: containerConfig,
            container: c.id,
            rootfs: { type: 'layers', diff_ids: [...base.rootfs.diff_ids, layer.diffId] },
            history: [
              ...history,
              {
                created,
                ...(options.author ? { author: options.author } : {}),
                created_by: [...(c.config.Entrypoint ?? []), ...(c.config.Cmd ?? [])].join(' '),
                ...(options.message ? { comment: options.message } : {}),
              },
            ],
          };
          if (options.message) config.comment = options.message;
          else delete config.comment;
          return this.images.record({
            configBytes: Buffer.from(JSON.stringify(config)),
            layers: [...baseLayers, layer],
            parent: c.imageId,
            tags: ref ? [qualifiedName(ref)] : [],
          });
        } finally {
          fs.rmSync(staging, { recursive: true, force: true });
        }
      });
    } finally {
      if (freeze) await cgroup.thaw();
    }
  }

  /** `docker top`: the container's processes, host and container PIDs side by side. */
  top(nameOrId: string): ProcessInfo[] {
    const c = this.repo.find(nameOrId);
    if (!isActive(c.state.Status)) throw failedPrecondition(`Container ${c.id} is not running`);
    return readProcesses(containerCgroups().open(c.id).pids());
  }

  /** One resource sample for `docker stats`; rates come from the difference of two samples. */
  stats(nameOrId: string): ContainerSample {
    const c = this.repo.find(nameOrId);
    const at = Date.now();
    if (!isActive(c.state.Status)) {
      return { id: c.id, name: c.name, at, running: false, cpuUsageNs: 0, memoryUsage: 0, memoryLimit: 0, netRx: 0, netTx: 0, blkioRead: 0, blkioWrite: 0, pids: 0 };
    }
    const s = containerCgroups().open(c.id).stats();
    const net = networkBytes(c.state.Pid);
    return {
      id: c.id,
      name: c.name,
      at,
      running: true,
      cpuUsageNs: s.cpuUsageNs,
      memoryUsage: s.memoryUsage,
      memoryLimit: s.memoryLimit > 0 && s.memoryLimit < HOST_MEMORY ? s.memoryLimit : HOST_MEMORY,
      netRx: net.rx,
      netTx: net.tx,
      blkioRead: s.blkioRead,
      blkioWrite: s.blkioWrite,
      pids: s.pids,
    };
  }

  /**
   * CPU and memory of a container by its full ID, from its cgroup alone (no row read, two or
   * three files): what a list of containers refreshes every second. Zeros when it has no cgroup.
   */
  usage(id: string): { at: number; cpuUsageNs: number; memoryUsage: number } {
    return { at: Date.now(), ...containerCgroups().open(id).usage() };
  }

  /** `docker cp`: `from` and `to` are host paths or `CONTAINER:PATH`, exactly one of each. */
  async copy(from: string, to: string, options: CopyOptions = {}): Promise<void> {
    if (from === '-' || to === '-') throw invalidArgument('copying a tar stream from standard input or to standard output ("-") is not supported');
    const split = (arg: string) => {
      const m = /^([a-zA-Z0-9][a-zA-Z0-9_.-]*):(.*)$/.exec(arg);
      return m && !arg.startsWith('/') && !arg.startsWith('.') ? { container: m[1], path: m[2] || '/' } : undefined;
    };
    const src = split(from);
    const dst = split(to);
    if ((src && dst) || (!src && !dst)) throw invalidArgument('copying between containers or between host paths is not supported: one side must be CONTAINER:PATH');
    const { copyIn, copyOut } = await import('./copy.js');
    const c = this.repo.find((src ?? dst)!.container);
    const native = this.store.native;
    const copy = (root: string, containerPath: string) =>
      src ? copyOut(native, root, c.name, containerPath, to, options) : copyIn(native, root, c.name, from, containerPath, options);
    const containerPath = (src ?? dst)!.path;
    if (isActive(c.state.Status) && c.state.Pid > 0) {
      // the files as the container sees them, through its root: its volumes, binds and tmpfs mounts too
      copy(`/proc/${c.state.Pid}/root`, containerPath);
      return;
    }
    const held = isActive(c.state.Status) ? undefined : await holdRootfs(this.store, this.images, c.id, c.imageId);
    const rootfs = held?.merged ?? rootfsPaths(this.store, c.id).merged;
    try {
      // a trailing "/" or "/." (a directory, or its contents) is kept for the copy, not for finding where the path is
      const trailing = /\/\.?$/.exec(containerPath)?.[0] ?? '';
      const where = path.posix.join('/', path.relative(rootfs, resolveInRoot(rootfs, containerPath.slice(0, containerPath.length - trailing.length), { followFinal: false })));
      // /etc/hostname, hosts and resolv.conf are bind mounts inside the container; their content lives beside it.
      const bound = src && /^\/etc\/(hostname|hosts|resolv\.conf)$/.exec(where);
      // a path under a volume or a bind is in that volume or host directory, not in the rootfs beneath the mount
      const mount = this.volumeHolding(c.id, where);
      if (bound) copyOut(native, this.repo.dir(c.id), c.name, bound[1], to, options);
      else if (mount) copy(mount.root, `${mount.path}${trailing}`);
      else copy(rootfs, containerPath);
    } finally {
      held?.release(() => this.unkept(c.id));
    }
  }

  /** The volume or bind of a container that holds container path `where` (absolute, resolved): its host directory and the path in it. */
  private volumeHolding(id: string, where: string): { root: string; path: string } | undefined {
    const volumes = new VolumeService(this.store);
    const mount = volumes
      .mountsOf(id)
      .filter((m) => m.type !== 'tmpfs' && (where === m.destination || where.startsWith(`${m.destination}/`)))
      .sort((a, b) => b.destination.length - a.destination.length)[0];
    if (!mount) return undefined;
    const root = mount.type === 'volume' ? volumes.inspect(mount.name!).Mountpoint : mount.source!;
    return { root, path: path.posix.join('/', path.posix.relative(mount.destination, where)) };
  }

  /** `docker exec`: throws StartError (126/127) when the command cannot run. */
  async exec(nameOrId: string, options: ExecOptions): Promise<ExecSession> {
    const c = this.repo.find(nameOrId);
    if (c.state.Status !== 'running') throw failedPrecondition(`container ${c.id} is not running`);
    const { execInContainer } = await import('./exec.js');
    return execInContainer(c, rootfsPaths(this.store, c.id).merged, containerCgroups().open(c.id).procsFiles(), options, this.store.native);
  }

  usedImages(): Set<Digest> {
    return new Set(this.repo.list().map((c) => c.imageId));
  }

  unmountAll(): void {
    for (const c of this.repo.list()) if (!isActive(c.state.Status)) unmountRootfs(this.store, c.id);
  }
}

/** inspect's NetworkSettings: Docker puts the primary network's address at the top level too. */
function networkSettings(c: Container, networks: Record<string, unknown>): Record<string, unknown> {
  const primary = Object.values(networks)[0] as { IPAddress?: string; Gateway?: string; IPPrefixLen?: number } | undefined;
  const ports: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  if (c.state.Running) {
    for (const key of Object.keys(c.config.ExposedPorts ?? {})) ports[key] = null;
    Object.assign(ports, c.ports);
  }
  return {
    Bridge: '',
    SandboxID: '',
    SandboxKey: c.state.Running && c.hostConfig.NetworkMode !== 'host' && c.hostConfig.NetworkMode !== 'none' && !c.hostConfig.NetworkMode.startsWith('container:') ? `/run/netns/berth-${c.id.slice(0, 16)}` : '',
    Ports: ports,
    Gateway: primary?.Gateway ?? '',
    IPAddress: primary?.IPAddress ?? '',
    IPPrefixLen: primary?.IPPrefixLen ?? 0,
    MacAddress: '',
    Networks: networks,
  };
}

/** The network half of HostConfig from create's options, checked as Docker's CLI checks them. */
function networkOptions(options: CreateOptions): Pick<HostConfig, 'NetworkMode' | 'PortBindings' | 'PublishAllPorts' | 'ExtraHosts' | 'Dns'> {
  const mode = options.network === undefined || options.network === 'default' ? 'bridge' : options.network;
  if (mode === '' || (mode.startsWith('container:') && mode.length === 'container:'.length)) throw invalidArgument(`invalid network mode "${mode}"`);
  for (const entry of options.addHost ?? []) {
    const at = entry.indexOf(':');
    if (at <= 0 || nodeNet().isIP(entry.slice(at + 1)) === 0) throw invalidArgument(`invalid argument "${entry}" for "--add-host" flag: invalid IP address in add-host: "${entry.slice(at + 1)}"`);
  }
  for (const server of options.dns ?? []) {
    if (nodeNet().isIP(server) === 0) throw invalidArgument(`invalid argument "${server}" for "--dns" flag: ${server} is not an ip address`);
  }
  const publish = options.publish ?? [];
  // As Docker: with --network host published ports are dropped; none and container: have nothing to publish from.
  if ((publish.length > 0 || options.publishAll) && (mode === 'none' || mode.startsWith('container:'))) {
    throw invalidArgument(`conflicting options: port publishing and the container type network mode`);
  }
  return {
    NetworkMode: mode,
    PortBindings: mode === 'host' ? {} : parsePublish(publish),
    PublishAllPorts: Boolean(options.publishAll) && mode !== 'host',
    ExtraHosts: options.addHost?.length ? options.addHost : null,
    Dns: options.dns?.length ? options.dns : null,
  };
}

/** Resolves true once `pid` has exited (a zombie counts: it runs no more), false at the deadline. */
async function processEnded(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return true;
    }
    if (stat[stat.lastIndexOf(')') + 2] === 'Z') return true;
    if (Date.now() >= deadline) return false;
    await sleep(2);
  }
}

async function pathGone(file: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (fs.existsSync(file)) {
    if (Date.now() >= deadline) return false;
    await sleep(2);
  }
  return true;
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  if (pid <= 0) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Alive, and really our shim for this container (not a recycled pid). */
export function shimAlive(pid: number, root: string): boolean {
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.some((a) => a.endsWith('shim.js')) && cmdline.includes(root);
  } catch {
    return false;
  }
}

function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const done = () => resolve(text.split('\n')[0].trim());
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) {
        stream.removeAllListeners('data');
        done();
      }
    });
    stream.on('end', done);
    stream.on('error', done);
  });
}
