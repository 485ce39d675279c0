/**
 * Image references as Docker understands them: [domain/]path[:tag][@digest].
 * Stored fully qualified (docker.io/library/busybox:latest); shown familiar
 * (busybox:latest), as `docker images` does.
 */
import { invalidArgument } from '../errors.js';
import { isDigest, type Digest } from '../digest.js';

export const DEFAULT_DOMAIN = 'docker.io';
export const DEFAULT_TAG = 'latest';

export interface Reference {
  /** registry host[:port] */
  domain: string;
  /** repository path within the registry, e.g. library/busybox */
  path: string;
  tag?: string;
  digest?: Digest;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DOMAIN_COMPONENT = /^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])$/;

function isDomain(part: string): boolean {
  if (part === 'localhost') return true;
  if (!part.includes('.') && !part.includes(':')) return false;
  if (part.startsWith('[')) return /^\[[0-9A-Fa-f:.]+\](?::\d+)?$/.test(part);
  const [host, port, ...rest] = part.split(':');
  if (rest.length > 0 || (port !== undefined && !/^\d+$/.test(port))) return false;
  return host.split('.').every((c) => DOMAIN_COMPONENT.test(c));
}

/** Parses a reference, throwing Docker's "invalid reference format" wording on bad input. */
export function parseReference(input: string): Reference {
  let rest = input;
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const d = rest.slice(at + 1);
    if (!isDigest(d)) throw invalidArgument(`invalid reference format: "${input}" has a bad digest`);
    digest = d;
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > rest.lastIndexOf('/')) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) throw invalidArgument(`invalid reference format: "${input}" has a bad tag`);
  }
  if (rest === '' || input.length > 255) throw invalidArgument(`invalid reference format: "${input}"`);
  const parts = rest.split('/');
  let domain = DEFAULT_DOMAIN;
  if (parts.length > 1 && isDomain(parts[0])) domain = parts.shift()!;
  for (const part of parts) {
    if (!COMPONENT.test(part)) {
      if (part.toLowerCase() !== part && COMPONENT.test(part.toLowerCase())) {
        throw invalidArgument(`invalid reference format: repository name (${rest}) must be lowercase`);
      }
      throw invalidArgument(`invalid reference format: "${input}"`);
    }
  }
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && parts.length === 1) parts.unshift('library');
  return { domain, path: parts.join('/'), tag, digest };
}

/** Like parseReference, but a reference without tag or digest gets `latest`. */
export function parseTaggedReference(input: string): Reference {
  const ref = parseReference(input);
  if (!ref.tag && !ref.digest) ref.tag = DEFAULT_TAG;
  return ref;
}

export function repositoryName(ref: Reference): string {
  return `${ref.domain}/${ref.path}`;
}

/** docker.io/library/busybox:latest */
export function qualifiedName(ref: Reference): string {
  return repositoryName(ref) + (ref.tag ? `:${ref.tag}` : '') + (ref.digest ? `@${ref.digest}` : '');
}

/** busybox, localhost:5000/app — what `docker images` shows as REPOSITORY. */
export function familiarRepository(ref: Reference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return repositoryName(ref);
  return ref.path.startsWith('library/') && ref.path.split('/').length === 2 ? ref.path.slice('library/'.length) : ref.path;
}

export function familiarName(ref: Reference): string {
  return familiarRepository(ref) + (ref.tag ? `:${ref.tag}` : '') + (ref.digest ? `@${ref.digest}` : '');
}
