/**
 * `docker exec`: a new process in a running container, started by
 * berth-nsenter (it joins the container's namespaces and cgroup, applies the
 * same security settings, and execs). The process belongs to the caller —
 * a pty from node-pty for -t, pipes otherwise — except with detach, where it
 * runs on its own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import type { IPty } from 'node-pty';
import type { Native } from '../native.js';
import { nodeChildProcess, nodeCrypto, onFirstUse } from '../builtins.js';
import { StartError } from '../errors.js';
import type { ExitInfo } from '../runtime/attach-protocol.js';
import { hostBoundingSet } from '../runtime/capabilities.js';
import { helperPath, DEFAULT_PATH } from '../runtime/launch.js';
import { capabilitySet, renderExecSpec } from '../runtime/spec.js';
import { resolveUser } from '../runtime/users.js';
import type { Container } from './types.js';
import { mergeEnv } from './env.js';

/** node-pty, for exec -t only. */
const nodePty = onFirstUse<typeof import('node-pty')>('node-pty');

export interface ExecOptions {
  cmd: string[];
  tty?: boolean;
  interactive?: boolean;
  detach?: boolean;
  env?: string[];
  user?: string;
  workdir?: string;
  privileged?: boolean;
  cols?: number;
  rows?: number;
}

export interface ExecEvents {
  stdout: [Buffer];
  stderr: [Buffer];
  exit: [ExitInfo];
}

/** A running exec'd process, with the same surface as an attach session so faces bridge either. */
export class ExecSession extends EventEmitter<ExecEvents> {
  pid = 0;
  constructor(
    private readonly io: {
      write(data: Buffer): void;
      end(): void;
      resize(cols: number, rows: number): void;
      kill(signal: NodeJS.Signals): void;
    },
  ) {
    super();
    // Output can come before the caller has listened (it awaits exec first): hold it until someone does.
    (this as EventEmitter).once('newListener', () => setImmediate(() => this.flush()));
  }

  private held: [keyof ExecEvents, Buffer | ExitInfo][] | undefined = [];

  /** Emits now if someone listens, else holds the event, in order, for the first listener. */
  deliver(event: 'stdout' | 'stderr', data: Buffer): void;
  deliver(event: 'exit', info: ExitInfo): void;
  deliver(event: keyof ExecEvents, value: Buffer | ExitInfo): void {
    if (this.held) this.held.push([event, value]);
    else (this.emit as (e: string, v: unknown) => boolean)(event, value);
  }

  private flush(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const [event, value] of held) (this.emit as (e: string, v: unknown) => boolean)(event, value);
  }

  write(data: Buffer | string): void {
    this.io.write(typeof data === 'string' ? Buffer.from(data) : data);
  }

  endStdin(): void {
    this.io.end();
  }

  resize(cols: number, rows: number): void {
    // as the shim does for attach: a terminal that reports no size (0×0) keeps the pty's default
    if (cols > 0 && rows > 0) this.io.resize(cols, rows);
  }

  signal(name: NodeJS.Signals): void {
    this.io.kill(name);
  }

  /** An exec'd process cannot be left behind by its caller: detaching ends the caller's side only. */
  detach(): void {}
}

