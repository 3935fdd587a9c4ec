import { z } from 'zod';
import { int, num } from '../../config/fields.ts';

/** The global-map overlay (seed 001); times in seconds. Also used by the `random` strategy (selection knobs). */
export const globalmapSchema = z.strictObject({
  /** Neighbours each peer aims for (seed: 12). */
  targetDegree: int(1, 64).default(12),
  /** Neighbours beyond the target accepted before kicking (seed: "may exceed 12 temporarily"). */
  degreeSlack: int(0, 64).default(4),
  /** New links are announced after this delay, so links refused or dropped at once are never gossiped. */
  announceDelayS: num(0, 600).default(2),
  /** Hops an event travels (seed: six degrees). */
  ttl: int(1, 32).default(6),
  /** Forward each new event to this many random neighbours (epidemic gossip); 0 floods to all, as in the seed. */
  gossipFanout: int(0, 64).default(0),
  /**
   * How link events travel. batched: up to batchSize events per gm-events
   * message, each waiting at most flushIntervalS. seed: the seed's protocol,
   * every event alone in its message and sent at once (batchSize and
   * flushIntervalS are then not used; many more, smaller messages).
   */
  gossip: z.enum(['batched', 'seed']).default('batched'),
  /** Events per gm-events message (batched gossip); 1 sends each at once, as gossip: seed does. */
  batchSize: int(1, 256).default(64),
  /** Longest an event waits for its batch to fill (batched gossip). */
  flushIntervalS: num(0.001, 60).default(1),
  /**
   * Full batches sent at most this often a second (batched gossip; bursts of
   * twice as many): past it, events wait for the flush timer and, once the
   * batch is full, are dropped. So a peer stays under its neighbours' message
   * rate limit (limits.rateMsgsPerS, 200 by default) whatever one neighbour
   * feeds it, and a flooder cannot get an honest relay charged for the
   * messages it relays.
   */
  maxFlushesPerS: num(0.1, 100_000).default(100),
  /** Anti-spam memory (seed: "a few seconds"): an event is recognised as already seen for this long after a peer last queued it. */
  dedupeWindowS: num(0.1, 3600).default(30),
  /** Each peer re-announces its links this often so maps keep them. */
  refreshIntervalS: num(1, 86_400).default(600),
  /** Map entries not refreshed within this are forgotten (seed: timestamps for garbage collection). */
  entryTtlS: num(1, 30 * 86_400).default(1800),
  /** A link claimed by one side only (phantom) is dropped after this (seed: bidirectional confirmation timeout). */
  confirmTimeoutS: num(1, 86_400).default(60),
  gcIntervalS: num(0.1, 3600).default(30),
  selectIntervalS: num(0.1, 3600).default(10),
  /** Candidates scored per selection round. */
  candidateSample: int(1, 10_000).default(48),
  /** A candidate must beat the worst neighbour's overlap by this much to replace it (hysteresis). */
  kickMargin: int(0, 1000).default(2),
  /** A peer replaces a neighbour by a better candidate at most this often. */
  replaceIntervalS: num(0, 86_400).default(300),
  /** Links younger than this are never kicked. */
  minLinkAgeS: num(0, 86_400).default(120),
  candidateCooldownS: num(0, 86_400).default(120),
  /** A joining peer asks its first neighbour for its whole map. */
  syncOnJoin: z.boolean().default(true),
  maxSyncEntries: int(0, 1_000_000).default(20_000),
  /** Link claims per origin beyond which events are "excessive" (ban score). */
  maxClaims: int(1, 32).default(32),
  maxSkewS: num(0, 3600).default(60),
  /**
   * Who may write the map. seed (the default, so runs replay the seed's
   * protocol and its traces): events are unsigned, relays forward anything
   * new, only an origin that sends its own bad events is charged. signed:
   * every link event (and every register of a join sync) carries its
   * origin's public key and signature (crypto.signatures: real Ed25519, or
   * the model with exact sizes and crypto.signUs / verifyUs as CPU time);
   * relays verify before applying or forwarding, a bad signature costs the
   * peer that sent it, and a join sync is bounded in chunks and bytes.
   */
  security: z.enum(['seed', 'signed']).default('seed'),
  /** Directed messages may be re-routed once by an intermediate peer (seed: enableReRouting). */
  enableReRouting: z.boolean().default(true),
});

export type GlobalmapSettings = z.infer<typeof globalmapSchema>;
