/**
 * What networking changes on the host: Linux bridges, network namespaces,
 * veth pairs and firewall rules. Done with iproute2 (`ip -batch`, one process
 * per side of the veth) and iptables (or nft where iptables is missing), so
 * the addon stays small; each container start costs two short `ip` runs.
 */
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { unavailable } from '../errors.js';
import type { Native } from '../native.js';

const NETNS_DIR = '/run/netns';

interface Ran {
  code: number;
  stderr: string;
}

function run(command: string, args: string[], input?: string): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (err) => resolve({ code: 127, stderr: err.message }));
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** Runs `ip -batch -` (in network namespace `netns` if given); one clear line on failure. */
export async function ipBatch(lines: string[], what: string, netns?: string): Promise<void> {
  const r = await run('ip', [...(netns ? ['-n', netns] : []), '-batch', '-'], `${lines.join('\n')}\n`);
  if (r.code !== 0) {
    const reason = r.stderr.split('\n').find((l) => l.trim() && !/^Command failed/.test(l)) ?? `ip exited ${r.code}`;
    throw unavailable(`${what}: ${reason.trim()}`);
  }
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

/** Creates the bridge with its gateway address if missing, and lets its traffic through the host's firewall. */
export async function ensureBridge(spec: BridgeSpec): Promise<void> {
  if (!linkExists(spec.bridge)) {
    try {
      await ipBatch([`link add ${spec.bridge} type bridge`, `addr add ${spec.gatewayCidr} dev ${spec.bridge}`, `link set ${spec.bridge} up`], `creating bridge ${spec.bridge}`);
    } catch (err) {
      if (!linkExists(spec.bridge)) throw err; // another process made it first
    }
  }
  await allowBridge(spec);
}

export async function deleteBridge(spec: BridgeSpec): Promise<void> {
  if (linkExists(spec.bridge)) await run('ip', ['link', 'del', spec.bridge]);
  await disallowBridge(spec);
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
async function allowBridge(spec: BridgeSpec): Promise<void> {
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
      if ((await run('iptables', iptablesArgs('-C', rule))).code === 0) continue;
      const r = await run('iptables', iptablesArgs(rule[0] === '-t' ? '-A' : '-I', rule));
      if (r.code !== 0) throw unavailable(`adding firewall rule for ${spec.bridge}: ${r.stderr.trim()}`);
    }
  } else if (kind === 'nft' && !spec.internal) {
    const table = nftTable(spec);
    const r = await run('nft', ['-f', '-'], `table ip ${table} {\n chain postrouting {\n  type nat hook postrouting priority 100;\n  ip saddr ${spec.subnet} oifname != "${spec.bridge}" masquerade\n }\n}\n`);
    if (r.code !== 0) throw unavailable(`adding NAT for ${spec.bridge}: ${r.stderr.trim()}`);
  }
}

function nftTable(spec: BridgeSpec): string {
  return `berth_${spec.bridge.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

async function disallowBridge(spec: BridgeSpec): Promise<void> {
  const kind = await whichFirewall();
  if (kind === 'iptables') {
    for (const rule of iptablesRules({ ...spec, internal: false })) {
      while ((await run('iptables', iptablesArgs('-C', rule))).code === 0) {
        if ((await run('iptables', iptablesArgs('-D', rule))).code !== 0) break;
      }
    }
  } else if (kind === 'nft') {
    await run('nft', ['delete', 'table', 'ip', nftTable(spec)]);
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
  /** the first endpoint of a container brings up lo and carries the default route */
  primary: boolean;
}

/** Creates the namespace (`netns add`) if asked, then the veth pair, one end in the namespace, the other on the bridge. */
export async function plumbEndpoint(endpoint: EndpointPlumbing, createNetns: boolean): Promise<void> {
  const { netns, hostInterface, bridge, interfaceName } = endpoint;
  await ipBatch(
    [
      ...(createNetns ? [`netns add ${netns}`] : []),
      `link add ${hostInterface} type veth peer name ${interfaceName} netns ${netns}`,
      `link set ${hostInterface} master ${bridge} up`,
    ],
    `connecting to bridge ${bridge}`,
  );
  await ipBatch(
    [
      ...(endpoint.primary ? ['link set lo up'] : []),
      `addr add ${endpoint.addressCidr} dev ${interfaceName}`,
      `link set ${interfaceName} up`,
      ...(endpoint.primary ? [`route add default via ${endpoint.gateway}`] : []),
    ],
    `configuring ${interfaceName}`,
    netns,
  );
}

/** A namespace with loopback only, for containers whose endpoints come later (network connect) or never. */
export async function createNetns(netns: string): Promise<void> {
  await ipBatch([`netns add ${netns}`], `creating network namespace ${netns}`);
  await ipBatch(['link set lo up'], `bringing up loopback in ${netns}`, netns);
}

export async function removeInterface(hostInterface: string): Promise<void> {
  if (linkExists(hostInterface)) await run('ip', ['link', 'del', hostInterface]);
}

export function procNetRoute(): string {
  try {
    return fs.readFileSync('/proc/net/route', 'utf8');
  } catch {
    return '';
  }
}
