/** Ordering a container's mounts; apart from ./launch.ts so a shim whose container has no volumes loads none of that. */
import type { SpecMount } from '../runtime/spec.js';

/**
 * The engine's own mounts (/etc/hostname, hosts, resolv.conf) with the
 * user's: a user mount at the same path replaces the engine's, and all are
 * ordered by depth (stable), so /data comes before /data/sub whatever the
 * order they were given in (Docker sorts them the same way).
 */
export function mergeMounts(builtin: SpecMount[], user: SpecMount[]): SpecMount[] {
  const userTargets = new Set(user.map((m) => m.target));
  const depth = (m: SpecMount) => m.target.split('/').filter(Boolean).length;
  return [...builtin.filter((m) => !userTargets.has(m.target)), ...user]
    .map((m, i) => ({ m, i }))
    .sort((a, b) => depth(a.m) - depth(b.m) || a.i - b.i)
    .map(({ m }) => m);
}
