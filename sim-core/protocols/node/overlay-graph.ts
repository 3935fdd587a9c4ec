import type { Rng } from '../../engine/rng.ts';
import { csrFromEdges, topologyMetrics, type CsrGraph, type TopologyMetrics } from '../../metrics/graph/index.ts';
import type { World } from '../../net/world.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { NodeApp } from './app.ts';
import type { PeerNode, WireItem } from './peer-node.ts';

/**
 * The overlay as an observer sees it: honest peer i is node i; an edge joins
 * two live honest peers when either counts the other among its overlay links
 * (the app's `overlay()`, or every established peer for the bare manager).
 */
export interface OverlaySnapshot {
  graph: CsrGraph;
  /** Host address of node i. */
  addresses: readonly number[];
}

export function overlaySnapshot(world: World<WireItem>, addresses: readonly number[], apps: readonly (NodeApp | undefined)[]): OverlaySnapshot {
  const n = addresses.length;
  const alive = new Uint8Array(n);
  const indexOfPeer = new Map<PeerNum, number>();
  addresses.forEach((a, i) => {
    if (!world.isUp(a)) return;
    alive[i] = 1;
    indexOfPeer.set((world.protocolOf(a) as PeerNode).self, i);
  });
  const ea: number[] = [];
  const eb: number[] = [];
  addresses.forEach((a, i) => {
    if (alive[i] === 0) return;
    const app = apps[i];
    const links = app?.overlay ? app.overlay() : (world.protocolOf(a) as PeerNode).peers().keys();
    for (const p of links) {
      const j = indexOfPeer.get(p);
      if (j !== undefined && j !== i) {
        ea.push(i);
        eb.push(j);
      }
    }
  });
  return { graph: csrFromEdges(n, Int32Array.from(ea), Int32Array.from(eb), ea.length, alive), addresses };
}

/** Topology metrics of the overlay (exact paths up to 3,000 peers, 256 sampled BFS sources beyond). */
export function overlayTopology(snapshot: OverlaySnapshot, rng: Rng): TopologyMetrics {
  return topologyMetrics(snapshot.graph, { validate: false }, { int: (k: number) => rng.int(k) });
}
