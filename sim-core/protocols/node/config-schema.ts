import { z } from 'zod';
import { int, num } from '../../config/fields.ts';

/**
 * The peer manager's sections: `protocol.node` (its knobs), and the
 * scenario's top-level `crypto` and `wire`. Times in seconds here; the
 * driver converts to µs.
 */
export const nodeSchema = z.strictObject({
  protocolVersion: int(0, 65535).default(1),
  minProtocolVersion: int(0, 65535).default(1),
  handshakeTimeoutS: num(0.01, 3600).default(10),
  /**
   * What the verack signs: 'bound' (both versions and both addresses of the
   * connection: a relay between two peers fails) or 'seed' (the two nonces
   * only, the seed protocol, which a relay passes as the far end).
   */
  handshake: z.enum(['seed', 'bound']).default('bound'),
  /**
   * Inbound connections per remote address, still handshaking
   * (`pendingPerAddress`) and in all (`inboundPerAddress`), and the share of
   * the inbound slots one network group (the AS when the network has a
   * placement, else the address) may hold: no host, and no AS, takes them all.
   */
  limits: z
    .strictObject({
      pendingPerAddress: int(1, 1024).default(2),
      inboundPerAddress: int(1, 1024).default(2),
      inboundGroupShare: num(0.01, 1).default(0.34),
      /** charge: an addr nobody asked for costs its sender and is ignored; accept: learnt from, as in the seed. */
      unsolicitedAddr: z.enum(['charge', 'accept']).default('charge'),
    })
    .default({ pendingPerAddress: 2, inboundPerAddress: 2, inboundGroupShare: 0.34, unsolicitedAddr: 'charge' }),
  /**
   * Outbound links up for `minAgeS` become anchors (at most `count`),
   * redialled first after a restart, against eclipses. `keepInSelection`:
   * an app that picks its own neighbours (the global map) never drops an
   * anchor, so Sybils that look attractive cannot replace every link of a
   * victim. Off by default so runs keep the seed's selection.
   */
  anchors: z
    .strictObject({
      count: int(0, 64).default(2),
      minAgeS: num(0, 86_400).default(60),
      keepInSelection: z.boolean().default(false),
    })
    .default({ count: 2, minAgeS: 60, keepInSelection: false }),
  maxInbound: int(0, 1024).default(24),
  maxOutbound: int(0, 1024).default(8),
  outboundTarget: int(0, 1024).default(8),
  tickS: num(0.01, 3600).default(1),
  pingIntervalS: num(0.1, 86_400).default(30),
  staleTimeoutS: num(0.1, 86_400).default(90),
  backoff: z
    .strictObject({
      baseS: num(0.001, 3600).default(1),
      capS: num(0.001, 86_400).default(300),
      jitter: num(0, 0.99).default(0.2),
      maxFailures: int(1, 1000).default(12),
    })
    .default({ baseS: 1, capS: 300, jitter: 0.2, maxFailures: 12 }),
  ban: z
    .strictObject({
      threshold: int(1, 1_000_000).default(100),
      durationS: num(0, 30 * 86_400).default(3600),
      /** Misbehaviour scores halve every halfLifeS (0: never decay, as in the seed). */
      halfLifeS: num(0, 30 * 86_400).default(600),
    })
    .default({ threshold: 100, durationS: 3600, halfLifeS: 600 }),
  rate: z
    .strictObject({
      msgsPerS: num(0.01, 1e6).default(200),
      burst: int(1, 1e6).default(400),
    })
    .default({ msgsPerS: 200, burst: 400 }),
  /** Seconds between LAN discovery beacons (seed 003), multicast on the host's network.lan segment; 0: none. */
  lanBeaconS: num(0, 86_400).default(0),
  /** Addresses (and peer ids) remembered; ~150 bytes each, so this bounds a large run's memory. */
  addrBookCapacity: int(16, 1_000_000).default(1024),
  addrResponseMax: int(1, 1000).default(100),
  /**
   * addrman: new/tried tables of buckets, a source (group) reaching only
   * `bucketsPerSource` new buckets, so an address flood cannot evict the
   * rest (Bitcoin Core's design); seed: one list, first-in evicted.
   */
  addrBook: z
    .strictObject({
      kind: z.enum(['seed', 'addrman']).default('addrman'),
      bucketSize: int(1, 1024).default(16),
      bucketsPerSource: int(1, 65_536).default(16),
    })
    .default({ kind: 'addrman', bucketSize: 16, bucketsPerSource: 16 }),
});

export const cryptoSchema = z.strictObject({
  /** real: Ed25519 signatures (slow in large runs); model: cheap stand-in with the same sizes. */
  signatures: z.enum(['real', 'model']).default('model'),
  /** Modelled CPU cost per signature and per verification, charged as simulated time in both modes. */
  signUs: num(0, 1e6).default(70),
  verifyUs: num(0, 1e6).default(200),
  /**
   * Proof-of-work identities (anti-Sybil): each identity needs a nonce whose
   * SHA-256 with the peer id starts with `difficulty` zero bits, checked in
   * the handshake (0: off). Grinding delays a new node's start by
   * hashes × hashUs — real SHA-256 with signatures: real (difficulty ≤ 20),
   * a drawn number of hashes with signatures: model.
   */
  pow: z
    .strictObject({
      difficulty: int(0, 64).default(0),
      hashUs: num(0, 1e6).default(1),
    })
    .default({ difficulty: 0, hashUs: 1 }),
});

export const wireSchema = z.strictObject({
  maxFrameBytes: int(1024, 16 * 1024 * 1024).default(65536),
  /** Encode every message to bytes and decode it at the receiver (slower; exercises the codec on every message). */
  materialize: z.boolean().default(false),
});

export type NodeSettings = z.infer<typeof nodeSchema>;
export type CryptoSettings = z.infer<typeof cryptoSchema>;
export type WireSettings = z.infer<typeof wireSchema>;
