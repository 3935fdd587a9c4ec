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
const NONE: ReadonlySet<PeerNum> = new Set();

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

/**
 * `chooseOverlayLinks` with memory: the same number of links per bucket
 * (hence the same spread over distance scales), but within a bucket the
 * peers in `keep` (the current links) are kept first, most recently seen
 * first, and only the remaining places go to the most recently seen others.
 * With an empty `keep` it picks the same set as `chooseOverlayLinks`.
 * Re-evaluating with it every few seconds does not churn connections: a
 * link changes only when its peer left the routing table or its bucket's
 * share shrank. Peers in `avoid` (they turned a link away) are skipped:
 * their bucket's share goes to its other peers. Ordered farthest bucket
 * first. Deterministic.
 */
export function chooseStickyOverlayLinks(
  table: RoutingTable,
  count: number,
  keep: ReadonlySet<PeerNum>,
  avoid: { has(peer: PeerNum): boolean } = NONE,
): PeerNum[] {
  const out: PeerNum[] = [];
  const want = Math.min(Math.max(0, Math.floor(count)), table.size);
  if (want === 0) return out;
  const buckets: number[] = [];
  for (let b = KAD_BUCKETS - 1; b >= 0; b--) if (table.bucket(b).length > 0) buckets.push(b);
  const quota = new Array<number>(buckets.length).fill(0);
  // chooseOverlayLinks's round-robin, counting only: each pass adds ≥ 1 while want ≤ size, so ≤ k passes
  let taken = 0;
  for (let pass = 0; taken < want; pass++) {
    for (let i = 0; i < buckets.length && taken < want; i++) {
      if (pass < table.bucket(buckets[i]).length) {
        quota[i]++;
        taken++;
      }
    }
  }
  for (let i = 0; i < buckets.length; i++) {
    const entries = table.bucket(buckets[i]);
    const end = out.length + quota[i];
    for (let j = entries.length - 1; j >= 0 && out.length < end; j--) if (keep.has(entries[j]) && !avoid.has(entries[j])) out.push(entries[j]);
    for (let j = entries.length - 1; j >= 0 && out.length < end; j--) if (!keep.has(entries[j]) && !avoid.has(entries[j])) out.push(entries[j]);
  }
  return out;
}
