import { US_PER_MS, US_PER_S, type TimeUs } from '../../engine/time.ts';
import { MAX_KAD_NODES } from '../../wire/constants.ts';

/** Id width: 160 bits = 5 × uint32, most significant word first (SHA-1 sized, as in the paper). */
export const KAD_ID_BITS = 160;
export const KAD_ID_WORDS = 5;
/** Number of k-buckets: bucket i holds peers at XOR distance in [2^i, 2^(i+1)). */
export const KAD_BUCKETS = KAD_ID_BITS;

/** Every Kademlia knob. Times are integer µs like the rest of the simulator. */
export interface KademliaConfig {
  /** Bucket size and lookup result size (paper: 20). */
  k: number;
  /** FIND_NODE requests a lookup keeps in flight at most (paper: 3). */
  alpha: number;
  /** Newcomers remembered per full bucket, most recent kept (paper §4.1 replacement cache). */
  replacementCacheSize: number;
  /** A bucket whose range no lookup targeted for this long gets a refresh lookup (paper: 1 h). */
  bucketRefreshUs: TimeUs;
  /** A FIND_NODE or PING with no answer after this is a failure (the driver owns the timer). */
  requestTimeoutUs: TimeUs;
  /** A lookup never sends a query whose round (causal depth, see lookup.ts) exceeds this. */
  maxLookupRounds: number;
  /** A lookup sends at most this many FIND_NODE requests. */
  maxLookupQueries: number;
  /** Candidates a lookup remembers (closest first); ≥ k so failures have backups. */
  lookupShortlistSize: number;
  /** Nodes read from one KadNodes response at most (extra ones are ignored). */
  maxNodesPerResponse: number;
}

export const DEFAULT_KADEMLIA_CONFIG: Readonly<KademliaConfig> = Object.freeze({
  k: 20,
  alpha: 3,
  replacementCacheSize: 10,
  bucketRefreshUs: 3600 * US_PER_S,
  requestTimeoutUs: 5 * US_PER_S,
  maxLookupRounds: 64,
  maxLookupQueries: 256,
  lookupShortlistSize: 60,
  maxNodesPerResponse: 20,
});

/** Hard ceilings so a bad config cannot make a peer allocate or loop without bound. */
const LIMITS: Record<keyof KademliaConfig, [number, number]> = {
  k: [1, MAX_KAD_NODES],
  alpha: [1, 64],
  replacementCacheSize: [0, 1024],
  bucketRefreshUs: [1, 365 * 24 * 3600 * US_PER_S],
  requestTimeoutUs: [US_PER_MS, 3600 * US_PER_S],
  maxLookupRounds: [1, 1024],
  maxLookupQueries: [1, 65536],
  lookupShortlistSize: [1, 4096],
  maxNodesPerResponse: [1, MAX_KAD_NODES],
};

/** Defaults overridden by `partial`, validated: throws a RangeError naming the field. */
export function kademliaConfig(partial: Partial<KademliaConfig> = {}): KademliaConfig {
  const cfg: KademliaConfig = { ...DEFAULT_KADEMLIA_CONFIG, ...partial };
  for (const key of Object.keys(LIMITS) as (keyof KademliaConfig)[]) {
    const [lo, hi] = LIMITS[key];
    const v = cfg[key];
    if (!Number.isInteger(v) || v < lo || v > hi) {
      throw new RangeError(`kademlia config ${key}: got ${String(v)}; must be an integer in [${lo}, ${hi}]`);
    }
  }
  if (cfg.lookupShortlistSize < cfg.k) {
    throw new RangeError(`kademlia config lookupShortlistSize: got ${cfg.lookupShortlistSize}; must be ≥ k (${cfg.k})`);
  }
  return cfg;
}

// ---- KademliaApp (the overlay strategy) ----

/** Timer tags. A request's deadline uses TAG_RPC + its slot; every tag stays below 4,096 (CompositeApp's range per app). */
export const TAG_SWEEP = 1;
export const TAG_LINKS = 2;
export const TAG_WORKLOAD = 3;
export const TAG_REFRESH = 4;
export const TAG_JOIN = 5;
export const TAG_ORPHANS = 6;
export const TAG_REDIAL = 7;
export const TAG_RPC = 16;

/** Retry period of dials the peer manager refused, and how long a request waits on them. */
export const REDIAL_US = 250_000;
export const REDIAL_GIVE_UP_US = 2_000_000;

/** Bootstrap peers remembered as join seeds. */
export const MAX_BOOT_PEERS = 64;
/** Bootstrap nodes a joining peer contacts at once (libp2p dials them all; a long list is sampled). */
export const JOIN_FANOUT = 3;

/** A link whose connection the other side closes within this long of its handshake was turned away (no room for it). */
export const LINK_SETTLE_US = 60_000_000;
/** A peer that turned a link away is not chosen as a link again for this long (its room is for lookups). */
export const LINK_REFUSED_US = 600_000_000;
/** Peers remembered as having turned a link away (bounded; the oldest is forgotten first). */
export const MAX_REFUSED_LINKS = 256;
