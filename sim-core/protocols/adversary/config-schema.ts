import { z } from 'zod';
import { int, num } from '../../config/fields.ts';

/** One entry of the scenario's `adversaries` list: hostile hosts added to a node-protocol run. */
export const adversarySchema = z.strictObject({
  /**
   * garbage / oversized / out-of-order / flood / bad-signature misbehave on
   * the wire; sybil runs the honest stack plus an eclipse attack on `victims`
   * (dials them, poisons address books, gossips false link events); sleeper
   * runs the honest stack until forgeFromS, then forges map events in honest
   * peers' names (fake links between them, future-stamped disconnects of real ones);
   * poisoned-sync runs the honest stack but answers map-sync requests with
   * endless chunks of false links; slot-exhaustion holds `slots` silent
   * half-open connections to each target from one address; relay sits
   * between two honest peers (targets i and i+1) and copies their
   * handshake, then misbehaves towards the first after intervalS.
   */
  kind: z.enum(['garbage', 'oversized', 'out-of-order', 'flood', 'bad-signature', 'sybil', 'sleeper', 'poisoned-sync', 'slot-exhaustion', 'relay']),
  count: int(1, 10_000).default(1),
  startS: num(0, 30 * 86_400).default(0),
  /** Whom they attack: the bootstrap nodes, or every honest peer in turn. */
  targets: z.enum(['bootstrap', 'all']).default('all'),
  intervalS: num(0.001, 3600).default(0.5),
  burst: int(1, 100_000).default(50),
  redialS: num(0.001, 3600).default(2),
  maxDials: int(1, 1_000_000).default(200),
  /** sybil: honest peers attacked (chosen at random among non-bootstrap peers, same for every Sybil of the run). */
  victims: int(1, 10_000).default(10),
  /** sybil: fake links each Sybil claims to random honest peers. */
  falseLinks: int(0, 64).default(4),
  /** sybil: claim a mesh among the Sybils, which colluding ends "confirm". */
  mesh: z.boolean().default(true),
  /** sybil: mesh links each Sybil claims (kept under the global map's claim limit so they are not rejected as excessive). */
  meshDegree: int(2, 30).default(8),
  /** sybil: false claims are re-gossiped this often. */
  gossipIntervalS: num(1, 86_400).default(60),
  /** sleeper: simulated time (s) it starts forging; before, it is an honest peer. */
  forgeFromS: num(0, 30 * 86_400).default(300),
  /** sleeper: seconds between forging rounds. */
  forgeIntervalS: num(0.01, 86_400).default(10),
  /** sleeper: per round, links between honest peers that do not exist (both halves forged). */
  forgeLinks: int(0, 1000).default(8),
  /** sleeper: per round, real honest links erased by disconnects forged from both ends. */
  forgeTombstones: int(0, 1000).default(8),
  /** sleeper: how far ahead (s) forged disconnects are stamped (the seed map accepts up to maxSkewS ahead). */
  forgeFutureS: num(0, 86_400).default(59),
  /** poisoned-sync: chunks sent per map request (each says more follow). */
  syncChunks: int(1, 10_000).default(16),
  /** poisoned-sync: false honest–honest links per chunk (two records each, ≤ 128). */
  syncLinksPerChunk: int(1, 128).default(100),
  /** poisoned-sync: honest peers dialled per intervalS (to be among newcomers' first neighbours). */
  dialsPerRound: int(0, 1000).default(4),
  /** slot-exhaustion: silent connections held per target. */
  slots: int(1, 1024).default(32),
  /** With crypto.pow: the adversary grinds proofs for its identities (false: it skips the work and is refused). */
  payPow: z.boolean().default(true),
});

export type AdversarySpec = z.infer<typeof adversarySchema>;
