/**
 * The shim: one small process per running container (DESIGN §2.2), started
 * detached by the engine as `node shim.js <root> <id> [--hold]`. It starts the
 * container's process through berth-init, holds its pty or pipes, writes the
 * json-file log, serves attach clients on containers/<id>/attach.sock,
 * records the exit in the store, applies the restart policy and --rm, and
 * then exits. The container outlives whatever started it.
 *
 * To the engine it reports exactly one line on stdout, then closes it:
 * `ready` (with --hold: waiting for the first attach client to start),
 * `started <pid>`, or `error <exit code> <message>`.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IPty } from 'node-pty';
import { loadNative } from '../native.js';
import { Store } from '../store/store.js';
import { ImageService } from '../images/service.js';
import { ContainerRepository, writeAtomic } from '../containers/repository.js';
import { removeContainerDirectory, removeContainerFiles } from '../containers/remove.js';
import { ZERO_TIME, type Container } from '../containers/types.js';
import { Frame, FrameDecoder, encodeFrame, socketAddress, type ExitInfo, type Hello } from './attach-protocol.js';
import { JsonLogWriter, parseByteSize } from './json-log.js';
import { prepareLaunch, releaseLaunch, type PreparedLaunch } from './launch.js';
import { helperErrorMessage } from './spec.js';
import { shimArgs, shimEnv, shimScript } from './shim-options.js';
import type { PortProxies } from './port-proxy.js';
import { bindingsToOpen } from '../networks/ports.js';
import { isOutOfSpace, plainMessage } from '../errors.js';

interface Client {
  socket: net.Socket;
  hello?: Hello;
}

/** What a launch attempt ended in. */
type LaunchResult = { ok: true; pid: number } | { ok: false; code: number; message: string };

