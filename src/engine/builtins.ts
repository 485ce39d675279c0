/**
 * Node built-ins that only some operations use, loaded on first use. At the
 * top of the engine's modules they would load in every command (the CLI
 * bundle initialises the whole engine): net (with stream), crypto,
 * child_process and dgram are ~20 ms of a `berth rm` that uses none of them,
 * and node:crypto alone ~0.8 MB in every shim, which never hashes anything.
 *
 * Loaded with require, as are the packages berth loads late (onFirstUse): the
 * CLI and TUI bundles run from V8's code cache under vm.Script, where a
 * dynamic import() fails once the cache is in use. Node ≥ 20.19 requires ES
 * modules too.
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

/** A module (a built-in or a package) loaded by the first call. */
export function onFirstUse<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load(id) as T);
}

export const nodeNet = onFirstUse<typeof import('node:net')>('node:net');
export const nodeCrypto = onFirstUse<typeof import('node:crypto')>('node:crypto');
export const nodeChildProcess = onFirstUse<typeof import('node:child_process')>('node:child_process');
export const nodeDgram = onFirstUse<typeof import('node:dgram')>('node:dgram');
