/**
 * Bridge work recorded before the host is touched, so a process killed in the
 * middle of it leaves a name to clean up instead of a bridge, a route and
 * firewall rules nothing refers to. Each piece of work writes a
 * `bridge_intents` row first (in the transaction that also deletes the
 * network, for `network rm`) and deletes it in the transaction that commits
 * the outcome (the network's row, for `network create`). A row left behind
 * is settled at engine start: the bridge and its rules are torn down when no
 * network holds the bridge, and its rules completed when one does.
 *
 * Whoever holds an intent holds `<root>/networks.lock` shared, and gives the
 * descriptor to the iptables or nft it runs: a killed holder's lock lives
 * until the rule its child was adding is in. `settle` takes the lock
 * exclusive, so every intent it sees then is a dead process's.
 */
import path from 'node:path';
import type { Store } from '../store/store.js';
import { StoreLock } from '../store/lock.js';
import * as cidr from './cidr.js';
import * as host from './host.js';

interface IntentRow {
  id: number;
  bridge: string;
  subnet: string;
  gateway_cidr: string;
  internal: number;
}

/** How long an engine start waits for bridge work in progress elsewhere before leaving it for the next start. */
const SETTLE_WAIT_MS = 10_000;

export class BridgeIntents {
  private readonly lock: StoreLock;

  constructor(private readonly store: Store) {
    this.lock = new StoreLock(path.join(store.root, 'networks.lock'), store.native);
  }

  /** Makes the bridge and its rules, then runs `commit` (the network's rows) in the transaction that drops the intent. */
  make(spec: host.BridgeSpec, commit: () => void): Promise<void> {
    return this.hold(
      spec,
      undefined,
      async (fd) => {
        await this.dropLeftover(spec.bridge, fd);
        await host.ensureBridge(spec, this.store.native, fd);
      },
      commit,
    );
  }

  /**
   * A link with the name of a bridge not made yet is a leftover nobody holds:
   * a store's default bridge is named after its root, and berth before
   * intents could leak it. Torn down with its own subnet's rules, never
   * adopted with an address that is not the new network's.
   */
  private async dropLeftover(bridge: string, fd: number): Promise<void> {
    if (!host.linkExists(bridge)) return;
    const routed = cidr.routedSubnets(host.procNetRoute(), bridge)[0];
    const subnet = routed ? cidr.formatSubnet(routed) : '';
    await host.deleteBridge({ bridge, subnet, gatewayCidr: '', internal: false }, this.store.native, fd);
  }

  /** Runs `uncommit` (deleting the network's row) in the transaction that records the intent, then tears the bridge down. */
  unmake(spec: host.BridgeSpec, uncommit: () => void): Promise<void> {
    return this.hold(spec, uncommit, (fd) => host.deleteBridge(spec, this.store.native, fd));
  }

  /**
   * The bridge of a committed network, remade if missing (after a reboot, or
   * `teardown`); nothing is written when it exists, as on every start.
   */
  async ensure(spec: host.BridgeSpec): Promise<void> {
    if (host.linkExists(spec.bridge)) return;
    await this.hold(spec, undefined, (fd) => host.ensureBridge(spec, this.store.native, fd));
  }

  /** Engine start: what killed processes left half made or half removed. */
  async settle(): Promise<void> {
    if (!this.store.db.prepare('SELECT 1 FROM bridge_intents LIMIT 1').get()) return;
    await this.lock.exclusive(SETTLE_WAIT_MS, async () => {
      for (const row of this.store.db.prepare('SELECT * FROM bridge_intents ORDER BY id').all() as IntentRow[]) {
        await this.settleOne(row.id, { bridge: row.bridge, subnet: row.subnet, gatewayCidr: row.gateway_cidr, internal: row.internal === 1 });
      }
    });
  }

  private async hold(spec: host.BridgeSpec, before: (() => void) | undefined, work: (fd: number) => Promise<void>, after?: () => void): Promise<void> {
    await this.lock.shared(async (fd) => {
      const id = this.store.write(() => {
        before?.();
        return Number(
          this.store.db
            .prepare('INSERT INTO bridge_intents (bridge, subnet, gateway_cidr, internal) VALUES (?, ?, ?, ?)')
            .run(spec.bridge, spec.subnet, spec.gatewayCidr, spec.internal ? 1 : 0).lastInsertRowid,
        );
      });
      try {
        await work(fd);
        this.store.write(() => {
          after?.();
          this.forget(id);
        });
      } catch (err) {
        // Undone now if it can be; otherwise the intent stays for the next engine start.
        await this.settleOne(id, spec, fd).catch(() => {});
        throw err;
      }
    });
  }

  /** Tears the bridge down unless a network holds it; completes its rules if one does and it exists. */
  private async settleOne(id: number, spec: host.BridgeSpec, fd?: number): Promise<void> {
    const held = this.store.db.prepare('SELECT 1 FROM networks WHERE bridge = ?').get(spec.bridge);
    if (!held) await host.deleteBridge(spec, this.store.native, fd);
    else if (host.linkExists(spec.bridge)) await host.allowBridge(spec, fd);
    this.store.write(() => this.forget(id));
  }

  private forget(id: number): void {
    this.store.db.prepare('DELETE FROM bridge_intents WHERE id = ?').run(id);
  }
}
