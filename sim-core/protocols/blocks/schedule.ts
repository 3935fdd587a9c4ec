import type { Rng } from '../../engine/rng.ts';
import type { TimeUs } from '../../engine/time.ts';

export interface ScheduleParams {
  startUs: TimeUs;
  /** Mean gap between blocks, network-wide. */
  intervalUs: number;
  /** Most blocks drawn. */
  count: number;
  /** Slots at or after this time are not drawn (the end of the run). */
  endUs: TimeUs;
  /** Honest peers (indices 0 … peers − 1). */
  peers: number;
}

/** Called once per slot when its miner is decided: who was live, who mines (−1: nobody live). */
export type SlotListener = (slot: number, timeUs: TimeUs, miner: number, targets: readonly number[], isolated: number) => void;

const UNRESOLVED = -2;
const NOBODY = -1;

/**
 * The proof-of-work lottery as a global schedule — an oracle of the
 * simulation, not protocol state. Slot k happens at `times[k]`: startUs plus
 * k+1 exponential gaps of mean intervalUs (a Poisson process), all drawn up
 * front with one uniform per slot from one dedicated stream, so the number and
 * times of blocks only depend on the seed, never on the strategy.
 *
 * Who mines slot k: every live block app has a timer at times[k] and checks in
 * (phase 1), then a zero-delay timer (phase 2) — which the scheduler runs after
 * every phase-1 timer of that instant, since they were scheduled earlier. The
 * first phase-2 call closes the slot: the miner is the peer at position
 * ⌊u_k × n⌋ of the n connected check-ins sorted by index (so the same peer for
 * every strategy whenever the same peers are live). Peers that are up but
 * have no overlay link are live but not eligible, and not counted as targets.
 */
export class MiningSchedule {
  readonly times: TimeUs[] = [];
  private readonly draws: number[] = [];
  private readonly miners: Int32Array;
  /** Connected check-ins of the open slots (at most two slots are open at once). */
  private readonly pending = new Map<number, number[]>();
  private readonly isolated = new Map<number, number>();
  private readonly lastCheckIn: Int32Array;
  private readonly listeners: SlotListener[] = [];

  constructor(rng: Rng, readonly params: ScheduleParams) {
    let t = params.startUs;
    for (let k = 0; k < params.count; k++) {
      t += Math.max(1, Math.round(rng.exponential(params.intervalUs)));
      const u = rng.next();
      if (t >= params.endUs) break;
      this.times.push(t);
      this.draws.push(u);
    }
    this.miners = new Int32Array(this.times.length).fill(UNRESOLVED);
    this.lastCheckIn = new Int32Array(params.peers).fill(-1);
  }

  get slots(): number {
    return this.times.length;
  }

  onResolve(fn: SlotListener): void {
    this.listeners.push(fn);
  }

  /** First slot strictly after `now`, or −1. */
  nextSlot(now: TimeUs): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid] <= now) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.times.length ? lo : -1;
  }

  /** Phase 1: peer `index` is up at slot `slot`; `connected` if it has at least one overlay link. */
  checkIn(slot: number, index: number, connected: boolean): void {
    if (slot < 0 || slot >= this.times.length || this.miners[slot] !== UNRESOLVED) return;
    if (index < 0 || index >= this.lastCheckIn.length || this.lastCheckIn[index] >= slot) return;
    this.lastCheckIn[index] = slot;
    if (!connected) {
      this.isolated.set(slot, (this.isolated.get(slot) ?? 0) + 1);
      return;
    }
    let list = this.pending.get(slot);
    if (!list) this.pending.set(slot, (list = []));
    list.push(index);
  }

  /** Phase 2: the miner of `slot` (−1 if nobody eligible); the first call closes the slot. */
  minerOf(slot: number): number {
    if (slot < 0 || slot >= this.times.length) return NOBODY;
    if (this.miners[slot] !== UNRESOLVED) return this.miners[slot];
    const live = (this.pending.get(slot) ?? []).sort((a, b) => a - b);
    const isolated = this.isolated.get(slot) ?? 0;
    this.pending.delete(slot);
    this.isolated.delete(slot);
    const miner = live.length > 0 ? live[Math.floor(this.draws[slot] * live.length)] : NOBODY;
    this.miners[slot] = miner;
    for (const fn of this.listeners) fn(slot, this.times[slot], miner, live, isolated);
    return miner;
  }
}
