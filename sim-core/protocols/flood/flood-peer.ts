import type { Rng } from '../../engine/rng.ts';
import { secondsToUs, type TimeUs } from '../../engine/time.ts';
import type { Address, ConnId, Direction, PeerActions, PeerProtocol } from '../../sans-io/protocol.ts';
import type { FloodPing } from './messages.ts';

/** Configuration of the flooding-ping demo protocol (validated by the scenario schema). */
export interface FloodConfig {
  /** Outbound connections each peer keeps. */
  degree: number;
  /** Inbound connections accepted at most. */
  maxInbound: number;
  /** Mean interval between pings a peer originates (exponential), seconds. */
  pingIntervalS: number;
  /** Hops a ping travels at most. */
  ttl: number;
  /** Seconds between attempts to refill outbound slots. */
  dialRetryS: number;
  /** Ping ids remembered for dedupe (oldest forgotten first). */
  seenCapacity: number;
}

const TIMER_DIAL = 1;
const TIMER_PING = 2;
/** Bound on random picks per refill, so a peer with no reachable candidates cannot spin. */
const MAX_DIAL_PICKS = 64;

/** Per-peer counters the metrics layer sums. */
export interface FloodStats {
  originated: number;
  firstReceipts: number;
  duplicates: number;
  forwarded: number;
  dialFailures: number;
}

/**
 * Flooding pings over a random overlay: each peer dials `degree` random
 * peers, periodically floods a ping with a hop limit, and forwards every ping
 * it sees for the first time to all its neighbours except the sender.
 */
export class FloodPeer implements PeerProtocol<FloodPing> {
  readonly stats: FloodStats = { originated: 0, firstReceipts: 0, duplicates: 0, forwarded: 0, dialFailures: 0 };
  /** Open connections, insertion-ordered so forwarding order is deterministic. */
  readonly neighbours = new Set<ConnId>();
  private readonly outbound = new Set<ConnId>();
  private inbound = 0;
  private dialing = 0;
  private seq = 0;
  private readonly seen = new Map<number, true>();
  private readonly pingMeanUs: number;
  private readonly dialRetryUs: number;

  constructor(
    private readonly self: Address,
    private readonly population: number,
    private readonly io: PeerActions<FloodPing>,
    private readonly rng: Rng,
    private readonly cfg: FloodConfig,
  ) {
    this.pingMeanUs = secondsToUs(cfg.pingIntervalS);
    this.dialRetryUs = secondsToUs(cfg.dialRetryS);
  }

  /**
   * First start or restart. A crash or stop tells the protocol nothing:
   * its connections and dials died with the process, so a restart counts
   * none (stale counts kept it from dialling and made it refuse inbound
   * peers for good). What it has seen it keeps.
   */
  onStart(_now: TimeUs): void {
    this.neighbours.clear();
    this.outbound.clear();
    this.inbound = 0;
    this.dialing = 0;
    this.refill();
    this.io.setTimer(this.dialRetryUs, TIMER_DIAL);
    this.io.setTimer(Math.round(this.rng.exponential(this.pingMeanUs)), TIMER_PING);
  }

  onConnected(_now: TimeUs, conn: ConnId, _remote: Address, dir: Direction): void {
    if (dir === 'out') {
      this.dialing--;
      this.outbound.add(conn);
    } else if (this.inbound >= this.cfg.maxInbound) {
      this.io.close(conn);
      return;
    } else this.inbound++;
    this.neighbours.add(conn);
  }

  onDialFailed(): void {
    this.dialing--;
    this.stats.dialFailures++;
  }

  onClosed(_now: TimeUs, conn: ConnId): void {
    if (!this.neighbours.delete(conn)) return;
    if (!this.outbound.delete(conn)) this.inbound--;
  }

  onTimer(_now: TimeUs, tag: number): void {
    if (tag === TIMER_DIAL) {
      this.refill();
      this.io.setTimer(this.dialRetryUs, TIMER_DIAL);
    } else if (tag === TIMER_PING) {
      this.originate();
      this.io.setTimer(Math.max(1, Math.round(this.rng.exponential(this.pingMeanUs))), TIMER_PING);
    }
  }

  onMessage(_now: TimeUs, from: ConnId, msg: FloodPing): void {
    const key = msg.origin * 4294967296 + msg.seq;
    if (msg.origin === this.self || this.seen.has(key)) {
      this.stats.duplicates++;
      return;
    }
    this.remember(key);
    this.stats.firstReceipts++;
    if (msg.ttl > 1) this.broadcast({ origin: msg.origin, seq: msg.seq, ttl: msg.ttl - 1 }, from);
  }

  private originate(): void {
    const ping: FloodPing = { origin: this.self, seq: this.seq++, ttl: this.cfg.ttl };
    this.stats.originated++;
    this.broadcast(ping, -1);
  }

  private broadcast(msg: FloodPing, except: ConnId): void {
    for (const conn of this.neighbours) {
      if (conn === except) continue;
      this.io.send(conn, msg);
      this.stats.forwarded++;
    }
  }

  private remember(key: number): void {
    this.seen.set(key, true);
    if (this.seen.size > this.cfg.seenCapacity) {
      const oldest = this.seen.keys().next().value as number;
      this.seen.delete(oldest);
    }
  }

  private refill(): void {
    let picks = 0;
    while (this.outbound.size + this.dialing < this.cfg.degree && picks++ < MAX_DIAL_PICKS) {
      const to = this.rng.int(this.population);
      if (to === this.self) continue;
      this.dialing++;
      this.io.dial(to);
    }
  }
}
