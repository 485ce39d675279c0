/** IPv4 addresses and subnets as numbers, for allocation and overlap checks. */
import { invalidArgument } from '../errors.js';

export interface Subnet {
  /** network address as an unsigned 32-bit number */
  base: number;
  prefix: number;
}

export function parseAddress(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw invalidArgument(`invalid IP address: ${text}`);
  }
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function formatAddress(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** "10.47.0.0/16"; host bits must be zero, as Docker insists. */
export function parseSubnet(text: string): Subnet {
  const match = /^([\d.]+)\/(\d{1,2})$/.exec(text);
  if (!match || Number(match[2]) > 32) throw invalidArgument(`invalid subnet ${text}: expected an IPv4 CIDR such as 10.50.0.0/24`);
  const address = parseAddress(match[1]);
  const prefix = Number(match[2]);
  if (prefix < 8 || prefix > 29) throw invalidArgument(`invalid subnet ${text}: the prefix length must be between 8 and 29`);
  if ((address & mask(prefix)) >>> 0 !== address) throw invalidArgument(`invalid subnet ${text}: it has host bits set`);
  return { base: address, prefix };
}

export function formatSubnet(subnet: Subnet): string {
  return `${formatAddress(subnet.base)}/${subnet.prefix}`;
}

export function size(subnet: Subnet): number {
  return 2 ** (32 - subnet.prefix);
}

export function contains(subnet: Subnet, address: number): boolean {
  return ((address & mask(subnet.prefix)) >>> 0) === subnet.base;
}

export function overlaps(a: Subnet, b: Subnet): boolean {
  const prefix = Math.min(a.prefix, b.prefix);
  return ((a.base & mask(prefix)) >>> 0) === ((b.base & mask(prefix)) >>> 0);
}

/** The first usable address (Docker's default gateway). */
export function firstHost(subnet: Subnet): number {
  return subnet.base + 1;
}

/** Usable host addresses: not the network address, not the broadcast. */
export function isHost(subnet: Subnet, address: number): boolean {
  return contains(subnet, address) && address !== subnet.base && address !== subnet.base + size(subnet) - 1;
}

/** IPv4 destinations routed on this host (from /proc/net/route), as subnets; the default route is left out. */
export function routedSubnets(procNetRoute: string, iface?: string): Subnet[] {
  const out: Subnet[] = [];
  for (const line of procNetRoute.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 8 || (iface !== undefined && fields[0] !== iface)) continue;
    // little-endian hex as the kernel prints it
    const le = (hex: string) => {
      const n = parseInt(hex, 16);
      return (((n & 255) << 24) | (((n >>> 8) & 255) << 16) | (((n >>> 16) & 255) << 8) | (n >>> 24)) >>> 0;
    };
    const destination = le(fields[1]);
    const netmask = le(fields[7]);
    const prefix = netmask.toString(2).replace(/0+$/, '').length;
    if (prefix === 0) continue;
    out.push({ base: destination, prefix });
  }
  return out;
}
