/**
 * Networks as Docker has them: `bridge` (the default), `host`, `none`, and
 * user-defined bridges whose containers find each other by name. Each bridge
 * network is a Linux bridge with its gateway address; a running container
 * gets a network namespace (/run/netns/berth-<id>), one veth pair per
 * network and a lease in the `endpoints` table, released when it stops.
 * Names resolve through each container's managed /etc/hosts, rewritten in
 * place (the bind mount follows the inode) whenever a peer comes or goes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from '../errors.js';
import { nodeCrypto } from '../builtins.js';
import type { Store } from '../store/store.js';
import { DEFAULT_ROOT } from '../store/store.js';
import type { Container } from '../containers/types.js';
import * as cidr from './cidr.js';
import * as host from './host.js';
import { checkHostsName } from './host-names.js';
import { BridgeIntents } from './intents.js';

export interface Network {
  id: string;
  name: string;
  driver: 'bridge' | 'host' | 'null';
  bridge: string;
  subnet: string;
  gateway: string;
  internal: boolean;
  labels: Record<string, string>;
  created: string;
}

export interface Endpoint {
  containerId: string;
  networkId: string;
  aliases: string[];
  address: string | null;
  interface: string;
}

interface NetworkRow {
  id: string;
  name: string;
  driver: Network['driver'];
  bridge: string;
  subnet: string;
  gateway: string;
  internal: number;
  labels: string;
  created: string;
}

interface EndpointRow {
  container_id: string;
  network_id: string;
  aliases: string;
  address: string | null;
  interface: string;
}

const fromRow = (r: NetworkRow): Network => ({ ...r, internal: r.internal === 1, labels: JSON.parse(r.labels) as Record<string, string> });
const endpointFromRow = (r: EndpointRow): Endpoint => ({
  containerId: r.container_id,
  networkId: r.network_id,
  aliases: JSON.parse(r.aliases) as string[],
  address: r.address,
  interface: r.interface,
});

export const PREDEFINED = ['bridge', 'host', 'none'];
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/**
 * Where subnets come from: the default bridge takes the first /16 here that
 * no route on the host and no other network uses (not docker's 172.17 nor
 * podman's 10.88); user networks take /24s from the second pool.
 */
const DEFAULT_BRIDGE_POOL = ['10.47.0.0/16', '10.46.0.0/16', '10.45.0.0/16', '172.29.0.0/16', '172.28.0.0/16'];
const USER_POOL = cidr.parseSubnet('10.48.0.0/12');
const USER_PREFIX = 24;

/** What a container's start needs from the network side. */
export interface AttachedNetworks {
  /** join this network namespace (bridge and user networks) … */
  netnsPath?: string;
  /** … or share the host's (host) or join another container's (container:) */
  mode: 'namespace' | 'none' | 'host' | 'container';
  containerNetns?: string;
  /** first address (for published ports), if any */
  address?: string;
}

export class NetworkService {
  private readonly intents: BridgeIntents;

  constructor(private readonly store: Store) {
    this.intents = new BridgeIntents(store);
  }

  /** Engine start: bridges and rules that killed processes left half made or half removed. */
  reconcile(): Promise<void> {
    return this.intents.settle();
  }

  private get db() {
    return this.store.db;
  }

  // ------------------------------------------------------------ networks