export async function execInContainer(
  container: Container,
  rootfs: string,
  cgroupProcs: string[],
  options: ExecOptions,
  native: Native,
): Promise<ExecSession> {
  const dir = path.join(path.dirname(rootfs), `exec-${nodeCrypto().randomBytes(6).toString('hex')}`);
  fs.mkdirSync(dir, { mode: 0o700 });
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    const user = resolveUser(native, rootfs, options.user ?? container.config.User);
    const env = mergeEnv(container.config.Env, options.env ?? []);
    const has = (key: string) => env.some((e) => e.startsWith(`${key}=`));
    if (!has('PATH')) env.unshift(`PATH=${DEFAULT_PATH}`);
    if (!has('HOSTNAME')) env.push(`HOSTNAME=${container.config.Hostname}`);
    if (!has('HOME')) env.push(`HOME=${user.home}`);
    if (options.tty && !has('TERM')) env.push('TERM=xterm');
    const privileged = options.privileged || container.hostConfig.Privileged;
    const securityOpts = container.hostConfig.SecurityOpt ?? [];
    const statusFifo = path.join(dir, 'status');
    native.mknod(statusFifo, native.S_IFIFO | 0o600, 0, 0);
    const specPath = path.join(dir, 'spec');
    fs.writeFileSync(
      specPath,
      renderExecSpec({
        statusFifo,
        target: container.state.Pid,
        cgroupProcs,
        args: options.cmd,
        env,
        cwd: options.workdir || container.config.WorkingDir || '/',
        uid: user.uid,
        gid: user.gid,
        groups: user.groups,
        caps: capabilitySet({
          capAdd: container.hostConfig.CapAdd,
          capDrop: container.hostConfig.CapDrop,
          privileged,
          host: hostBoundingSet(fs.readFileSync('/proc/self/status', 'utf8')),
        }),
        noNewPrivs: securityOpts.some((o) => /^no-new-privileges(:true|=true)?$/.test(o)),
        seccomp: privileged || securityOpts.some((o) => /^seccomp[=:]unconfined$/.test(o)) ? 'unconfined' : 'default',
      }),
      { mode: 0o600 },
    );
    const status = fs.promises.open(statusFifo, 'r');
    let session: ExecSession;
    let exited: Promise<number>;
    if (options.tty && !options.detach) {
      const pty: IPty = nodePty().spawn(helperPath('berth-nsenter'), [specPath], {
        name: 'xterm',
        cols: options.cols || 80,
        rows: options.rows || 24,
        cwd: '/',
        env: {},
      });
      // once the command has exited its pty is closed: node-pty would log each write's EBADF (stdin ending late)
      let open = true;
      session = new ExecSession({
        write: (d) => open && pty.write(d.toString('binary')),
        end: () => open && pty.write('\x04'),
        resize: (c, r) => open && pty.resize(c, r),
        kill: (s) => pty.kill(s),
      });
      pty.onData((d) => session.deliver('stdout', Buffer.from(d, 'binary')));
      exited = new Promise((resolve) =>
        pty.onExit(({ exitCode, signal }) => {
          open = false;
          resolve(signal ? 128 + signal : exitCode);
        }),
      );
    } else {
      const child = nodeChildProcess().spawn(helperPath('berth-nsenter'), [specPath], {
        stdio: options.detach ? 'ignore' : [options.interactive ? 'pipe' : 'ignore', 'pipe', 'pipe'],
        detached: options.detach,
        env: {},
      });
      session = new ExecSession({
        write: (d) => child.stdin?.write(d),
        end: () => child.stdin?.end(),
        resize: () => {},
        kill: (s) => child.kill(s),
      });
      child.stdin?.on('error', () => {});
      child.stdout?.on('data', (d: Buffer) => session.deliver('stdout', d));
      child.stderr?.on('data', (d: Buffer) => session.deliver('stderr', d));
      exited = new Promise((resolve) => child.on('close', (code, signal) => resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15))));
      if (options.detach) child.unref();
    }
    void exited.then(() => fs.promises.open(statusFifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK).then((h) => h.close(), () => {}));
    const handle = await status;
    const text = await handle.readFile('utf8').finally(() => handle.close());
    const errorLine = /^error (\d+) (.*)$/m.exec(text);
    if (errorLine) {
      await exited;
      cleanup();
      throw new StartError(Number(errorLine[1]), errorLine[2]);
    }
    session.pid = Number(/^pid (\d+)$/m.exec(text)?.[1] ?? 0);
    void exited.then((code) => {
      cleanup();
      session.deliver('exit', { code, oomKilled: false });
    });
    return session;
  } catch (err) {
    cleanup();
    throw err;
  }
}
