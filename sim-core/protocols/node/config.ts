import type { HandshakeConfig } from '../handshake/handshake.ts';

/** Misbehaviour a peer can be charged with (seed 000 limits, DESIGN H2/H5, G5). */
export type Offence =
  | 'malformed-frame'
  | 'oversized-frame'
  | 'out-of-state'
  | 'unsolicited'
  | 'rate-exceeded'
  | 'bad-signature'
  | 'insufficient-work'
  | 'inconsistent-events'
  | 'excessive-events'
  /** An `addr` we did not ask for (or beyond the answer we asked for). */
  | 'unsolicited-addr'
  /** A directed answer (an app's reply to a request) nobody asked for: apps charge it. */
  | 'unsolicited-answer';

export const OFFENCES: readonly Offence[] = [
  'malformed-frame',
  'oversized-frame',
  'out-of-state',
  'unsolicited',
  'rate-exceeded',
  'bad-signature',
  'insufficient-work',
  'inconsistent-events',
  'excessive-events',
  'unsolicited-addr',
  'unsolicited-answer',
];

export type AddrBookKind = 'seed' | 'addrman';

/** Everything the peer manager needs to know; the scenario schema fills it. */
export interface NodeConfig {
  handshake: HandshakeConfig;
  handshakeTimeoutUs: number;
  maxInbound: number;
  maxOutbound: number;
  /** Outbound connections the node tries to keep when it dials by itself. */
  outboundTarget: number;
  /** Dial from the address book to reach `outboundTarget` (apps that choose their neighbours turn it off). */
  autoDial: boolean;
  /** Period of the maintenance tick (handshake timeouts, keepalive, stale peers, dialing). */
  tickUs: number;
  pingIntervalUs: number;
  /** A peer silent for this long is dropped. */
  staleTimeoutUs: number;
  backoffBaseUs: number;
  backoffCapUs: number;
  /** Relative jitter in [0, 1): the delay is scaled by a uniform factor in [1 − j, 1 + j]. */
  backoffJitter: number;
  /** After this many consecutive failures an address is forgotten (bootstrap addresses never are). */
  maxDialFailures: number;
  banThreshold: number;
  banDurationUs: number;
  /** Misbehaviour scores halve every this long (0: they never decay, as in the seed). */
  banScoreHalfLifeUs: number;
  /** Inbound connections still handshaking from one address. */
  maxPendingPerAddress: number;
  /** Inbound connections (handshaking or up) from one address. */
  maxInboundPerAddress: number;
  /**
   * Share of the inbound slots (maxInbound + the handshake slack) one
   * network group (AS when known) may hold, handshaking or up: a share, not
   * a count, since strategies set maxInbound from 16 to 64 and more.
   */
  maxInboundGroupShare: number;
  /** An `addr` nobody asked for: charge it and ignore it ('charge'), or learn from it as the seed did ('accept'). */
  unsolicitedAddr: 'charge' | 'accept';
  /** Outbound links kept as anchors: redialled first after a restart (0: none). */
  anchorCount: number;
  /** An outbound link becomes an anchor once up this long. */
  anchorMinAgeUs: number;
  /** Apps that pick neighbours never drop an anchor link (isAnchor answers false when off). */
  anchorKeepInSelection: boolean;
  offencePoints: Record<Offence, number>;
  /** Token bucket per connection: sustained messages per second and burst. */
  rateMsgsPerS: number;
  rateBurst: number;
  /** Address slots of the book (addrman: its new table; the tried table adds a quarter). */
  addrBookCapacity: number;
  addrBook: AddrBookKind;
  /** Addrman: slots per bucket, and new buckets one source group can reach. */
  addrBucketSize: number;
  addrBucketsPerSource: number;
  /** Addresses sent in one `addr` answer (without addrMixing). */
  addrResponseMax: number;
  /**
   * Bitcoin Core's address mixing (addr-mixing.ts): getaddr to every
   * outbound peer, answers of 23% of the table, our address announced to
   * each new peer, fresh announcements relayed to two peers, feelers. Off:
   * the seed's discovery (getaddr while the book is small, 100 per answer).
   */
  addrMixing: boolean;
  maxFrameBytes: number;
  /** Encode every message to bytes and decode it at the receiver (slower; proves the codec on the wire). */
  materialize: boolean;
  signUs: number;
  verifyUs: number;
  /** Period of LAN discovery beacons (0: none); they reach the hosts of the same network.lan segment. */
  lanBeaconIntervalUs: number;
  /** Identity proof of work required of the other side in the handshake (leading zero bits; 0: none). */
  powDifficulty: number;
  /** Modelled CPU cost of one proof-of-work hash: grinding delays a node's first start, checking costs one. */
  powHashUs: number;
  /** Dial attempts remembered per node for the report. */
  attemptLogSize: number;
}

export const DEFAULT_NODE_CONFIG: NodeConfig = {
  handshake: { protocolVersion: 1, minProtocolVersion: 1, services: 0, userAgent: '/peermap:0.1/', transcript: 'bound' },
  handshakeTimeoutUs: 10_000_000,
  maxInbound: 24,
  maxOutbound: 8,
  outboundTarget: 8,
  autoDial: true,
  tickUs: 1_000_000,
  pingIntervalUs: 30_000_000,
  staleTimeoutUs: 90_000_000,
  backoffBaseUs: 1_000_000,
  backoffCapUs: 300_000_000,
  backoffJitter: 0.2,
  maxDialFailures: 12,
  banThreshold: 100,
  banDurationUs: 3600_000_000,
  banScoreHalfLifeUs: 600_000_000,
  maxPendingPerAddress: 2,
  maxInboundPerAddress: 2,
  maxInboundGroupShare: 0.34,
  unsolicitedAddr: 'charge',
  anchorCount: 2,
  anchorKeepInSelection: false,
  anchorMinAgeUs: 60_000_000,
  offencePoints: {
    'malformed-frame': 100,
    'oversized-frame': 100,
    'out-of-state': 50,
    unsolicited: 10,
    'rate-exceeded': 5,
    'bad-signature': 100,
    'insufficient-work': 100,
    'inconsistent-events': 20,
    'excessive-events': 10,
    'unsolicited-addr': 20,
    'unsolicited-answer': 20,
  },
  rateMsgsPerS: 200,
  rateBurst: 400,
  addrBookCapacity: 1024,
  addrBook: 'addrman',
  addrBucketSize: 16,
  addrBucketsPerSource: 16,
  addrResponseMax: 100,
  addrMixing: false,
  maxFrameBytes: 64 * 1024,
  materialize: false,
  signUs: 70,
  verifyUs: 200,
  powDifficulty: 0,
  powHashUs: 1,
  lanBeaconIntervalUs: 0,
  attemptLogSize: 256,
};