class Shim {
  private readonly clients = new Set<Client>();
  private readonly repo: ContainerRepository;
  private readonly images: ImageService;
  private server?: net.Server;
  private pty?: IPty;
  private child?: ChildProcess;
  private log?: JsonLogWriter;
  private ports?: PortProxies;
  private pid = 0;
  private firstClient?: () => void;
  /** The last state change written to the row (or waiting for room to be). */
  private recorded: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly id: string,
  ) {
    this.repo = new ContainerRepository(store);
    this.images = new ImageService(store);
  }

  private get dir(): string {
    return this.repo.dir(this.id);
  }

  async listen(): Promise<void> {
    fs.rmSync(path.join(this.dir, 'attach.sock'), { force: true });
    this.server = net.createServer((socket) => this.accept(socket));
    const address = socketAddress(this.dir, 'attach.sock');
    try {
      await new Promise<void>((resolve, reject) => {
        this.server!.once('error', reject);
        this.server!.listen(address.path, () => resolve());
      });
    } finally {
      address.close();
    }
    fs.chmodSync(path.join(this.dir, 'attach.sock'), 0o600);
  }

  waitForFirstClient(timeoutMs: number): Promise<void> {
    if ([...this.clients].some((c) => c.hello)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.firstClient = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private accept(socket: net.Socket): void {
    const client: Client = { socket };
    this.clients.add(client);
    const decoder = new FrameDecoder((type, payload) => this.onFrame(client, type, payload));
    socket.on('data', (chunk) => decoder.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.clients.delete(client);
      if (client.hello?.stdin && this.container().config.StdinOnce) this.closeStdin();
    });
  }

  private onFrame(client: Client, type: Frame, payload: Buffer): void {
    switch (type) {
      case Frame.Hello:
        client.hello = JSON.parse(payload.toString()) as Hello;
        if (client.hello.cols && client.hello.rows) this.resize(client.hello.cols, client.hello.rows);
        if (this.pid) client.socket.write(encodeFrame(Frame.Started, JSON.stringify({ pid: this.pid })));
        this.firstClient?.();
        this.firstClient = undefined;
        break;
      case Frame.Stdin:
        this.writeStdin(payload);
        break;
      case Frame.StdinEof:
        this.closeStdin();
        break;
      case Frame.Resize: {
        const { cols, rows } = JSON.parse(payload.toString()) as { cols: number; rows: number };
        this.resize(cols, rows);
        break;
      }
      case Frame.Signal:
        if (this.pid) {
          try {
            process.kill(this.pid, payload.toString() as NodeJS.Signals);
          } catch {
            // already gone
          }
        }
        break;
      default:
        break;
    }
  }

  /** Input typed before the process runs (a held start) waits here rather than being lost. */
  private pendingStdin: Buffer[] = [];

  private writeStdin(data: Buffer): void {
    if (this.pty) this.pty.write(data.toString('binary'));
    else if (this.child?.stdin) this.child.stdin.write(data);
    else this.pendingStdin.push(data);
  }

  private flushPendingStdin(): void {
    const pending = this.pendingStdin;
    this.pendingStdin = [];
    for (const data of pending) this.writeStdin(data);
  }

  private resize(cols: number, rows: number): void {
    if (this.pty && cols > 0 && rows > 0) this.pty.resize(cols, rows);
  }

  /**
   * A pipe's stdin really closes. A terminal has no end of input to give: the
   * client's going away (detach, a killed CLI) must not type ctrl-d into the
   * container's shell, so for a TTY this does nothing, as with Docker.
   */
  private closeStdin(): void {
    if (!this.pty) this.child?.stdin?.end();
  }

  private broadcast(type: Frame, payload: Buffer | string, stream?: 'stdout' | 'stderr'): void {
    const frame = encodeFrame(type, payload);
    for (const client of this.clients) {
      if (!client.hello || client.hello.watchOnly) {
        if (type === Frame.Exit || type === Frame.Started || type === Frame.Error) client.socket.write(frame);
        continue;
      }
      if (stream && !client.hello[stream]) continue;
      client.socket.write(frame);
    }
  }

  private container(): Container {
    return this.repo.find(this.id);
  }

  /** Starts the container's process once; resolves with its pid or the error berth-init reported. */
  async launch(): Promise<{ result: LaunchResult; exited: Promise<ExitInfo> }> {
    const container = this.container();
    let prepared: PreparedLaunch;
    try {
      prepared = await prepareLaunch(this.store, this.images, container, loadNative());
      await this.publishPorts(container, prepared.address);
    } catch (err) {
      // one line, and no path of the store's (a failed write names the file it was writing)
      const message = plainMessage(err).split(`${this.dir}/`).join('').split(`${this.store.root}/`).join('');
      return { result: { ok: false, code: 125, message }, exited: Promise.resolve({ code: 125, oomKilled: false, error: message }) };
    }
    const logOpts = container.hostConfig.LogConfig.Config;
    this.log ??= new JsonLogWriter(
      path.join(this.dir, `${this.id}-json.log`),
      logOpts['max-size'] ? parseByteSize(logOpts['max-size']) : 0,
      logOpts['max-file'] ? Number(logOpts['max-file']) : 1,
    );
    const log = this.log;
    const status = fs.promises.open(prepared.statusFifo, 'r');
    let exitResolve!: (code: number) => void;
    const exitCode = new Promise<number>((resolve) => (exitResolve = resolve));
    if (container.config.Tty) {
      const [cols, rows] = container.hostConfig.ConsoleSize ?? [80, 24];
      // node-pty loads only for TTY containers: a shim keeping pipes stays smaller.
      const { default: nodePty } = await import('node-pty');
      this.pty = nodePty.spawn(prepared.initPath, [prepared.specPath], {
        name: 'xterm',
        cols: cols || 80,
        rows: rows || 24,
        cwd: '/',
        env: {},
      });
      this.pty.onData((data) => {
        log.write('stdout', data);
        this.broadcast(Frame.Stdout, Buffer.from(data, 'binary'), 'stdout');
      });
      this.pty.onExit(({ exitCode: code, signal }) => exitResolve(signal ? 128 + signal : code));
    } else {
      const child = spawn(prepared.initPath, [prepared.specPath], {
        stdio: [container.config.OpenStdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
        env: {},
      });
      this.child = child;
      child.stdin?.on('error', () => {});
      for (const stream of ['stdout', 'stderr'] as const) {
        child[stream]!.on('data', (chunk: Buffer) => {
          log.write(stream, chunk.toString());
          this.broadcast(stream === 'stdout' ? Frame.Stdout : Frame.Stderr, chunk, stream);
        });
      }
      let outputsOpen = 2;
      let code: number | undefined;
      const settle = () => {
        if (outputsOpen === 0 && code !== undefined) exitResolve(code);
      };
      for (const stream of ['stdout', 'stderr'] as const) {
        child[stream]!.on('close', () => {
          outputsOpen--;
          settle();
        });
      }
      child.on('exit', (c, signal) => {
        code = c ?? 128 + (signal ? (os.constants.signals[signal] ?? 9) : 9);
        settle();
      });
    }
    // If berth-init dies before opening the FIFO, open it ourselves so the read ends.
    void exitCode.then(() => fs.promises.open(prepared.statusFifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK).then((h) => h.close(), () => {}));
    const text = await (await status).readFile('utf8').finally(() => status.then((h) => h.close()));
    const pidLine = /^pid (\d+)$/m.exec(text);
    const errorLine = /^error (\d+) (.*)$/m.exec(text);
    const exited = exitCode.then((code): ExitInfo => {
      log.flush();
      return { code, oomKilled: prepared.cgroup.oomKilled() };
    });
    if (errorLine || !pidLine) {
      const code = errorLine ? Number(errorLine[1]) : 125;
      const message = errorLine ? helperErrorMessage(errorLine[2], prepared.specPath) : 'container init exited before starting the process';
      await exited;
      return { result: { ok: false, code, message }, exited: Promise.resolve({ code, oomKilled: false, error: message }) };
    }
    this.pid = Number(pidLine[1]);
    const startedAt = new Date().toISOString();
    // The process runs whether or not the disk has room to say so: recorded when it does.
    this.recorded = whenSpace(() =>
      this.repo.update(this.id, { status: 'running', pid: this.pid, startedAt, exitCode: 0, oomKilled: false, error: '' }),
    );
    this.broadcast(Frame.Started, JSON.stringify({ pid: this.pid }));
    this.flushPendingStdin();
    return { result: { ok: true, pid: this.pid }, exited };
  }

  /** -p and -P: listening before the process starts, so a taken host port fails the start. */
  private async publishPorts(container: Container, address: string | undefined): Promise<void> {
    const { hostConfig, config } = container;
    const wanted = bindingsToOpen(hostConfig.PortBindings ?? {}, Object.keys(config.ExposedPorts ?? {}), Boolean(hostConfig.PublishAllPorts));
    if (wanted.length === 0 || !address) return;
    const { PortProxies } = await import('./port-proxy.js'); // net and dgram relays only in shims that publish
    this.ports = await PortProxies.open(wanted, address, `${container.name} (${container.id.slice(0, 12)})`);
    this.repo.setPorts(this.id, this.ports.published);
  }

  /** Stops relaying published ports (the process is gone or never started). */
  async closePorts(): Promise<void> {
    if (!this.ports) return;
    this.ports.close();
    this.ports = undefined;
    await whenSpace(() => this.repo.setPorts(this.id, {}));
  }

  /**
   * After the process ends, or failed to start (`launched` false): record it. A container whose
   * process never started stays Created, its exit code and error recorded, as Docker keeps it.
   */
  async recordExit(exit: ExitInfo, launched: boolean): Promise<void> {
    this.pid = 0;
    this.pty = undefined;
    this.child = undefined;
    await this.recorded;
    const neverStarted = !launched && (this.repo.maybeFind(this.id)?.state.StartedAt ?? ZERO_TIME) === ZERO_TIME;
    const finishedAt = new Date().toISOString();
    await whenSpace(() =>
      this.repo.update(this.id, {
        status: neverStarted ? 'created' : 'exited',
        pid: 0,
        exitCode: exit.code,
        oomKilled: exit.oomKilled,
        error: exit.error ?? '',
        ...(neverStarted ? {} : { finishedAt }),
      }),
    );
  }

  announceError(code: number, message: string): void {
    this.broadcast(Frame.Error, JSON.stringify({ code, message }));
  }

  announceExit(exit: ExitInfo): void {
    this.broadcast(Frame.Exit, JSON.stringify(exit));
  }

  /** Docker's restart policies; a container stopped by the user is never restarted. */
  shouldRestart(exit: ExitInfo, attempts: number): boolean {
    const container = this.repo.maybeFind(this.id);
    if (!container || container.stoppedByUser || exit.error) return false;
    const policy = container.hostConfig.RestartPolicy;
    switch (policy.Name) {
      case 'always':
      case 'unless-stopped':
        return true;
      case 'on-failure':
        return exit.code !== 0 && (policy.MaximumRetryCount <= 0 || attempts < policy.MaximumRetryCount);
      default:
        return false;
    }
  }

  async close(): Promise<void> {
    this.log?.close();
    for (const client of this.clients) client.socket.end();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    fs.rmSync(path.join(this.dir, 'attach.sock'), { force: true });
  }
}

/** How the shim answers whoever asked it to start a container: one line, then it stops talking. */
type Reporter = (line: string) => void;

const SPACE_RETRY_MS = 1_000;

/**
 * Runs `write`, a change the row must get (a start, an exit, the shim letting
 * go), again every second while the disk is full: a full disk delays what the
 * store says about a container, it never loses it or takes the shim down.
 */
async function whenSpace<T>(write: () => T | Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await write();
    } catch (err) {
      if (!isOutOfSpace(err)) throw err;
    }
    await sleep(SPACE_RETRY_MS);
  }
}

