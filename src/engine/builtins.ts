/**
 * Node built-ins that only some operations use, loaded on first use. At the
 * top of the engine's modules they would load in every command (the CLI
 * bundle initialises the whole engine): net (with stream), child_process and
 * dgram are ~15 ms of a `berth rm` that uses none of them. node:crypto is
 * the same story, in digest.ts.
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

let net: typeof import('node:net') | undefined;
let childProcess: typeof import('node:child_process') | undefined;
let dgram: typeof import('node:dgram') | undefined;

export function nodeNet(): typeof import('node:net') {
  return (net ??= load('node:net') as typeof import('node:net'));
}

export function nodeChildProcess(): typeof import('node:child_process') {
  return (childProcess ??= load('node:child_process') as typeof import('node:child_process'));
}

export function nodeDgram(): typeof import('node:dgram') {
  return (dgram ??= load('node:dgram') as typeof import('node:dgram'));
}
