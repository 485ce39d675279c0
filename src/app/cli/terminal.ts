/**
 * Connects the user's terminal to an attach session: raw mode for TTY
 * containers, resize on SIGWINCH, detach keys, and the terminal restored
 * exactly as it was on every way out.
 */
import type { EventEmitter } from 'node:events';
import type { ExitInfo } from '../../engine/runtime/attach-protocol.js';
import { DetachKeyMatcher, parseDetachKeys, DEFAULT_DETACH_KEYS } from '../detach-keys.js';

export type AttachOutcome = { kind: 'exit'; exit: ExitInfo } | { kind: 'detached' } | { kind: 'error'; code: number; message: string } | { kind: 'lost' };

export interface TerminalOptions {
  tty: boolean;
  /** forward our stdin to the container */
  stdin: boolean;
  detachKeys?: string;
  /** forward SIGINT/SIGTERM… to the container when not a TTY (Docker's --sig-proxy) */
  sigProxy?: boolean;
}

/** What both an attach session and an exec session offer. */
export interface TerminalSession extends EventEmitter {
  write(data: Buffer | string): void;
  endStdin(): void;
  resize(cols: number, rows: number): void;
  signal(name: NodeJS.Signals): void;
  detach(): void;
}

export function bridgeTerminal(session: TerminalSession, options: TerminalOptions): Promise<AttachOutcome> {
  const stdin = process.stdin;
  const stdout = process.stdout;
  const raw = options.tty && options.stdin && stdin.isTTY;
  const matcher = new DetachKeyMatcher(parseDetachKeys(options.detachKeys ?? DEFAULT_DETACH_KEYS));
  return new Promise((resolve) => {
    const cleanups: (() => void)[] = [];
    let settled = false;
    const finish = (outcome: AttachOutcome) => {
      if (settled) return;
      settled = true;
      for (const undo of cleanups.reverse()) undo();
      resolve(outcome);
    };
    // A reader that went away (`berth run … | head -1`) gets no more output; the container runs on to its exit code.
    const gone = { stdout: false, stderr: false };
    const stdoutGone = () => (gone.stdout = true);
    const stderrGone = () => (gone.stderr = true);
    stdout.on('error', stdoutGone);
    process.stderr.on('error', stderrGone);
    cleanups.push(() => {
      stdout.off('error', stdoutGone);
      process.stderr.off('error', stderrGone);
    });
    session.on('stdout', (data: Buffer) => gone.stdout || stdout.write(data));
    session.on('stderr', (data: Buffer) => gone.stderr || process.stderr.write(data));
    session.on('exit', (exit: ExitInfo) => finish({ kind: 'exit', exit }));
    session.on('error', (e: { code: number; message: string }) => finish({ kind: 'error', code: e.code, message: e.message }));
    session.on('close', () => finish({ kind: 'lost' }));
    if (raw) {
      stdin.setRawMode(true);
      cleanups.push(() => stdin.setRawMode(false));
    }
    if (options.tty && stdout.isTTY) {
      const resize = () => session.resize(stdout.columns, stdout.rows);
      resize();
      stdout.on('resize', resize);
      cleanups.push(() => stdout.off('resize', resize));
    }
    if (options.stdin) {
      const onData = (input: Buffer | string) => {
        // Ink sets an encoding on stdin; detach keys are matched on bytes.
        const chunk = typeof input === 'string' ? Buffer.from(input) : input;
        const { forward, detach } = options.tty ? matcher.feed(chunk) : { forward: chunk, detach: false };
        if (forward.length > 0) session.write(forward);
        if (detach) {
          session.detach();
          finish({ kind: 'detached' });
        }
      };
      const onEnd = () => session.endStdin();
      stdin.on('data', onData);
      stdin.on('end', onEnd);
      stdin.resume();
      cleanups.push(() => {
        stdin.off('data', onData);
        stdin.off('end', onEnd);
        stdin.pause();
      });
    }
    if (options.sigProxy !== false && !options.tty) {
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const) {
        const forward = () => session.signal(sig);
        process.on(sig, forward);
        cleanups.push(() => process.off(sig, forward));
      }
    }
  });
}
