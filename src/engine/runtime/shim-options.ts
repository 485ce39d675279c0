/** How a shim process is started, shared by the engine and by a shim starting its spare. */
import path from 'node:path';
import { packageRoot } from '../native.js';

/** The shim's script, always the unbundled build: a shim loads only the runtime, not the CLI bundle. */
export const shimScript = path.join(packageRoot, 'dist/src/engine/runtime/shim.js');

/** Node flags for a shim: small heaps and no optimizing compiler (it holds a few buffers and mostly sleeps), gc on request. */
export function shimArgs(script: string, args: string[]): string[] {
  return ['--expose-gc', '--lite-mode', '--max-semi-space-size=1', '--v8-pool-size=0', script, ...args];
}

/** The shim's environment: none of the caller's Node settings (an extra CA bundle alone costs 40 ms and 1 MB per shim). */
export function shimEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_OPTIONS;
  return env;
}