  /** The three networks every engine has; the default bridge's subnet is chosen once, avoiding the host's routes. */
  async ensureDefaults(): Promise<void> {
    if (this.db.prepare("SELECT 1 FROM networks WHERE name = 'bridge'").get()) return;
    await this.withHostLock(async () => {
      if (this.db.prepare("SELECT 1 FROM networks WHERE name = 'bridge'").get()) return;
      const taken = this.takenSubnets();
      // Then a /24 as user networks get: many stores on one host (tests, benches) each have a default bridge.
      const subnet = DEFAULT_BRIDGE_POOL.map(cidr.parseSubnet).find((s) => !taken.some((t) => cidr.overlaps(s, t))) ?? this.freeUserSubnet(taken);
      if (!subnet) throw failedPrecondition(`no free subnet for the default bridge: ${DEFAULT_BRIDGE_POOL.join(', ')} all overlap routes on this host`);
      const bridge = this.store.root === DEFAULT_ROOT ? 'berth0' : `berth${sha(this.store.root).slice(0, 8)}`;
      const network: Network = {
        id: randomId(), name: 'bridge', driver: 'bridge', bridge, subnet: cidr.formatSubnet(subnet),
        gateway: cidr.formatAddress(cidr.firstHost(subnet)), internal: false, labels: {}, created: new Date().toISOString(),
      };
      // The bridge is made now, under the lock, so its route keeps other roots off this subnet.
      await this.intents.make(bridgeSpec(network), () => {
        this.insert(network);
        this.insert({ ...network, id: randomId(), name: 'host', driver: 'host', bridge: '', subnet: '', gateway: '' });
        this.insert({ ...network, id: randomId(), name: 'none', driver: 'null', bridge: '', subnet: '', gateway: '' });
      });
    });
  }