/** Keeps container `id` from launch to exit (and through restarts), then tidies up. */
async function keep(store: Store, id: string, hold: boolean, report: Reporter): Promise<void> {
  const repo = new ContainerRepository(store);
  let claimed: boolean;
  try {
    claimed = repo.claimShim(id, process.pid);
  } catch (err) {
    report(`error 125 ${plainMessage(err)}`);
    return;
  }
  if (!claimed) {
    report('error 125 the container is already being started by another shim');
    return;
  }
  const shim = new Shim(store, id);
  let reported = false;
  try {
    await shim.listen();
    if (hold) {
      report('ready');
      reported = true;
      await shim.waitForFirstClient(30_000);
    }
    let attempts = 0;
    let settle: NodeJS.Timeout | undefined;
    for (;;) {
      const { result, exited } = await shim.launch();
      if (!reported) {
        report(result.ok ? `started ${result.pid}` : `error ${result.code} ${result.message}`);
        reported = true;
      }
      if (attempts === 0) {
        await ensureSpare(store.root);
        // Not at once: seven full collections take ~50 ms, which a `run --rm true` would wait for.
        settle = setTimeout(() => settleIdle(store), SETTLE_AFTER_MS).unref();
      }
      if (!result.ok) shim.announceError(result.code, result.message);
      const exit = await exited;
      clearTimeout(settle);
      await shim.closePorts();
      await whenSpace(() => releaseLaunch(store, id));
      if (!repo.maybeFind(id)) {
        shim.announceExit(exit); // `rm -f` took the row as soon as PID 1 was dead; the files go in `finally`
        break;
      }
      await shim.recordExit(exit, result.ok);
      const restart = result.ok && shim.shouldRestart(exit, attempts);
      if (!restart) {
        // --rm: gone before anyone hears of the exit, so `run --rm` returns with nothing left in `ps -a`.
        const container = repo.maybeFind(id);
        if (container?.hostConfig.AutoRemove) await whenSpace(() => removeContainerFiles(store, container, loadNative(), { volumes: true }));
        shim.announceExit(exit);
        break;
      }
      shim.announceExit(exit);
      attempts++;
      await whenSpace(() => repo.update(id, { status: 'restarting', restartCount: attempts }));
      await sleep(Math.min(100 * 2 ** (attempts - 1), 60_000));
      const current = repo.maybeFind(id);
      if (!current || current.stoppedByUser) {
        if (current) await whenSpace(() => repo.update(id, { status: 'exited' }));
        break;
      }
    }
  } catch (err) {
    if (!reported) report(`error 125 ${plainMessage(err)}`);
    try {
      fs.appendFileSync(path.join(repo.dir(id), 'shim.log'), `${new Date().toISOString()} ${(err as Error).stack}\n`);
    } catch {
      // no room for it either: the report above is all there is
    }
  } finally {
    await shim.close();
    const container = repo.maybeFind(id);
    if (!(await whenSpace(() => repo.releaseShim(id)))) removeContainerDirectory(store, id); // removed while kept (`rm -f`): the files are left to us
    else if (container?.hostConfig.AutoRemove) await whenSpace(() => removeContainerFiles(store, container, loadNative(), { volumes: true }));
  }
}

