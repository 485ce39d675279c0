import type { Hash } from 'node:crypto';
import { invalidArgument } from './errors.js';
import { nodeCrypto } from './builtins.js';

/** "sha256:<64 hex>" */
export type Digest = `sha256:${string}`;

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

export function isDigest(value: string): value is Digest {
  return DIGEST_RE.test(value);
}

export function parseDigest(value: string): Digest {
  if (!isDigest(value)) throw invalidArgument(`invalid digest "${value}": expected sha256:<64 hex digits>`);
  return value;
}

export function sha256(data: string | Uint8Array): Digest {
  return `sha256:${nodeCrypto().createHash('sha256').update(data).digest('hex')}`;
}

export function digestOf(hash: Hash): Digest {
  return `sha256:${hash.digest('hex')}`;
}

export function hexOf(digest: Digest): string {
  return digest.slice('sha256:'.length);
}

/** ChainID per the OCI image spec: ChainID(L0) = DiffID(L0); ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)). */
export function chainIds(diffIds: readonly Digest[]): Digest[] {
  const out: Digest[] = [];
  for (const diffId of diffIds) {
    out.push(out.length === 0 ? diffId : sha256(`${out[out.length - 1]} ${diffId}`));
  }
  return out;
}
