/** What the driver counts; both models fill the same fields so they can be compared. */
export interface GossipStats {
  originated: number;
  receipts: number;
  duplicates: number;
  applied: number;
  stale: number;
  excessive: number;
  messages: number;
  /** Event copies sent (sum of message lengths). */
  forwarded: number;
  /** Outbox exclusions added because a neighbour sent us an event still waiting to go out. */
  suppressed: number;
}

export function newStats(): GossipStats {
  return { originated: 0, receipts: 0, duplicates: 0, applied: 0, stale: 0, excessive: 0, messages: 0, forwarded: 0, suppressed: 0 };
}

/** The driver's side: the model hands it messages (as int handles) and flush-timer requests. */
export interface Net {
  /** Message `handle` from p to its j-th neighbour; delivered later, never from inside this call. */
  send(p: number, j: number, handle: number): void;
  /** p has events waiting: set its flush timer unless already set. */
  arm(p: number): void;
}

/** One gossip implementation under the driver: the kernel or the reference. */
export interface GossipModel {
  readonly stats: GossipStats;
  originate(now: number, origin: number, peer: number, flags: number): void;
  /** Message `handle` arrives at p from its j-th neighbour. */
  deliver(now: number, p: number, j: number, handle: number): void;
  flush(p: number): void;
  /** p's map entries for origin, sorted by peer: [peer, flags, ts]. */
  entries(p: number, origin: number): [number, number, number][];
}

export interface GossipParams {
  ttl: number;
  batchSize: number;
  maxClaims: number;
  /** Register slots per origin record (links + tombstones). */
  maxEntries: number;
}

export const DEFAULT_GOSSIP: GossipParams = { ttl: 6, batchSize: 64, maxClaims: 32, maxEntries: 32 };
