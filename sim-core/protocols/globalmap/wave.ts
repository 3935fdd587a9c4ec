import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';

/**
 * What the event table tells an observer of one gossip wave: the origin
 * interned an event, a peer applied a copy for the first time. Both are
 * called only when a watch is set (the run's own path tests one field).
 */
export interface WaveWatch {
  originated(self: PeerNum, serial: number, ttl: number, now: TimeUs): void;
  applied(self: PeerNum, from: PeerNum, serial: number, ttl: number, now: TimeUs): void;
}

/**
 * One followed gossip wave (the dashboard's "follow a gossip wave"): the
 * next event `origin` originates, and for every peer (by peer number) when
 * it first applied it, from which neighbour, at which hop and with how many
 * hops left. Arrays of the peer space, one wave at a time: memory is bounded
 * by the peers, not by the run. Only reads the protocol's callbacks, never
 * schedules or draws, so following changes nothing in the run.
 */
export class GossipWave implements WaveWatch {
  /** The followed event's serial; -1 until the origin originates one. */
  serial = -1;
  startUs = -1;
  /** Hops the origin gave the event (the network's TTL). */
  ttl = 0;
  /** Peers that applied it, the origin included. */
  reached = 0;
  /** Time of the last first receipt. */
  lastUs = -1;
  readonly firstUs: Float64Array;
  readonly via: Int32Array;
  readonly hop: Int16Array;
  readonly ttlLeft: Int16Array;

  constructor(
    readonly origin: PeerNum,
    /** Peer numbers tracked (0 … peers − 1); receipts by peers past it are ignored. */
    readonly peers: number,
  ) {
    this.firstUs = new Float64Array(peers).fill(-1);
    this.via = new Int32Array(peers).fill(-1);
    this.hop = new Int16Array(peers).fill(-1);
    this.ttlLeft = new Int16Array(peers).fill(-1);
  }

  originated(self: PeerNum, serial: number, ttl: number, now: TimeUs): void {
    if (this.serial >= 0 || self !== this.origin || self >= this.peers) return;
    this.serial = serial;
    this.startUs = now;
    this.ttl = ttl;
    this.mark(self, -1, 0, ttl, now);
  }

  applied(self: PeerNum, from: PeerNum, serial: number, ttl: number, now: TimeUs): void {
    if (serial !== this.serial || self >= this.peers || this.firstUs[self] >= 0) return;
    // A relay forwards only what it applied first, so its own hop is known (−1 if it lies beyond the tracked space).
    const h = from >= 0 && from < this.peers && this.hop[from] >= 0 ? this.hop[from] + 1 : -1;
    this.mark(self, from, h, ttl, now);
  }

  private mark(p: PeerNum, from: PeerNum, hop: number, ttl: number, now: TimeUs): void {
    this.firstUs[p] = now;
    this.via[p] = from;
    this.hop[p] = hop;
    this.ttlLeft[p] = ttl;
    this.reached++;
    this.lastUs = now;
  }
}

/** The part of an app (a workload composite is looked through) that can start a followed wave. */
export interface WaveSource {
  readonly eventTable: { watch: WaveWatch | null } | undefined;
  announceNow(now: TimeUs): boolean;
}

export function waveSourceOf(app: unknown): WaveSource | undefined {
  const parts = (app as { apps?: readonly unknown[] } | undefined)?.apps ?? (app ? [app] : []);
  for (const part of parts) {
    const s = part as Partial<WaveSource>;
    if (typeof s.announceNow === 'function' && s.eventTable !== undefined) return s as WaveSource;
  }
  return undefined;
}
