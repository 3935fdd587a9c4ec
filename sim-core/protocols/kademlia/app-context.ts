import type { TimeUs } from '../../engine/time.ts';
import type { NodeApi } from '../node/app.ts';
import type { Address } from '../../sans-io/protocol.ts';
import type { KademliaAppConfig } from './app-config.ts';
import type { KadStats } from './app-metrics.ts';
import { RoutingTable } from './routing-table.ts';
import type { KadShared } from './shared.ts';

/**
 * What every part of one `KademliaApp` reads (connections, requests,
 * lookups, join, message handlers): the simulation's shared state, the
 * knobs, and — from the first start on — the host API and the routing table.
 */
export class AppContext {
  readonly stats: KadStats;
  private apiOrUndefined: NodeApi | undefined;
  private tableOrUndefined: RoutingTable | undefined;

  constructor(
    readonly shared: KadShared,
    readonly cfg: KademliaAppConfig,
  ) {
    this.stats = shared.stats;
  }

  get started(): boolean {
    return this.tableOrUndefined !== undefined;
  }

  get api(): NodeApi {
    if (!this.apiOrUndefined) throw new Error('kademlia app: not started');
    return this.apiOrUndefined;
  }

  get table(): RoutingTable {
    if (!this.tableOrUndefined) throw new Error('kademlia app: not started');
    return this.tableOrUndefined;
  }

  /** Host address, -1 before the first start. */
  get address(): Address {
    return this.apiOrUndefined?.address ?? -1;
  }

  /** A (re)start: the new host API. The routing table is created once and kept (as a node database would). */
  start(api: NodeApi, now: TimeUs): void {
    this.apiOrUndefined = api;
    this.tableOrUndefined ??= new RoutingTable(this.shared.ids, api.self, this.cfg.kad, now);
  }
}
