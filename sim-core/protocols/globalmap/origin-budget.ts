import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { NEW_ORIGINS_PER_SENDER_MAX, NEW_ORIGINS_WINDOW_US } from './security-constants.ts';

/**
 * Signed map: how many origins new to our map each neighbour introduced in
 * the current window. In a signed map anyone can mint keys and sign as
 * fresh origins, so without this one neighbour could grow every honest map
 * without bound. An honest neighbour introduces at most the network once
 * (a newcomer hears of everyone before its sync lands): the cap is sized
 * for that. One entry per neighbour, dropped with the link.
 */
export class OriginBudget {
  private readonly windows = new Map<PeerNum, { startUs: TimeUs; count: number }>();

  /** Whether `from` may introduce one more new origin now (counts it if so). */
  admit(from: PeerNum, now: TimeUs): boolean {
    let w = this.windows.get(from);
    if (w === undefined || now - w.startUs >= NEW_ORIGINS_WINDOW_US) {
      w = { startUs: now, count: 0 };
      this.windows.set(from, w);
    }
    if (w.count >= NEW_ORIGINS_PER_SENDER_MAX) return false;
    w.count++;
    return true;
  }

  forget(peer: PeerNum): void {
    this.windows.delete(peer);
  }
}