/**
 * The spare: a shim started ahead of time, with Node and its modules already
 * loaded, waiting on <root>/spare.sock for `take <id> [hold]`. Node's own
 * start-up (~40 ms) then never sits on a container's start path. It takes one
 * container, starts its own replacement once that container runs, and exits
 * by itself after BERTH_SPARE_IDLE_MS (default 5 minutes) unused.
 */
async function spare(store: Store): Promise<void> {
  const socketPath = spareSocket(store.root);
  // One spare per store: the one holding spare.lock. Others started at the same moment just leave.
  const lockFd = fs.openSync(path.join(store.root, 'spare.lock'), 'w', 0o600);
  if (!store.native.flock(lockFd, store.native.LOCK_EX | store.native.LOCK_NB)) {
    fs.closeSync(lockFd);
    return;
  }
  fs.rmSync(socketPath, { force: true });
  const server = net.createServer();
  const address = socketAddress(store.root, 'spare.sock');
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(address.path, () => resolve());
    });
  } finally {
    address.close();
  }
  fs.chmodSync(socketPath, 0o600);
  try {
    // Whole or not at all: an empty pid file would name no process to whoever stops the spare.
    writeAtomic(path.join(store.root, 'spare.pid'), String(process.pid));
  } catch (err) {
    server.close();
    fs.rmSync(socketPath, { force: true });
    fs.closeSync(lockFd);
    if (isOutOfSpace(err)) return; // no spare on a full disk: a start spawns its own shim
    throw err;
  }
  const idle = Number(process.env.BERTH_SPARE_IDLE_MS || 300_000);
  let taken = false;
  const pending = new Set<net.Socket>();
  const job = await new Promise<{ id: string; hold: boolean; socket: net.Socket } | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), idle);
    server.on('connection', (socket) => {
      // Only one asker wins; everyone else is told no at once (by closing) and starts a shim of its own.
      if (taken) {
        socket.destroy();
        return;
      }
      let text = '';
      pending.add(socket);
      socket.on('close', () => pending.delete(socket));
      socket.on('data', (chunk) => {
        text += chunk.toString();
        const match = /^take ([0-9a-f]{64})( hold)?\n/.exec(text);
        if (!match) return;
        if (taken) {
          socket.destroy();
          return;
        }
        taken = true;
        clearTimeout(timer);
        for (const other of pending) if (other !== socket) other.destroy();
        resolve({ id: match[1], hold: Boolean(match[2]), socket });
      });
      socket.on('error', () => {});
    });
  });
  // Taken or idle: either way this process is no longer the spare.
  server.close();
  fs.rmSync(socketPath, { force: true });
  fs.rmSync(path.join(store.root, 'spare.pid'), { force: true });
  fs.closeSync(lockFd);
  if (!job) return;
  await keep(store, job.id, job.hold, (line) => {
    job.socket.end(`${line}\n`);
  });
}

