import type { Address } from '../../sans-io/protocol.ts';
import type { Identity } from '../identity/registry.ts';
import type { GlobalmapConfig } from './config.ts';
import type { EventTable } from './event-table.ts';
import type { MapAuth } from './map-auth.ts';
import type { PeerStore } from './peer-store.ts';
import type { GraphScratch } from './scratch.ts';
import type { NeighbourStrategy } from './selection.ts';

/** What a GlobalMapApp is built from: its config, strategy, map, and what the simulation shares between peers. */
export interface GlobalmapDeps {
  cfg: GlobalmapConfig;
  strategy: NeighbourStrategy;
  /** The map; undefined runs selection without gossip (the random baseline). */
  store: PeerStore | undefined;
  scratch: GraphScratch;
  /** Size of the peer-number space. */
  peerSpace: () => number;
  /** Addresses to dial when the peer knows nobody (or lost everyone). */
  bootstrap: readonly Address[];
  /** The simulation's interned events, shared by its peers (one is made per app if absent: an app on its own). */
  events?: EventTable;
  /** Signed map (cfg.security 'signed'): the simulation's signatures, and this peer's own key pair. */
  auth?: MapAuth;
  identity?: Identity;
}
