import path from 'node:path';
import type { Engine } from '../../engine/engine.js';
import type { Container } from '../../engine/containers/types.js';
import { attach } from '../../engine/containers/attach-client.js';
import { StartError } from '../../engine/errors.js';
import { bridgeTerminal } from './terminal.js';

/**
 * `run` without -d and `start -a`: a held start, then this terminal bridged to
 * the container until it exits (its code), is detached from (0) or fails to
 * start (StartError with Docker's 125/126/127).
 */
export async function startAttached(engine: Engine, container: Container, options: AttachTerminalOptions): Promise<number> {
  await engine.containers.start(container.id, { hold: true });
  return attachTerminal(engine, container, options);
}

export interface AttachTerminalOptions {
  stdin: boolean;
  detachKeys?: string;
  sigProxy?: boolean;
}

/** This terminal bridged to a running (or held) container; see startAttached for the exit code. */
export async function attachTerminal(engine: Engine, container: Container, options: AttachTerminalOptions): Promise<number> {
  const session = await attach(path.join(engine.store.root, 'containers', container.id), {
    stdin: options.stdin,
    stdout: true,
    stderr: true,
    cols: process.stdout.columns,
    rows: process.stdout.rows,
  });
  const outcome = await bridgeTerminal(session, {
    tty: container.config.Tty,
    stdin: options.stdin,
    detachKeys: options.detachKeys,
    sigProxy: options.sigProxy,
  });
  switch (outcome.kind) {
    case 'exit':
      return outcome.exit.code;
    case 'detached':
      return 0;
    case 'error':
      throw new StartError(outcome.code, outcome.message);
    case 'lost':
      return await engine.containers.wait(container.id).catch(() => 125);
  }
}
