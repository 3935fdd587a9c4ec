import { eventKey } from '../../sim-core/protocols/globalmap/event-table.ts';
import { SeenCache } from './seen-cache.ts';
import type { Graph } from './graph.ts';
import { GossipKernel, type KernelCapacities } from './kernel.ts';
import type { GossipParams, Net } from './model.ts';

/**
 * The kernel with today's windowed seen-cache run alongside, to count what
 * exact dedupe changes at scales the plain reference cannot reach: a
 * receipt the kernel knows is a duplicate but the 30 s / 2048-hash window
 * has forgotten is one today's simulator applies again, finds stale, and
 * counts under eventsStale instead of eventsDuplicate.
 */
export class WindowShadowKernel extends GossipKernel {
  /** Duplicates the window forgot: today they count as stale. */
  forgotten = 0;
  /** New events the window thought it had seen (53-bit hash collisions): today they would be dropped. */
  falseSeen = 0;
  private readonly caches: SeenCache[];

  constructor(g: Graph, net: Net, params: GossipParams, caps: KernelCapacities, windowCapacity = 2048) {
    super(g, net, params, caps);
    this.caches = Array.from({ length: g.n }, () => new SeenCache(30e6, windowCapacity));
  }

  override originate(now: number, origin: number, peer: number, flags: number): void {
    this.caches[origin].checkAndAdd(eventKey(origin, peer, flags, now), now);
    super.originate(now, origin, peer, flags);
  }

  override deliver(now: number, p: number, j: number, m: number): void {
    const ev = this.ev;
    const a = this.arena;
    const cache = this.caches[p];
    for (let k = a.off[m]; k < a.off[m] + a.len[m]; k++) {
      const id = a.ids[k];
      const o = ev.origin[id];
      const windowSeen = o === p || cache.checkAndAdd(eventKey(o, ev.peer[id], ev.flags[id], ev.ts[id]), now);
      const exactSeen = ev.hasSeen(id, p);
      if (exactSeen && !windowSeen) this.forgotten++;
      else if (!exactSeen && windowSeen) this.falseSeen++;
    }
    super.deliver(now, p, j, m);
  }
}
