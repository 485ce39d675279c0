/** How a shim process is started, shared by the engine and by a shim starting its spare. */
import path from 'node:path';
import { packageRoot } from '../native.js';

/** The shim's script, always the unbundled build: a shim loads only the runtime, not the CLI bundle. */
export const shimScript = path.join(packageRoot, 'dist/src/engine/runtime/shim.js');

/**
 * Node flags for a shim: small heaps and no optimizing compiler (it holds a few buffers and mostly
 * sleeps), gc on request. `--` ends Node's options: nothing after it (a store root, an id) is ever
 * read as one of Node's (Node 20 reads `--env-file` anywhere before it).
 */
export function shimArgs(script: string, args: string[]): string[] {
  return ['--expose-gc', '--lite-mode', '--max-semi-space-size=1', '--v8-pool-size=0', '--', script, ...args];
}

/**
 * The shim's environment: none of the caller's Node settings. NODE_OPTIONS (`--require x.js`) would
 * run code in a root process that outlives the caller; any NODE_* changes how Node behaves (and an
 * extra CA bundle alone costs 40 ms and 1 MB per shim).
 */
export function shimEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('NODE_')) delete env[key];
  return env;
}
