import type { OverlayView, Simulation } from '../../sim-core/scenario/simulation.ts';
import type { PeerMapView } from '../../sim-core/protocols/driver.ts';

/** Link keys pack two honest indices (< 2^21) into one exact double, as the replay format does. */
const KEY_BASE = 0x200000;

/**
 * One peer's map against the true overlay (the inspector's "map vs truth"),
 * by honest peer index. Links are undirected [lo, hi] pairs, flat.
 */
export interface MapTruth {
  peer: number;
  /** True links: overlay links between peers that are up. */
  trueLinks: number;
  /** Links its map holds that are true. */
  held: Int32Array;
  /** True links its map lacks. */
  missing: Int32Array;
  /** Links its map holds that are not in the overlay (gone, or with a peer that is down). */
  stale: Int32Array;
  /** Peers its map still knows that are down. */
  deadKnown: Int32Array;
}

function pairs(keys: number[]): Int32Array {
  keys.sort((a, b) => a - b);
  const out = new Int32Array(2 * keys.length);
  keys.forEach((k, i) => {
    out[2 * i] = Math.floor(k / KEY_BASE);
    out[2 * i + 1] = k % KEY_BASE;
  });
  return out;
}

/** Compares `map` (Simulation.peerMap) with the overlay now (Simulation.overlay). */
export function mapAgainstTruth(peer: number, map: PeerMapView, truth: OverlayView): MapTruth {
  const real = new Set<number>();
  for (let i = 0; i < truth.n; i++) {
    if (truth.alive[i] !== 1) continue;
    for (let k = truth.offsets[i]; k < truth.offsets[i + 1]; k++) {
      const j = truth.targets[k];
      if (j !== i && truth.alive[j] === 1) real.add(Math.min(i, j) * KEY_BASE + Math.max(i, j));
    }
  }
  const held: number[] = [];
  const stale: number[] = [];
  const inMap = new Set<number>();
  for (let k = 0; k < map.links.length; k += 2) {
    const key = map.links[k] * KEY_BASE + map.links[k + 1];
    inMap.add(key);
    (real.has(key) ? held : stale).push(key);
  }
  const missing = [...real].filter((key) => !inMap.has(key));
  const deadKnown = Int32Array.from(Array.from(map.known).filter((i) => i < truth.n && truth.alive[i] !== 1));
  return { peer, trueLinks: real.size, held: pairs(held), missing: pairs(missing), stale: pairs(stale), deadKnown };
}

/** A lane's peer against its overlay now; undefined when the protocol keeps no map (or no such peer). */
export function laneMapTruth(sim: Simulation | undefined, peer: number): MapTruth | undefined {
  const map = sim?.peerMap(peer);
  return map && mapAgainstTruth(peer, map, sim!.overlay()!);
}
