import { MAX_GM_EVENTS } from '../../wire/constants.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { MsgType, type GmEvent, type GmEventsMsg } from '../../wire/messages.ts';
import type { GlobalmapConfig } from './config.ts';
import type { GlobalmapStats } from './stats.ts';

/**
 * Batching of gossiped events (G2 with batchSize > 1): one outbox per peer;
 * every event waits there up to the flush interval with the list of
 * neighbours that must not get it — the one it came from, and any neighbour
 * that sends us the same event meanwhile ("never back to the sender",
 * extended to everyone who already has it). At flush each neighbour gets the
 * waiting events minus its exclusions. Adding an event is O(1), not
 * O(neighbours); the per-neighbour filtering is a tight integer loop.
 */
export class EventBatcher {
  private events: GmEvent[] = [];
  /** Per event: the neighbour(s) to skip — one number, or an array once there are several. */
  private excluded: (PeerNum | PeerNum[])[] = [];
  /** Per event: the only neighbours to send it to (fanout-limited gossip), or null for all. */
  private targets: (PeerNum[] | null)[] = [];
  /** 31-bit event digest → index in `events`, for exclusions. */
  private readonly index = new Map<number, number>();

  constructor(
    private readonly cfg: GlobalmapConfig,
    private readonly stats: GlobalmapStats,
    private readonly send: (peer: PeerNum, msg: GmEventsMsg) => void,
    /** Called whenever an event waits: the owner sets the flush timer unless it is already set. */
    private readonly arm: () => void,
    private readonly neighbours: () => Iterable<PeerNum>,
  ) {}

  get waiting(): number {
    return this.events.length;
  }

  /** Queues an event for every neighbour but `except`; `key` is a 31-bit digest (a small integer: no boxing). */
  add(e: GmEvent, key: number, except: PeerNum, only: PeerNum[] | null = null): void {
    if (this.events.length >= this.cfg.maxQueuedEvents) {
      this.stats.eventsQueueDropped++;
      return;
    }
    this.index.set(key, this.events.length);
    this.events.push(e);
    this.excluded.push(except);
    this.targets.push(only);
    if (this.events.length >= this.cfg.batchSize) this.flush();
    else this.arm();
  }

  /** `peer` sent us the event with this digest: it will not get it from us. */
  exclude(key: number, peer: PeerNum): void {
    const i = this.index.get(key);
    if (i === undefined) return;
    const x = this.excluded[i];
    if (x === peer || (Array.isArray(x) && x.includes(peer))) return;
    this.excluded[i] = Array.isArray(x) ? (x.push(peer), x) : [x, peer];
    this.stats.eventsSuppressed++;
  }

  flush(): void {
    if (this.events.length === 0) return;
    const events = this.events;
    const excluded = this.excluded;
    const targets = this.targets;
    this.events = [];
    this.excluded = [];
    this.targets = [];
    this.index.clear();
    const chunk = Math.min(MAX_GM_EVENTS, this.cfg.batchSize);
    for (const n of this.neighbours()) {
      let batch: GmEvent[] = [];
      for (let i = 0; i < events.length; i++) {
        const x = excluded[i];
        if (x === n || (typeof x !== 'number' && x.includes(n))) continue;
        const only = targets[i];
        if (only !== null && !only.includes(n)) continue;
        batch.push(events[i]);
        if (batch.length === chunk) {
          this.emit(n, batch);
          batch = [];
        }
      }
      if (batch.length > 0) this.emit(n, batch);
    }
  }

  clear(): void {
    this.events = [];
    this.excluded = [];
    this.targets = [];
    this.index.clear();
  }

  private emit(peer: PeerNum, events: GmEvent[]): void {
    this.send(peer, { type: MsgType.GmEvents, events });
    this.stats.eventMessagesSent++;
    this.stats.eventsForwarded += events.length;
  }
}
