import type { TimeUs } from '../../engine/time.ts';
import type { Address } from '../../sans-io/protocol.ts';
import type { Book } from './address-book.ts';

/**
 * Outbound peers lost without either side choosing it (crash, reset, stale
 * link): redialled with the book's backoff until they answer or are
 * forgotten — the "reconnect if needed" of seed 000. Oldest loss first;
 * bounded: past `capacity` the oldest is dropped.
 */
export class LostPeers {
  private readonly lost = new Set<Address>();

  constructor(private readonly capacity: number) {}

  /** Peers waiting to be redialled. */
  get size(): number {
    return this.lost.size;
  }

  /** Lost now (again): moves to the back of the queue. */
  mark(address: Address): void {
    this.lost.delete(address);
    this.lost.add(address);
    if (this.lost.size > this.capacity) this.lost.delete(this.lost.values().next().value as Address);
  }

  /** Linked again (or given up on). */
  forget(address: Address): void {
    this.lost.delete(address);
  }

  /**
   * Dials every lost peer whose backoff has run out and that is not linked,
   * until `full()`; forgets those the book no longer has or has banned.
   */
  redial(now: TimeUs, book: Book, isLinkedTo: (a: Address) => boolean, full: () => boolean, dial: (a: Address) => void): void {
    for (const address of [...this.lost]) {
      const e = book.get(address);
      if (!e || book.isBanned(address, now)) {
        this.lost.delete(address);
        continue;
      }
      if (e.nextDialUs > now || isLinkedTo(address)) continue;
      if (full()) return;
      dial(address);
    }
  }
}
