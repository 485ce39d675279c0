/** Published ports as Docker's CLI spells them, and which host ports a start opens. */
import { nodeNet } from '../builtins.js';
import { invalidArgument } from '../errors.js';

export interface PortBinding {
  containerPort: number;
  proto: 'tcp' | 'udp';
  hostIp: string;
  /** 0: any free port (`-P`, `-p 80`) */
  hostPort: number;
}

/** Docker's NetworkSettings.Ports: {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "49154"}]} */
export type PublishedPorts = Record<string, { HostIp: string; HostPort: string }[]>;

/**
 * Docker's -p forms: `80`, `8080:80`, `127.0.0.1:8080:80`, `127.0.0.1::80`,
 * with `/tcp` or `/udp`, and equal-length ranges (`8000-8001:80-81`).
 * Returns Docker's HostConfig.PortBindings shape.
 */
export function parsePublish(specs: string[]): PublishedPorts {
  const out: PublishedPorts = {};
  for (const spec of specs) {
    const bad = (why: string) => invalidArgument(`invalid publish spec "${spec}": ${why}`);
    const [main, proto = 'tcp', ...extra] = spec.split('/');
    if (extra.length > 0 || (proto !== 'tcp' && proto !== 'udp')) throw bad(`unknown protocol (tcp or udp)`);
    const parts = main.split(':');
    if (parts.length > 3) throw bad('expected [[ip:]hostPort:]containerPort');
    const containerPart = parts[parts.length - 1];
    const hostPart = parts.length >= 2 ? parts[parts.length - 2] : '';
    const ip = parts.length === 3 ? parts[0] : '';
    if (ip && nodeNet().isIPv4(ip) === false) throw bad(`invalid IP address ${ip}`);
    const containerPorts = portRange(containerPart, bad);
    const hostPorts = hostPart === '' ? containerPorts.map(() => 0) : portRange(hostPart, bad);
    if (hostPorts.length !== containerPorts.length) {
      if (hostPorts.length > 1 && containerPorts.length === 1) throw bad('a host port range needs a container port range of the same length');
      throw bad('host and container port ranges differ in length');
    }
    containerPorts.forEach((port, i) => {
      (out[`${port}/${proto}`] ??= []).push({ HostIp: ip, HostPort: hostPorts[i] === 0 ? '' : String(hostPorts[i]) });
    });
  }
  return out;
}

function portRange(text: string, bad: (why: string) => Error): number[] {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!match) throw bad(`invalid port "${text}"`);
  const from = Number(match[1]);
  const to = match[2] ? Number(match[2]) : from;
  if (from < 1 || to > 65535 || to < from) throw bad(`invalid port "${text}"`);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** The bindings to open at start: PortBindings, plus every exposed port on a random host port for -P. */
export function bindingsToOpen(portBindings: PublishedPorts, exposed: string[], publishAll: boolean): PortBinding[] {
  const out: PortBinding[] = [];
  const keys = new Set(Object.keys(portBindings));
  for (const [key, list] of Object.entries(portBindings)) {
    const [port, proto] = key.split('/');
    for (const b of list) out.push({ containerPort: Number(port), proto: proto as 'tcp' | 'udp', hostIp: b.HostIp, hostPort: Number(b.HostPort || 0) });
  }
  if (publishAll) {
    for (const key of exposed) {
      if (keys.has(key)) continue;
      const [port, proto = 'tcp'] = key.split('/');
      out.push({ containerPort: Number(port), proto: proto as 'tcp' | 'udp', hostIp: '', hostPort: 0 });
    }
  }
  return out;
}

/**
 * Docker's PORTS column: "0.0.0.0:8080->80/tcp, 53/udp" — published ports
 * as bound, then exposed ones that are not published (running containers
 * only: a stopped container publishes nothing).
 */
export function describePorts(published: PublishedPorts, exposed: string[], running: boolean): string {
  if (!running) return '';
  const out: string[] = [];
  const keys = [...new Set([...Object.keys(published), ...exposed])].sort((a, b) => parseInt(a, 10) - parseInt(b, 10) || (a < b ? -1 : 1));
  for (const key of keys) {
    const bound = published[key];
    if (bound?.length) for (const b of bound) out.push(`${b.HostIp || '0.0.0.0'}:${b.HostPort}->${key}`);
    else out.push(key);
  }
  return out.join(', ');
}
