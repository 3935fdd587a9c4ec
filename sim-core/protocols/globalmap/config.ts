/** The global-map app's settings (µs); the scenario's `protocol.globalmap` section fills them. */
export interface GlobalmapConfig {
  /** Neighbours each peer aims for (seed: 12). */
  targetDegree: number;
  /** Neighbours beyond the target a peer accepts before refusing or kicking (seed: "may exceed 12 temporarily"). */
  degreeSlack: number;
  /** A new link is announced after this delay, so links that die at once (refused, duplicate) are never gossiped. */
  announceDelayUs: number;
  /** Hops an event travels (seed: six degrees). */
  ttl: number;
  /** Forward each new event to this many random neighbours; 0 floods to all (the seed). */
  gossipFanout: number;
  /** Events per gm-events message; 1 reproduces the seed's one-event-per-message protocol. */
  batchSize: number;
  /** Longest an event waits in a batch before it is sent. */
  flushIntervalUs: number;
  /** Full batches sent at most this often a second, bursts of twice that (the outbox's flush budget). */
  maxFlushesPerS: number;
  /** Events queued per neighbour at most (oldest dropped beyond). */
  maxQueuedEvents: number;
  /** Anti-spam memory: an event stays recognised this long after a peer last queued it (event-table.ts). */
  dedupeWindowUs: number;
  /** Every peer re-announces its links this often, so maps do not forget live links. */
  refreshIntervalUs: number;
  /** Map entries not refreshed within this are forgotten (GC). */
  entryTtlUs: number;
  /** A claimed link whose other side never confirmed it is dropped after this. */
  confirmTimeoutUs: number;
  gcIntervalUs: number;
  /** Period of neighbour selection (dial, kick). */
  selectIntervalUs: number;
  /** Candidates scored per selection round (random sample of the map). */
  candidateSample: number;
  /** A new candidate must beat the worst neighbour's overlap score by this much to replace it (hysteresis). */
  kickMargin: number;
  /** A peer replaces a neighbour by a better candidate at most this often. */
  replaceIntervalUs: number;
  /** Links younger than this are never kicked (no flapping). */
  minLinkAgeUs: number;
  /** A peer we failed to reach is not tried again before this. */
  candidateCooldownUs: number;
  /** Ask the first neighbour for its whole map when joining. */
  syncOnJoin: boolean;
  /** Map entries served in one sync answer at most. */
  maxSyncEntries: number;
  /** Claims per origin (more is "excessive": ignored, ban score). */
  maxClaims: number;
  maxSkewUs: number;
  /** Directed messages: a re-route allowed at most once per message. */
  enableReRouting: boolean;
  /** seed: unsigned events (the seed's protocol); signed: origin-signed events and syncs, verified by every relay. */
  security: 'seed' | 'signed';
  /** A bootstrap node keeps (redials, never kicks) a link to every other bootstrap node. */
  bootstrapMesh: boolean;
}

export const DEFAULT_GLOBALMAP_CONFIG: GlobalmapConfig = {
  targetDegree: 12,
  degreeSlack: 4,
  announceDelayUs: 2_000_000,
  ttl: 6,
  gossipFanout: 0,
  batchSize: 1,
  flushIntervalUs: 200_000,
  maxFlushesPerS: 100,
  maxQueuedEvents: 1024,
  dedupeWindowUs: 30_000_000,
  refreshIntervalUs: 600_000_000,
  entryTtlUs: 1_800_000_000,
  confirmTimeoutUs: 60_000_000,
  gcIntervalUs: 30_000_000,
  selectIntervalUs: 10_000_000,
  candidateSample: 48,
  kickMargin: 2,
  replaceIntervalUs: 300_000_000,
  minLinkAgeUs: 120_000_000,
  candidateCooldownUs: 120_000_000,
  syncOnJoin: true,
  maxSyncEntries: 20_000,
  maxClaims: 32,
  maxSkewUs: 60_000_000,
  enableReRouting: true,
  security: 'seed',
  bootstrapMesh: false,
};
