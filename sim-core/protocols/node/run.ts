import type { AdversarySpec } from '../adversary/config-schema.ts';
import type { CryptoSettings, NodeSettings, WireSettings } from './config-schema.ts';

/**
 * A node-protocol run as the protocols see it: the population and the peer
 * manager's sections. The scenario layer fills it in, so nothing below the
 * scenario reads a scenario file.
 */
export interface NodeRun {
  /** Honest peers at the start (churn's newcomers come after them). */
  readonly peers: number;
  /** The first `count` honest peers are bootstrap nodes; `mesh`: they keep a link to each other. */
  readonly bootstrap: { readonly count: number; readonly mesh: boolean };
  readonly adversaries: readonly AdversarySpec[];
  readonly durationS: number;
  /** Honest peers the scenario crashes, and when (the node metrics report their reconnection). */
  readonly crashes: readonly { address: number; atUs: number }[];
  readonly node: NodeSettings;
  readonly crypto: CryptoSettings;
  readonly wire: WireSettings;
  /** protocol.globalmap.security of a strategy on the globalmap section: forgers sign with their own key in a signed map. */
  readonly mapSecurity?: 'seed' | 'signed';
  /** Network group of an address (its AS when the underlay places hosts), for per-group limits and the address book; absent: each address its own. */
  readonly netGroupOf?: (address: number) => number;
}
