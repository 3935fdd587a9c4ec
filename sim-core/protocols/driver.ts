import type { CsrGraph } from '../metrics/graph/csr.ts';
import type { HostContext, World } from '../net/world.ts';
import type { AdversarySpec } from './adversary/config-schema.ts';
import type { MessageSizer, PeerProtocol } from '../sans-io/protocol.ts';

/**
 * How the scenario runner plugs one protocol family in: its message sizer,
 * how to build each honest peer's (and each adversary's) state machine, and
 * the protocol's own metrics. One driver instance per simulation.
 */
export interface ProtocolDriver<M> {
  readonly name: string;
  readonly sizer: MessageSizer<M>;
  /** Honest peer number `index` (host address = index). */
  createPeer(ctx: HostContext<M>, index: number): PeerProtocol<M>;
  /** An adversary host (addresses after the honest peers). */
  createAdversary?(ctx: HostContext<M>, spec: AdversarySpec, ordinal: number): PeerProtocol<M>;
  /** Protocol-specific figures for a time-series sample (cheap). */
  sample(world: World<M>): Record<string, number>;
  /** Protocol-specific end-of-run metrics, as named sections of `metrics` (e.g. { node: …, globalmap: … }). */
  finalMetrics(world: World<M>): Record<string, unknown>;
  /**
   * The overlay now, over honest peers by index (for the dashboard). Must be
   * read-only: no events scheduled, no stream drawn, so looking never
   * changes the run. Absent: observers fall back to open connections.
   */
  snapshot?(world: World<M>): { graph: CsrGraph; addresses: readonly number[] };
  /** One honest peer as a plain, structured-cloneable object (the dashboard's inspector); read-only like `snapshot`. */
  inspect?(world: World<M>, index: number): Record<string, unknown> | undefined;
  /** Honest peer `index`'s app, if any: scenario actions that talk to the protocol (`announce`) and observers that read its state (the dashboard's Kademlia views). */
  app?(index: number): unknown;
  /** What honest peer `index` believes of the overlay (a map-keeping app), by honest index; read-only like `snapshot`. */
  peerMap?(world: World<M>, index: number): PeerMapView | undefined;
}

/** A peer's map of the overlay: the links it holds as confirmed and the peers it knows, by honest peer index. */
export interface PeerMapView {
  /** [lo, hi] pairs, flat, lo < hi, sorted. */
  links: Int32Array;
  /** Honest peers its map knows, sorted. */
  known: Int32Array;
}