function spareSocket(root: string): string {
  return path.join(root, 'spare.sock');
}

function spareListening(socketPath: string): Promise<boolean> {
  const address = socketAddress(path.dirname(socketPath), path.basename(socketPath));
  return new Promise<boolean>((resolve) => {
    const probe = net.connect(address.path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  }).finally(() => address.close());
}

/** Starts a spare for the next container unless one is there or spares are off (BERTH_SPARE_SHIM=0). */
async function ensureSpare(root: string): Promise<void> {
  if (process.env.BERTH_SPARE_SHIM === '0' || (await spareListening(spareSocket(root)))) return;
  spawn(process.execPath, shimArgs(shimScript, [root, '--spare']), { detached: true, stdio: 'ignore', cwd: '/', env: shimEnv() }).unref();
}

/**
 * A shim lives as long as its container, idle nearly all the time: once the
 * process runs, shrink what the start-up left behind (SQLite's page cache,
 * garbage) so each running container costs as little memory as it can.
 */
const SETTLE_AFTER_MS = 2_000;

function settleIdle(store: Store): void {
  store.release();
  // V8 drops a function's bytecode once it has gone unused through several
  // full collections (--bytecode-old-age, 5): the start-up code (launch,
  // image lookup, SQLite statements) runs once, so age it out now (~0.6 MB).
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let round = 0; round < 7; round++) gc?.();
}

async function main(argv: string[]): Promise<number> {
  const [root, idOrMode, ...flags] = argv;
  const report: Reporter = (line) => {
    try {
      fs.writeSync(1, `${line}\n`);
      fs.closeSync(1);
    } catch {
      // the starter went away; the container runs on regardless
    }
  };
  let store: Store;
  try {
    store = Store.open(root, loadNative());
  } catch (err) {
    if (idOrMode !== '--spare') report(`error 125 ${plainMessage(err)}`);
    return 1;
  }
  try {
    if (idOrMode === '--spare') await spare(store);
    else await keep(store, idOrMode, flags.includes('--hold'), report);
  } finally {
    store.close();
  }
  return 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
