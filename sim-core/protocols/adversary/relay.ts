import type { TimeUs } from '../../engine/time.ts';
import type { Address, ConnId, PeerActions, PeerProtocol } from '../../sans-io/protocol.ts';
import { release, retain } from '../../sans-io/release.ts';
import type { Identity } from '../identity/registry.ts';
import type { WireItem } from '../node/peer-node.ts';

export interface RelayConfig {
  /** Pairs it sits between: [victim, honest peer it impersonates to the victim]. */
  pairs: readonly (readonly [Address, Address])[];
  /** After the relayed handshake, it misbehaves on the victim's side once this long has passed (to get the impersonated id banned). */
  misbehaveAfterUs: number;
  redialUs: number;
  maxDials: number;
}

export interface RelayStats {
  dials: number;
  /** Pairs with both connections open at once. */
  bridged: number;
  itemsRelayed: number;
  garbageSent: number;
  closedByVictim: number;
}

/** Items held for a side that is not connected yet (its version arrives before the other side is up). */
const MAX_PENDING = 64;
const TIMER_DIAL = 1;
const TIMER_MISBEHAVE = 2;

/**
 * Handshake relay (man in the middle): dials a victim V and an honest peer H
 * and copies everything between the two connections. If the handshake
 * signature covers only the nonces, V accepts the link as H (at the
 * attacker's address). A while later it sends V garbage, so V's penalty
 * lands on whatever V believes is at the other end. Works one pair at a
 * time, moving on when either side hangs up.
 */
export class RelayAdversary implements PeerProtocol<WireItem> {
  readonly kind = 'relay';
  readonly stats: RelayStats = { dials: 0, bridged: 0, itemsRelayed: 0, garbageSent: 0, closedByVictim: 0 };
  readonly victims = new Set<Address>();
  private next = 0;
  private victimConn: ConnId = -1;
  private honestConn: ConnId = -1;
  private up = new Set<ConnId>();
  private pending = new Map<ConnId, WireItem[]>();

  constructor(
    private readonly io: PeerActions<WireItem>,
    private readonly cfg: RelayConfig,
    /** Its key pair: never used on the wire (it speaks no handshake of its own), kept so every host of a run has one. */
    readonly identity?: Identity,
  ) {}

  /**
   * First start or restart. A crash or stop tells the protocol nothing
   * (its connections are gone, its timers dropped): a restart begins with
   * no pair, giving back what it held for the old connections — else it
   * would wait forever on a pair whose ends no longer exist.
   */
  onStart(): void {
    this.dropPair();
    this.io.setTimer(1, TIMER_DIAL);
  }

  onConnected(_now: TimeUs, conn: ConnId, _remote: Address, dir: 'in' | 'out'): void {
    if (dir === 'in' || (conn !== this.victimConn && conn !== this.honestConn)) return void this.io.close(conn);
    this.up.add(conn);
    const other = this.otherOf(conn);
    for (const item of this.pending.get(other) ?? []) {
      this.io.send(conn, item);
      release(item); // held while it waited (a pooled message goes back only once delivered)
    }
    this.pending.delete(other);
    if (this.up.has(this.victimConn) && this.up.has(this.honestConn)) {
      this.stats.bridged++;
      this.io.setTimer(this.cfg.misbehaveAfterUs, TIMER_MISBEHAVE);
    }
  }

  onMessage(_now: TimeUs, conn: ConnId, item: WireItem): void {
    const other = this.otherOf(conn);
    if (other < 0) return;
    this.stats.itemsRelayed++;
    if (this.up.has(other)) return this.io.send(other, item);
    const q = this.pending.get(conn) ?? [];
    if (q.length < MAX_PENDING) {
      retain(item); // kept past this handler
      q.push(item);
    }
    this.pending.set(conn, q);
  }

  onDialFailed(_now: TimeUs, conn: ConnId): void {
    this.teardown(conn);
  }

  onClosed(_now: TimeUs, conn: ConnId): void {
    if (conn === this.victimConn) this.stats.closedByVictim++;
    this.teardown(conn);
  }

  onTimer(_now: TimeUs, tag: number): void {
    if (tag === TIMER_DIAL) return this.dialPair();
    if (tag === TIMER_MISBEHAVE && this.up.has(this.victimConn) && this.up.has(this.honestConn)) {
      this.victims.add(this.cfg.pairs[(this.next - 1) % this.cfg.pairs.length][0]);
      this.stats.garbageSent++;
      // A frame header announcing a type no peer sends: a malformed frame, charged to "H".
      this.io.send(this.victimConn, Uint8Array.of(0, 0, 0, 4, 0xee, 1, 2, 3, 4));
    }
  }

  private otherOf(conn: ConnId): ConnId {
    if (conn === this.victimConn) return this.honestConn;
    if (conn === this.honestConn) return this.victimConn;
    return -1;
  }

  private dialPair(): void {
    if (this.victimConn >= 0 || this.cfg.pairs.length === 0 || this.stats.dials + 2 > this.cfg.maxDials) return;
    const [v, h] = this.cfg.pairs[this.next++ % this.cfg.pairs.length];
    this.stats.dials += 2;
    this.victimConn = this.io.dial(v);
    this.honestConn = this.io.dial(h);
  }

  /** Either side gone: hang up the other and try the next pair later. */
  private teardown(conn: ConnId): void {
    const other = this.otherOf(conn);
    if (other < 0) return;
    if (this.up.has(other)) this.io.close(other);
    this.dropPair();
    this.io.setTimer(this.cfg.redialUs, TIMER_DIAL);
  }

  /** Forgets the current pair, releasing the items held for it. */
  private dropPair(): void {
    this.up.clear();
    for (const q of this.pending.values()) for (const item of q) release(item);
    this.pending.clear();
    this.victimConn = -1;
    this.honestConn = -1;
  }
}
