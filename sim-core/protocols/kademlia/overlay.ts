import type { PeerNum } from '../../wire/ids.ts';
import { KAD_BUCKETS } from './constants.ts';
import type { RoutingTable } from './routing-table.ts';

/**
 * The persistent overlay links of a Kademlia peer, chosen from its routing
 * table: round-robin over the non-empty buckets from the farthest (159)
 * down, one peer per bucket per pass, most recently seen first within a
 * bucket (most likely alive). The first pass gives one link per distance
 * scale (~log2 n of them: long-range links for a small diameter plus the
 * closest neighbours for the DHT), later passes add second links to the
 * farthest buckets, which cover most of the id space — the spread devp2p and
 * libp2p aim for. Deterministic; returns min(count, table.size) distinct peers.
 */
export function chooseOverlayLinks(table: RoutingTable, count: number): PeerNum[] {
  const out: PeerNum[] = [];
  const want = Math.min(Math.max(0, Math.floor(count)), table.size);
  for (let pass = 0; out.length < want && pass < table.config.k; pass++) {
    for (let b = KAD_BUCKETS - 1; b >= 0 && out.length < want; b--) {
      const entries = table.bucket(b);
      if (pass < entries.length) out.push(entries[entries.length - 1 - pass]);
    }
  }
  return out;
}
