import type { TimeUs } from '../../engine/time.ts';
import type { Address, ConnId, PeerActions, PeerProtocol } from '../../sans-io/protocol.ts';
import type { Identity } from '../identity/registry.ts';
import type { WireItem } from '../node/peer-node.ts';

export interface SlotExhaustionConfig {
  /** Victims (e.g. the bootstrap nodes): each gets `slots` connections. */
  targets: readonly Address[];
  /** Half-open connections held per victim, all from this one address. */
  slots: number;
  /** Gap before reopening a connection the victim closed or refused. */
  redialUs: number;
  /** Bound on dials over the whole run. */
  maxDials: number;
}

export interface SlotExhaustionStats {
  dials: number;
  connected: number;
  closedByVictim: number;
  /** Most connections open at once. */
  maxHeld: number;
}

/** Timer tags: OPEN + i opens all of victim i's slots; REOPEN + i reopens one. */
const TIMER_OPEN = 1;
const TIMER_REOPEN = 1 << 20;

/**
 * Slot exhaustion from one host: opens `slots` TCP connections to each
 * victim and never says a word, so each sits in the handshake until the
 * victim's timeout, then reopens it. A peer manager without a per-address
 * cap on pending handshakes gives it every inbound slot, renewably.
 */
export class SlotExhauster implements PeerProtocol<WireItem> {
  readonly kind = 'slot-exhaustion';
  readonly stats: SlotExhaustionStats = { dials: 0, connected: 0, closedByVictim: 0, maxHeld: 0 };
  readonly victims = new Set<Address>();
  private readonly target = new Map<ConnId, Address>();
  private held = 0;

  constructor(
    private readonly io: PeerActions<WireItem>,
    private readonly cfg: SlotExhaustionConfig,
    /** Its key pair: never used on the wire (it speaks no handshake of its own), kept so every host of a run has one. */
    readonly identity?: Identity,
  ) {}

  onStart(): void {
    this.target.clear();
    this.held = 0;
    this.cfg.targets.forEach((_, i) => this.io.setTimer(1, TIMER_OPEN + i));
  }

  onConnected(_now: TimeUs, conn: ConnId, remote: Address, dir: 'in' | 'out'): void {
    if (dir === 'in') return void this.io.close(conn);
    this.stats.connected++;
    this.victims.add(remote);
    this.stats.maxHeld = Math.max(this.stats.maxHeld, ++this.held);
  }

  onDialFailed(_now: TimeUs, conn: ConnId): void {
    this.redial(conn);
  }

  onClosed(_now: TimeUs, conn: ConnId): void {
    if (!this.target.has(conn)) return;
    this.held--;
    this.stats.closedByVictim++;
    this.redial(conn);
  }

  onMessage(): void {} // silent: the victim's version waits for an answer that never comes

  onTimer(_now: TimeUs, tag: number): void {
    const reopen = tag >= TIMER_REOPEN;
    const to = this.cfg.targets[tag - (reopen ? TIMER_REOPEN : TIMER_OPEN)];
    if (to === undefined) return;
    const n = reopen ? 1 : this.cfg.slots;
    for (let k = 0; k < n && this.stats.dials < this.cfg.maxDials; k++) {
      this.stats.dials++;
      this.target.set(this.io.dial(to), to);
    }
  }

  private redial(conn: ConnId): void {
    const to = this.target.get(conn);
    this.target.delete(conn);
    if (to === undefined) return;
    this.io.setTimer(this.cfg.redialUs, TIMER_REOPEN + this.cfg.targets.indexOf(to));
  }
}
