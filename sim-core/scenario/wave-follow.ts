import type { TimeUs } from '../engine/time.ts';
import { GossipWave, waveSourceOf } from '../protocols/globalmap/wave.ts';
import type { Simulation } from './simulation.ts';

/** A wave with no new receipt for this long (simulated) has settled: its TTL ran out or every copy was a duplicate. */
export const WAVE_SETTLE_QUIET_US = 5_000_000;

/** A followed wave by honest peer index (the dashboard's frame): −1 where a peer has not received it. */
export interface WaveView {
  /** Honest index of the origin. */
  origin: number;
  /** False until the origin originated the event followed. */
  started: boolean;
  startUs: TimeUs;
  /** Hops the origin gave it. */
  ttl: number;
  /** Honest peers that applied it, the origin included. */
  reached: number;
  /** Honest peers up now. */
  live: number;
  /** Simulated µs from origination to the last first receipt. */
  spanUs: number;
  maxHop: number;
  /** Every live peer reached, or nothing new for WAVE_SETTLE_QUIET_US. */
  settled: boolean;
  /** Per honest peer: first receipt time, the neighbour it came from (honest index, −1: origin, none or not honest), hop, hops left. */
  firstUs: Float64Array;
  via: Int32Array;
  hop: Int16Array;
  ttlLeft: Int16Array;
}

/**
 * Follows one gossip wave of a simulation: the next link event honest peer
 * `index` originates (`announce` makes it originate one now). Observing
 * only: it sets the event table's watch, which the protocol calls but never
 * reads, so a run followed or not has the same trace. One wave per
 * simulation at a time: a new follower replaces the previous one.
 */
export class WaveFollower {
  private readonly wave: GossipWave;
  private readonly table: { watch: unknown };

  private constructor(
    private readonly sim: Simulation,
    readonly origin: number,
    table: { watch: unknown },
    peers: number,
    originNum: number,
  ) {
    this.table = table;
    this.wave = new GossipWave(originNum, peers);
    table.watch = this.wave;
  }

  /** Undefined when the peer runs no gossiped map (Kademlia, random, flood) or does not exist. */
  static follow(sim: Simulation, index: number): WaveFollower | undefined {
    const table = waveSourceOf(sim.peerApp(index))?.eventTable;
    const nums = peerNums(sim);
    if (!table || nums[index] === undefined) return undefined;
    let peers = 0;
    for (const p of nums) peers = Math.max(peers, p + 1);
    return new WaveFollower(sim, index, table, peers, nums[index]);
  }

  /** Detaches the watch (if still ours). */
  stop(): void {
    if (this.table.watch === this.wave) this.table.watch = null;
  }

  view(now: TimeUs = this.sim.world.now): WaveView {
    const w = this.wave;
    const nums = peerNums(this.sim);
    const n = nums.length;
    const indexOf = new Map<number, number>();
    nums.forEach((p, i) => indexOf.set(p, i));
    const v: WaveView = {
      origin: this.origin,
      started: w.serial >= 0,
      startUs: w.startUs,
      ttl: w.ttl,
      reached: 0,
      live: 0,
      spanUs: w.serial >= 0 ? w.lastUs - w.startUs : 0,
      maxHop: 0,
      settled: false,
      firstUs: new Float64Array(n).fill(-1),
      via: new Int32Array(n).fill(-1),
      hop: new Int16Array(n).fill(-1),
      ttlLeft: new Int16Array(n).fill(-1),
    };
    const addr = this.sim.population.addressOf;
    for (let i = 0; i < n; i++) {
      if (this.sim.world.isUp(addr[i])) v.live++;
      const p = nums[i];
      if (p >= w.peers || w.firstUs[p] < 0) continue;
      v.reached++;
      v.firstUs[i] = w.firstUs[p];
      v.via[i] = w.via[p] < 0 ? -1 : (indexOf.get(w.via[p]) ?? -1);
      v.hop[i] = w.hop[p];
      v.ttlLeft[i] = w.ttlLeft[p];
      if (w.hop[p] > v.maxHop) v.maxHop = w.hop[p];
    }
    v.settled = v.started && (v.reached >= v.live || now - w.lastUs >= WAVE_SETTLE_QUIET_US);
    return v;
  }
}

/** Peer number of each honest peer, by index. */
function peerNums(sim: Simulation): number[] {
  return sim.population.addressOf.map((a) => (sim.world.protocolOf(a) as unknown as { self: number }).self);
}
