/**
 * What networking changes on the host: Linux bridges, network namespaces,
 * veth pairs (rtnetlink requests in the addon: an `ip` run per step would
 * cost more than the rest of a start), and firewall rules (iptables, or nft
 * where iptables is missing; once per bridge, so spawning them is fine).
 */
import fs from 'node:fs';
import { nodeChildProcess } from '../builtins.js';
import { unavailable } from '../errors.js';
import type { Native } from '../native.js';

const NETNS_DIR = '/run/netns';

interface Ran {
  code: number;
  stderr: string;
}

/** `inherit`: a descriptor the child holds as its fd 3 (a lock that must outlive a killed parent until the child is done). */
function run(command: string, args: string[], input?: string, inherit?: number): Promise<Ran> {
  return new Promise((resolve) => {
    const stdin = input === undefined ? 'ignore' : 'pipe';
    const child = nodeChildProcess().spawn(command, args, { stdio: inherit === undefined ? [stdin, 'ignore', 'pipe'] : [stdin, 'ignore', 'pipe', inherit] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (err) => resolve({ code: 127, stderr: err.message }));
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
    if (input !== undefined) child.stdin!.end(input);
  });
}

export function linkExists(name: string): boolean {
  return fs.existsSync(`/sys/class/net/${name}`);
}

/** The container's network namespace, by name under /run/netns (where `ip -n` looks). */
export function netnsName(containerId: string): string {
  return `berth-${containerId.slice(0, 16)}`;
}

export function netnsPath(name: string): string {
  return `${NETNS_DIR}/${name}`;
}

/** Removes a namespace `ip netns add` made; its veth ends vanish with it once no process is inside. */
export function deleteNetns(name: string, native: Native): void {
  const file = netnsPath(name);
  if (!fs.existsSync(file)) return;
  try {
    native.umount2(file, native.MNT_DETACH);
  } catch {
    // not mounted: a leftover file
  }
  fs.rmSync(file, { force: true });
}

export function listNetns(): string[] {
  try {
    return fs.readdirSync(NETNS_DIR).filter((n) => n.startsWith('berth-'));
  } catch {
    return [];
  }
}

export interface BridgeSpec {
  bridge: string;
  subnet: string;
  /** gateway/prefix, e.g. 10.47.0.1/16 */
  gatewayCidr: string;
  internal: boolean;
}

/**
 * Creates the bridge with its gateway address if missing (after a reboot, or
 * `teardown`), and lets its traffic through the host's firewall. The rules
 * live as long as the bridge, so a start that finds the bridge spawns nothing.
 */
export async function ensureBridge(spec: BridgeSpec, native: Native, inherit?: number): Promise<void> {
  if (linkExists(spec.bridge)) return;
  const [address, prefix] = spec.gatewayCidr.split('/');
  try {
    native.bridgeCreate(spec.bridge, address, Number(prefix));
  } catch (err) {
    // another process made it first; anything else is real
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw unavailable(`creating bridge ${spec.bridge}: ${(err as Error).message}`);
  }
  await allowBridge(spec, inherit);
}

export async function deleteBridge(spec: BridgeSpec, native: Native, inherit?: number): Promise<void> {
  removeInterface(spec.bridge, native);
  await disallowBridge(spec, inherit);
}

let firewall: 'iptables' | 'nft' | 'none' | undefined;

async function whichFirewall(): Promise<'iptables' | 'nft' | 'none'> {
  if (firewall) return firewall;
  if ((await run('iptables', ['-w', '-S', 'FORWARD'])).code === 0) firewall = 'iptables';
  else if ((await run('nft', ['list', 'tables'])).code === 0) firewall = 'nft';
  else firewall = 'none';
  return firewall;
}

function iptablesRules(spec: BridgeSpec): string[][] {
  const rules = [
    ['FORWARD', '-i', spec.bridge, '-j', 'ACCEPT'],
    ['FORWARD', '-o', spec.bridge, '-j', 'ACCEPT'],
  ];
  if (!spec.internal) rules.push(['-t', 'nat', 'POSTROUTING', '-s', spec.subnet, '!', '-o', spec.bridge, '-j', 'MASQUERADE']);
  return rules;
}

/** `iptables -w [-t table] -X CHAIN rest…` */
function iptablesArgs(op: string, rule: string[]): string[] {
  return rule[0] === '-t' ? ['-w', '-t', rule[1], op, ...rule.slice(2)] : ['-w', op, ...rule];
}

/**
 * Forwarding to and from the bridge (a host whose FORWARD policy is DROP,
 * as Docker leaves it, would drop bridged traffic through br_netfilter),
 * and outbound NAT for the subnet unless the network is internal.
 */
export async function allowBridge(spec: BridgeSpec, inherit?: number): Promise<void> {
  try {
    if (fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim() !== '1' && !spec.internal) {
      fs.writeFileSync('/proc/sys/net/ipv4/ip_forward', '1');
    }
  } catch {
    // read-only /proc/sys: outbound traffic stays local, containers still reach each other
  }
  const kind = await whichFirewall();
  if (kind === 'iptables') {
    for (const rule of iptablesRules(spec)) {
      if ((await run('iptables', iptablesArgs('-C', rule), undefined, inherit)).code === 0) continue;
      const r = await run('iptables', iptablesArgs(rule[0] === '-t' ? '-A' : '-I', rule), undefined, inherit);
      if (r.code !== 0) throw unavailable(`adding firewall rule for ${spec.bridge}: ${r.stderr.trim()}`);
    }
  } else if (kind === 'nft' && !spec.internal) {
    const table = nftTable(spec);
    const r = await run('nft', ['-f', '-'], `table ip ${table} {\n chain postrouting {\n  type nat hook postrouting priority 100;\n  ip saddr ${spec.subnet} oifname != "${spec.bridge}" masquerade\n }\n}\n`, inherit);
    if (r.code !== 0) throw unavailable(`adding NAT for ${spec.bridge}: ${r.stderr.trim()}`);
  }
}

function nftTable(spec: BridgeSpec): string {
  return `berth_${spec.bridge.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

async function disallowBridge(spec: BridgeSpec, inherit?: number): Promise<void> {
  const kind = await whichFirewall();
  if (kind === 'iptables') {
    for (const rule of iptablesRules({ ...spec, internal: false })) {
      while ((await run('iptables', iptablesArgs('-C', rule), undefined, inherit)).code === 0) {
        if ((await run('iptables', iptablesArgs('-D', rule), undefined, inherit)).code !== 0) break;
      }
    }
  } else if (kind === 'nft') {
    await run('nft', ['delete', 'table', 'ip', nftTable(spec)], undefined, inherit);
  }
}

export interface EndpointPlumbing {
  netns: string;
  /** host end of the veth, attached to the bridge */
  hostInterface: string;
  bridge: string;
  /** name inside the container: eth0, eth1, … */
  interfaceName: string;
  /** address/prefix */
  addressCidr: string;
  gateway: string;
  /** the first endpoint of a container carries the default route */
  primary: boolean;
}

/** The namespace's file under /run/netns, made as `ip netns add` makes it (so `ip netns` lists it too). */
export function createNetns(name: string, native: Native): void {
  ensureNetnsDir(native);
  try {
    native.netnsCreate(netnsPath(name));
  } catch (err) {
    throw unavailable(`creating network namespace ${name}: ${(err as Error).message}`);
  }
}

/**
 * /run/netns as a shared mount of its own, as iproute2 leaves it: a mount
 * namespace made while a namespace file is bound there (a container's, a
 * service's) then sees the unmount too, instead of keeping the namespace, and
 * its veths, alive.
 */
function ensureNetnsDir(native: Native): void {
  if (netnsDirReady) return;
  fs.mkdirSync(NETNS_DIR, { recursive: true, mode: 0o755 });
  const mounted = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((line) => line.split(' ')[4] === NETNS_DIR);
  if (!mounted) native.mount(NETNS_DIR, NETNS_DIR, '', native.MS_BIND | native.MS_REC, '', '');
  native.mount('none', NETNS_DIR, '', native.MS_SHARED | native.MS_REC, '', '');
  netnsDirReady = true;
}

let netnsDirReady = false;

/** A veth pair: one end on the bridge, the other configured inside the namespace. */
export function plumbEndpoint(endpoint: EndpointPlumbing, native: Native): void {
  const [address, prefix] = endpoint.addressCidr.split('/');
  try {
    native.plumbEndpoint(
      netnsPath(endpoint.netns), endpoint.hostInterface, endpoint.interfaceName, endpoint.bridge, address, Number(prefix), endpoint.primary ? endpoint.gateway : '',
    );
  } catch (err) {
    removeInterface(endpoint.hostInterface, native);
    throw unavailable(`connecting to bridge ${endpoint.bridge}: ${(err as Error).message}`);
  }
}

export function removeInterface(name: string, native: Native): void {
  try {
    native.linkDelete(name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENODEV') throw err;
  }
}

export function procNetRoute(): string {
  try {
    return fs.readFileSync('/proc/net/route', 'utf8');
  } catch {
    return '';
  }
}