  async create(options: { name: string; driver?: string; subnet?: string; gateway?: string; internal?: boolean; labels?: Record<string, string> }): Promise<Network> {
    const { name } = options;
    if (!NAME_RE.test(name)) throw invalidArgument(`invalid network name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    const driver = options.driver ?? 'bridge';
    if (driver !== 'bridge') throw invalidArgument(`plugin "${driver}" not found: berth has the bridge driver only`);
    if (options.gateway && !options.subnet) throw invalidArgument('invalid pool request: gateway requires a subnet');
    await this.ensureDefaults();
    if (this.maybeFind(name)) throw alreadyExists(`network with name ${name} already exists`);
    return this.withHostLock(async () => {
      const taken = this.takenSubnets();
      let subnet: cidr.Subnet;
      if (options.subnet) {
        subnet = cidr.parseSubnet(options.subnet);
        const clash = this.list().find((n) => n.subnet && cidr.overlaps(cidr.parseSubnet(n.subnet), subnet));
        if (clash) throw failedPrecondition(`Pool overlaps with other one on this address space: ${options.subnet} overlaps network ${clash.name} (${clash.subnet})`);
        if (taken.some((t) => cidr.overlaps(t, subnet))) throw failedPrecondition(`Pool overlaps with other one on this address space: ${options.subnet} overlaps a route on this host`);
      } else {
        const found = this.freeUserSubnet(taken);
        if (!found) throw failedPrecondition(`could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network`);
        subnet = found;
      }
      let gateway = cidr.firstHost(subnet);
      if (options.gateway) {
        gateway = cidr.parseAddress(options.gateway);
        if (!cidr.isHost(subnet, gateway)) throw invalidArgument(`invalid gateway ${options.gateway}: not a host address of ${cidr.formatSubnet(subnet)}`);
      }
      const id = randomId();
      const network: Network = {
        id, name, driver: 'bridge', bridge: `br-${id.slice(0, 12)}`, subnet: cidr.formatSubnet(subnet), gateway: cidr.formatAddress(gateway),
        internal: Boolean(options.internal), labels: options.labels ?? {}, created: new Date().toISOString(),
      };
      try {
        await this.intents.make(bridgeSpec(network), () => this.insert(network));
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw alreadyExists(`network with name ${name} already exists`);
        throw err;
      }
      return network;
    });
  }

  list(): Network[] {
    return (this.db.prepare('SELECT * FROM networks ORDER BY created, rowid').all() as NetworkRow[]).map(fromRow);
  }

  maybeFind(nameOrId: string): Network | undefined {
    const row = this.db.prepare('SELECT * FROM networks WHERE id = ? OR name = ?').get(nameOrId, nameOrId) as NetworkRow | undefined;
    if (row) return fromRow(row);
    if (/^[0-9a-f]{1,63}$/.test(nameOrId)) {
      const rows = this.db.prepare('SELECT * FROM networks WHERE id LIKE ? LIMIT 2').all(`${nameOrId}%`) as NetworkRow[];
      if (rows.length > 1) throw invalidArgument(`network ${nameOrId} is ambiguous (${rows.length} matches found on name or ID prefix)`);
      if (rows[0]) return fromRow(rows[0]);
    }
    return undefined;
  }

  find(nameOrId: string): Network {
    const network = this.maybeFind(nameOrId);
    if (!network) throw notFound(`network ${nameOrId} not found`);
    return network;
  }

  /** Docker's `network inspect` shape. */
  inspect(nameOrId: string): Record<string, unknown> {
    const n = this.find(nameOrId);
    const containers: Record<string, unknown> = {};
    const rows = this.db
      .prepare('SELECT e.*, c.name AS c_name FROM endpoints e JOIN containers c ON c.id = e.container_id WHERE e.network_id = ? AND e.address IS NOT NULL ORDER BY e.rowid')
      .all(n.id) as (EndpointRow & { c_name: string })[];
    for (const r of rows) {
      containers[r.container_id] = {
        Name: r.c_name,
        EndpointID: sha(`${r.container_id}/${n.id}`),
        MacAddress: '',
        IPv4Address: `${r.address}/${cidr.parseSubnet(n.subnet).prefix}`,
        IPv6Address: '',
      };
    }
    return {
      Name: n.name,
      Id: n.id,
      Created: n.created,
      Scope: 'local',
      Driver: n.driver,
      EnableIPv6: false,
      IPAM: { Driver: 'default', Options: {}, Config: n.subnet ? [{ Subnet: n.subnet, Gateway: n.gateway }] : [] },
      Internal: n.internal,
      Attachable: false,
      Ingress: false,
      ConfigFrom: { Network: '' },
      ConfigOnly: false,
      Containers: containers,
      Options: n.bridge ? { 'com.docker.network.bridge.name': n.bridge } : {},
      Labels: n.labels,
    };
  }

  endpointsOf(networkId: string): Endpoint[] {
    return (this.db.prepare('SELECT * FROM endpoints WHERE network_id = ? ORDER BY rowid').all(networkId) as EndpointRow[]).map(endpointFromRow);
  }

  endpointsFor(containerId: string): (Endpoint & { network: Network })[] {
    const rows = this.db.prepare('SELECT * FROM endpoints WHERE container_id = ? ORDER BY rowid').all(containerId) as EndpointRow[];
    if (rows.length === 0) return [];
    const networks = new Map(this.list().map((n) => [n.id, n]));
    return rows.map((r) => ({ ...endpointFromRow(r), network: networks.get(r.network_id)! }));
  }

  async remove(nameOrId: string): Promise<Network> {
    const network = this.find(nameOrId);
    if (PREDEFINED.includes(network.name)) throw failedPrecondition(`${network.name} is a pre-defined network and cannot be removed`);
    const users = this.endpointsOf(network.id);
    if (users.length > 0) {
      throw failedPrecondition(`error while removing network: network ${network.name} id ${network.id} has active endpoints (${users.map((u) => u.containerId.slice(0, 12)).join(', ')})`);
    }
    // a full disk still lets a network go (Store.freeing); the intent is recorded in the transaction that deletes the row
    await this.store.freeing(() => this.intents.unmake(bridgeSpec(network), () => this.db.prepare('DELETE FROM networks WHERE id = ?').run(network.id)));
    return network;
  }

  /** `network prune`: user networks no container is attached to. */
  async prune(): Promise<string[]> {
    const removed: string[] = [];
    for (const network of this.list()) {
      if (PREDEFINED.includes(network.name) || this.endpointsOf(network.id).length > 0) continue;
      await this.remove(network.id);
      removed.push(network.name);
    }
    return removed;
  }

  /** Every bridge and rule of this store's networks, the default bridge too (tests, and a store being thrown away). */
  async teardown(): Promise<void> {
    for (const network of this.list()) if (network.driver === 'bridge') await host.deleteBridge(bridgeSpec(network), this.store.native);
  }

  // ------------------------------------------------------------ containers

  /**
   * At create: which networks the container joins (recorded as endpoints
   * without addresses). `mode` is Docker's --network value.
   */
  async resolveMode(mode: string, aliases: string[]): Promise<string> {
    const aliasless = () => {
      if (aliases.length > 0) throw invalidArgument('network-scoped aliases are only supported for user-defined networks');
    };
    if (mode === 'none' || mode === 'host' || mode.startsWith('container:')) {
      aliasless();
      return mode;
    }
    await this.ensureDefaults();
    const network = this.find(mode === 'default' ? 'bridge' : mode);
    if (network.driver !== 'bridge' || network.name === 'bridge') aliasless();
    return network.driver === 'host' ? 'host' : network.driver === 'null' ? 'none' : network.name;
  }

  /** The endpoint of a new container on its network (no address until it runs). */
  addEndpoint(containerId: string, mode: string, aliases: string[]): void {
    if (mode === 'none' || mode === 'host' || mode.startsWith('container:')) return;
    const network = this.find(mode);
    this.store.write(() =>
      this.db.prepare('INSERT INTO endpoints (container_id, network_id, aliases) VALUES (?, ?, ?)').run(containerId, network.id, JSON.stringify(aliases)),
    );
  }

  /**
   * At start (in the shim): leases, namespace, veths and /etc/hosts. On
   * failure everything done so far is undone by `detach`.
   */
  async attach(container: Container, hostsFile: string, native: import('../native.js').Native): Promise<AttachedNetworks> {
    const mode = container.hostConfig.NetworkMode;
    if (mode === 'none') {
      this.writeHosts(container, hostsFile);
      return { mode: 'none' };
    }
    if (mode === 'host') {
      fs.writeFileSync(hostsFile, readHostFile('/etc/hosts') + extraHostLines(container));
      return { mode: 'host' };
    }
    if (mode.startsWith('container:')) {
      this.writeHosts(container, hostsFile);
      return { mode: 'container' };
    }
    const leases = this.lease(container.id);
    const netns = host.netnsName(container.id);
    try {
      host.deleteNetns(netns, native); // a stale one from a crash
      host.createNetns(netns, native);
      for (const [order, lease] of leases.entries()) {
        const subnet = cidr.parseSubnet(lease.network.subnet);
        await this.intents.ensure(bridgeSpec(lease.network));
        host.plumbEndpoint(
          {
            netns,
            hostInterface: lease.interface,
            bridge: lease.network.bridge,
            interfaceName: `eth${interfaceIndex(lease.interface)}`,
            addressCidr: `${lease.address}/${subnet.prefix}`,
            gateway: lease.network.gateway,
            primary: order === 0,
          },
          native,
        );
      }
    } catch (err) {
      await this.detach(container.id, native);
      throw err;
    }
    this.store.write(() => {
      this.writeHosts(container, hostsFile);
      this.refreshPeers(container.id);
    });
    return { mode: 'namespace', netnsPath: host.netnsPath(netns), address: leases[0]?.address ?? undefined };
  }

  /** At stop, and after a crash: the namespace (its veths go with it), the leases, and the peers' /etc/hosts. */
  async detach(containerId: string, native: import('../native.js').Native): Promise<void> {
    const endpoints = this.endpointsFor(containerId);
    host.deleteNetns(host.netnsName(containerId), native);
    for (const e of endpoints) if (e.interface) host.removeInterface(e.interface, native);
    if (endpoints.some((e) => e.address !== null || e.interface)) {
      this.store.write(() => {
        this.db.prepare("UPDATE endpoints SET address = NULL, interface = '' WHERE container_id = ?").run(containerId);
        this.refreshPeers(containerId);
      });
    }
  }

  /** `network connect`: recorded, and plumbed at once when the container runs. */
  async connect(networkName: string, container: Container, aliases: string[]): Promise<void> {
    await this.ensureDefaults();
    const network = this.find(networkName);
    const mode = container.hostConfig.NetworkMode;
    if (network.driver !== 'bridge' || mode === 'host' || mode === 'none' || mode.startsWith('container:')) {
      throw failedPrecondition(`container cannot be disconnected from host network or connected to host network`);
    }
    if (network.name === 'bridge' && aliases.length > 0) throw invalidArgument('network-scoped aliases are only supported for user-defined networks');
    for (const alias of aliases) checkHostsName(alias, `invalid argument "${alias}" for "--alias" flag`);
    const inserted = this.store.write(
      () =>
        this.db.prepare('INSERT OR IGNORE INTO endpoints (container_id, network_id, aliases) VALUES (?, ?, ?)').run(container.id, network.id, JSON.stringify(aliases))
          .changes,
    );
    if (inserted === 0) throw alreadyExists(`endpoint with name ${container.name} already exists in network ${network.name}`);
    if (container.state.Status !== 'running' && container.state.Status !== 'paused') return;
    const leases = this.lease(container.id);
    const lease = leases.find((l) => l.network.id === network.id)!;
    try {
      await this.intents.ensure(bridgeSpec(network));
      host.plumbEndpoint(
        {
          netns: host.netnsName(container.id),
          hostInterface: lease.interface,
          bridge: network.bridge,
          interfaceName: `eth${interfaceIndex(lease.interface)}`,
          addressCidr: `${lease.address}/${cidr.parseSubnet(network.subnet).prefix}`,
          gateway: network.gateway,
          primary: false,
        },
        this.store.native,
      );
    } catch (err) {
      this.store.write(() => this.db.prepare('DELETE FROM endpoints WHERE container_id = ? AND network_id = ?').run(container.id, network.id));
      host.removeInterface(lease.interface, this.store.native);
      throw err;
    }
    this.store.write(() => {
      this.writeHosts(container, path.join(this.store.root, 'containers', container.id, 'hosts'));
      this.refreshPeers(container.id);
    });
  }

  async disconnect(networkName: string, container: Container): Promise<void> {
    const network = this.find(networkName);
    const endpoint = this.endpointsFor(container.id).find((e) => e.networkId === network.id);
    if (!endpoint) throw notFound(`container ${container.id} is not connected to network ${network.name}`);
    if (endpoint.interface) host.removeInterface(endpoint.interface, this.store.native);
    this.store.write(() => {
      this.db.prepare('DELETE FROM endpoints WHERE container_id = ? AND network_id = ?').run(container.id, network.id);
      if (container.state.Status === 'running' || container.state.Status === 'paused') {
        this.writeHosts(container, path.join(this.store.root, 'containers', container.id, 'hosts'));
      }
      this.refreshPeers(container.id, [network.id]);
    });
  }

  /** Leases what the container has no address for yet; one transaction, so concurrent starts never share one. */
  private lease(containerId: string): (Endpoint & { network: Network; address: string })[] {
    return this.store.write(() => {
      const endpoints = this.endpointsFor(containerId);
      const taken = new Set(endpoints.filter((e) => e.interface).map((e) => interfaceIndex(e.interface)));
      for (const e of endpoints) {
        if (e.address) continue;
        const subnet = cidr.parseSubnet(e.network.subnet);
        const used = new Set(
          (this.db.prepare('SELECT address FROM endpoints WHERE network_id = ? AND address IS NOT NULL').all(e.networkId) as { address: string }[]).map((r) =>
            cidr.parseAddress(r.address),
          ),
        );
        used.add(cidr.parseAddress(e.network.gateway));
        let address: number | undefined;
        for (let a = subnet.base + 1; a < subnet.base + cidr.size(subnet) - 1; a++) {
          if (!used.has(a)) {
            address = a;
            break;
          }
        }
        if (address === undefined) throw failedPrecondition(`no available IPv4 addresses on network ${e.network.name}`);
        e.address = cidr.formatAddress(address);
        let index = 0;
        while (taken.has(index)) index++;
        taken.add(index);
        e.interface = `vb${containerId.slice(0, 10)}${index}`;
        this.db
          .prepare('UPDATE endpoints SET address = ?, interface = ? WHERE container_id = ? AND network_id = ?')
          .run(e.address, e.interface, containerId, e.networkId);
      }
      return endpoints as (Endpoint & { network: Network; address: string })[];
    });
  }

  /** Docker's shape for inspect's NetworkSettings.Networks. */
  settingsFor(container: Container): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const e of this.endpointsFor(container.id)) {
      const prefix = e.network.subnet ? cidr.parseSubnet(e.network.subnet).prefix : 0;
      out[e.network.name] = {
        IPAMConfig: null,
        Links: null,
        Aliases: e.network.name === 'bridge' ? null : [...e.aliases, container.id.slice(0, 12)],
        NetworkID: e.networkId,
        EndpointID: e.address ? sha(`${container.id}/${e.networkId}`) : '',
        Gateway: e.address ? e.network.gateway : '',
        IPAddress: e.address ?? '',
        IPPrefixLen: e.address ? prefix : 0,
        IPv6Gateway: '',
        GlobalIPv6Address: '',
        GlobalIPv6PrefixLen: 0,
        MacAddress: '',
        DriverOpts: null,
      };
    }
    const mode = container.hostConfig.NetworkMode;
    if (Object.keys(out).length === 0 && (mode === 'host' || mode === 'none')) {
      const network = this.maybeFind(mode);
      out[mode] = { IPAMConfig: null, Links: null, Aliases: null, NetworkID: network?.id ?? '', EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, MacAddress: '', DriverOpts: null };
    }
    return out;
  }

  // ------------------------------------------------------------ /etc/hosts

  /**
   * The container's /etc/hosts: localhost, its own address and name, its
   * peers on user networks (name, aliases, short ID), --add-host lines.
   * Written in place: the container sees the file through a bind mount.
   */
  private writeHosts(container: Container, file: string): void {
    const lines = [
      '127.0.0.1\tlocalhost',
      '::1\tlocalhost ip6-localhost ip6-loopback',
      'fe00::0\tip6-localnet',
      'ff00::0\tip6-mcastprefix',
      'ff02::1\tip6-allnodes',
      'ff02::2\tip6-allrouters',
    ];
    const mine = this.endpointsFor(container.id).filter((e) => e.address);
    const hostname = container.config.Hostname || container.id.slice(0, 12);
    if (mine[0]) lines.push(`${mine[0].address}\t${hostname}`);
    const seen = new Set<string>();
    for (const e of mine) {
      if (e.network.name === 'bridge') continue; // as Docker: no names on the default bridge
      const peers = this.db
        .prepare(
          `SELECT e.address, e.aliases, c.id, c.name FROM endpoints e JOIN containers c ON c.id = e.container_id
           WHERE e.network_id = ? AND e.address IS NOT NULL AND e.container_id != ? ORDER BY e.rowid`,
        )
        .all(e.networkId, container.id) as { address: string; aliases: string; id: string; name: string }[];
      for (const p of peers) {
        const names = [p.name, ...(JSON.parse(p.aliases) as string[]), p.id.slice(0, 12)].filter((n) => !seen.has(`${p.address} ${n}`));
        for (const n of names) seen.add(`${p.address} ${n}`);
        if (names.length > 0) lines.push(`${p.address}\t${names.join(' ')}`);
      }
    }
    writeInPlace(file, `${lines.join('\n')}\n${extraHostLines(container)}`);
  }

  /** Rewrites the /etc/hosts of the running containers that share a network with `containerId` (or were on `extra`). */
  private refreshPeers(containerId: string, extra: string[] = []): void {
    const networks = [...new Set([...this.endpointsFor(containerId).map((e) => e.networkId), ...extra])];
    if (networks.length === 0) return;
    const rows = this.db
      .prepare(
        `SELECT DISTINCT c.* FROM endpoints e JOIN containers c ON c.id = e.container_id
         WHERE e.network_id IN (${networks.map(() => '?').join(',')}) AND e.address IS NOT NULL AND c.id != ?`,
      )
      .all(...networks, containerId) as { id: string; config: string; host_config: string }[];
    for (const row of rows) {
      const peer = { id: row.id, config: JSON.parse(row.config), hostConfig: JSON.parse(row.host_config) } as Container;
      const file = path.join(this.store.root, 'containers', row.id, 'hosts');
      if (fs.existsSync(file)) this.writeHosts(peer, file);
    }
  }

  // ------------------------------------------------------------ helpers

  private insert(n: Network): void {
    this.db
      .prepare('INSERT INTO networks (id, name, driver, bridge, subnet, gateway, internal, labels, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(n.id, n.name, n.driver, n.bridge, n.subnet, n.gateway, n.internal ? 1 : 0, JSON.stringify(n.labels), n.created);
  }

  /** Subnets in use: the host's routes (other stores' bridges, docker's, podman's) and this store's networks. */
  private takenSubnets(): cidr.Subnet[] {
    return [...cidr.routedSubnets(host.procNetRoute()), ...this.list().filter((n) => n.subnet).map((n) => cidr.parseSubnet(n.subnet))];
  }

  private freeUserSubnet(taken: cidr.Subnet[]): cidr.Subnet | undefined {
    const step = 2 ** (32 - USER_PREFIX);
    for (let base = USER_POOL.base; base < USER_POOL.base + cidr.size(USER_POOL); base += step) {
      const candidate = { base, prefix: USER_PREFIX };
      if (!taken.some((t) => cidr.overlaps(t, candidate))) return candidate;
    }
    return undefined;
  }

  /** One process at a time picks a subnet and makes its bridge, across every store on the host. */
  private async withHostLock<T>(fn: () => Promise<T>): Promise<T> {
    const native = this.store.native;
    const fd = fs.openSync('/run/berth-networks.lock', 'a', 0o600);
    try {
      while (!native.flock(fd, native.LOCK_EX | native.LOCK_NB)) await new Promise((r) => setTimeout(r, 5));
      return await fn();
    } finally {
      fs.closeSync(fd);
    }
  }
}

export function bridgeSpec(network: Network): host.BridgeSpec {
  const subnet = cidr.parseSubnet(network.subnet);
  return { bridge: network.bridge, subnet: network.subnet, gatewayCidr: `${network.gateway}/${subnet.prefix}`, internal: network.internal };
}

/** vb<10 hex><n> on the host is ethN inside: N stays unique among the container's current endpoints. */
function interfaceIndex(hostInterface: string): number {
  return Number(hostInterface.slice(12));
}

function randomId(): string {
  return nodeCrypto().randomBytes(32).toString('hex');
}

function sha(text: string): string {
  return nodeCrypto().createHash('sha256').update(text).digest('hex');
}

function readHostFile(file: string): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.endsWith('\n') ? text : `${text}\n`;
  } catch {
    return '127.0.0.1\tlocalhost\n';
  }
}

/** --add-host host:ip lines, Docker's "ip\thost". */
function extraHostLines(container: Container): string {
  return (container.hostConfig.ExtraHosts ?? []).map((entry) => {
    const at = entry.indexOf(':'); // host names have no colon; IPv6 addresses do
    return `${entry.slice(at + 1)}\t${entry.slice(0, at)}\n`;
  }).join('');
}

/** Same inode, new content: a rename would leave the container's bind mount on the old file. */
function writeInPlace(file: string, content: string): void {
  fs.writeFileSync(file, content);
}
