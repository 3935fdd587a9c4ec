import type { PeerNum } from '../../wire/ids.ts';
import { MAX_GM_ROUTE_HOPS } from '../../wire/constants.ts';
import type { PeerStore } from './peer-store.ts';
import type { GraphScratch } from './scratch.ts';

/**
 * Shortest path (G4) from `from` to `to` over confirmed links of the map,
 * with `from`'s own links taken from `ownLinks` (what it actually has, the
 * map may lag). At most MAX_GM_ROUTE_HOPS peers; undefined if none.
 */
export function shortestRoute(
  store: PeerStore,
  scratch: GraphScratch,
  peerSpace: number,
  from: PeerNum,
  to: PeerNum,
  ownLinks: Iterable<PeerNum>,
): PeerNum[] | undefined {
  if (from === to) return [from];
  const gen = scratch.begin(Math.max(peerSpace, from + 1, to + 1));
  const { stamp, prev, depth, queue } = scratch;
  let head = 0;
  let tail = 0;
  stamp[from] = gen;
  depth[from] = 0;
  queue[tail++] = from;
  const buf = scratch.neighbours;
  while (head < tail) {
    const x = queue[head++];
    if (depth[x] >= MAX_GM_ROUTE_HOPS - 1) continue;
    let n = 0;
    if (x === from) for (const y of ownLinks) buf[n++] = y;
    else n = store.confirmedNeighboursInto(x, buf);
    for (let i = 0; i < n; i++) {
      const y = buf[i];
      if (y >= stamp.length || stamp[y] === gen) continue;
      stamp[y] = gen;
      prev[y] = x;
      depth[y] = depth[x] + 1;
      if (y === to) return unwind(prev, from, to);
      queue[tail++] = y;
    }
  }
  return undefined;
}

function unwind(prev: Int32Array, from: PeerNum, to: PeerNum): PeerNum[] {
  const path = [to];
  for (let x = to; x !== from && path.length <= MAX_GM_ROUTE_HOPS; ) {
    x = prev[x];
    path.push(x);
  }
  return path.reverse();
}
