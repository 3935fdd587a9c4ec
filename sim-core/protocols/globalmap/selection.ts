import type { Rng } from '../../engine/rng.ts';
import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { PeerStore } from './peer-store.ts';
import type { GraphScratch } from './scratch.ts';

/** A current overlay link as selection sees it. */
export interface LinkInfo {
  readonly sinceUs: TimeUs;
  /** We dialled it. */
  readonly out: boolean;
}

/** What a neighbour-selection strategy may look at. */
export interface SelectionView {
  readonly self: PeerNum;
  readonly now: TimeUs;
  readonly neighbours: ReadonlyMap<PeerNum, LinkInfo>;
  /** The peer's map; absent for strategies that run without one. */
  readonly store: PeerStore | undefined;
  readonly rng: Rng;
  readonly scratch: GraphScratch;
  /** Size of the peer-number space (for scratch arrays). */
  readonly peerSpace: number;
}

export interface Scored {
  peer: PeerNum;
  score: number;
}

/**
 * G3, pluggable: how a peer ranks candidates to connect to and picks the
 * neighbour to let go. Lower scores are better.
 */
export interface NeighbourStrategy {
  readonly name: string;
  /**
   * True if `rank` draws nothing from `view.rng` and changes nothing: a
   * selection round whose ranking could not be used then skips it (same
   * outcome, same random streams). Absent: always ranked.
   */
  readonly rankIsPure?: boolean;
  /** Candidates scored and sorted, best first (ties keep the input order). */
  rank(view: SelectionView, candidates: readonly PeerNum[]): Scored[];
  /** Among `kickable` neighbours, the one to drop first, with its score; undefined if none. */
  worst(view: SelectionView, kickable: readonly PeerNum[]): Scored | undefined;
  /**
   * Optional, for strategies whose rank and worst are pure: the at-target
   * replacement rule with less work — `add` is rank()[0] and `drop` is
   * worst(), returned only when add.score + margin ≤ drop.score.
   */
  replacement?(view: SelectionView, kickable: readonly PeerNum[], candidates: readonly PeerNum[], margin: number): { add: Scored; drop: Scored } | undefined;
}

/**
 * Minimal overlap (seed 001 §3.3): a candidate scores one point for each of
 * its confirmed neighbours that is already our neighbour or a neighbour of
 * one of ours (and one if it is such a peer itself); the most disjoint wins.
 * A neighbour's score counts the same overlap, leaving out what it brings
 * itself, so the most redundant link is the one to drop.
 */
export const minimalOverlap: NeighbourStrategy = {
  name: 'minimal-overlap',
  rankIsPure: true,
  rank(view, candidates) {
    const store = view.store;
    if (!store) return candidates.map((peer) => ({ peer, score: 0 }));
    markNeighbourhood(view);
    return stableSort(candidates.map((peer) => ({ peer, score: overlapScore(view, peer) })));
  },
  worst(view, kickable) {
    const store = view.store;
    if (!store || kickable.length === 0) return undefined;
    markNeighbourhood(view);
    const s = view.scratch;
    const buf = s.neighbours;
    let worst: Scored | undefined;
    for (const x of kickable) {
      let score = 0;
      for (let i = 0, n = store.confirmedNeighboursInto(x, buf); i < n; i++) {
        const q = buf[i];
        if (q === view.self) continue;
        // Reached through another neighbour too (x itself contributed one to the count)?
        if (view.neighbours.has(q) || s.countOf(q) - 1 > 0) score++;
      }
      if (!worst || score > worst.score) worst = { peer: x, score };
    }
    return worst;
  },
  // Most rounds at target replace nothing: the worst neighbour is found first (12 scores), and
  // candidates are scored only while one could still beat it by the margin. Scores are ≥ 0, so
  // a worst below the margin ends the round; the first candidate at the lowest score is rank()[0].
  replacement(view, kickable, candidates, margin) {
    const drop = minimalOverlap.worst(view, kickable);
    if (!drop) return undefined;
    let bound = drop.score - margin;
    if (bound < 0) return undefined;
    let add: Scored | undefined;
    for (const peer of candidates) {
      const score = overlapScore(view, peer);
      if (score > bound) continue;
      add = { peer, score };
      if (score === 0) break;
      bound = score - 1;
    }
    return add && { add, drop };
  },
};

/** Bitcoin-addrman-like baseline: candidates in random order, a random neighbour to drop. */
export const uniformRandom: NeighbourStrategy = {
  name: 'random',
  rank(view, candidates) {
    return view.rng.shuffle(candidates.map((peer) => ({ peer, score: 0 })));
  },
  worst(view, kickable) {
    const peer = view.rng.pick(kickable);
    return peer === undefined ? undefined : { peer, score: 0 };
  },
};

/** A candidate's overlap with the neighbourhood markNeighbourhood counted (itself, then its confirmed neighbours). */
function overlapScore(view: SelectionView, peer: PeerNum): number {
  const s = view.scratch;
  const buf = s.neighbours;
  let score = s.countOf(peer) > 0 || view.neighbours.has(peer) ? 1 : 0;
  for (let i = 0, n = view.store!.confirmedNeighboursInto(peer, buf); i < n; i++) {
    const q = buf[i];
    if (q !== view.self && (s.countOf(q) > 0 || view.neighbours.has(q))) score++;
  }
  return score;
}

/** Counts, for every peer, how many of our neighbours have it as a confirmed neighbour. */
function markNeighbourhood(view: SelectionView): void {
  const s = view.scratch;
  s.begin(view.peerSpace);
  const buf = s.neighbours;
  for (const n of view.neighbours.keys()) {
    for (let i = 0, c = view.store!.confirmedNeighboursInto(n, buf); i < c; i++) if (buf[i] !== view.self) s.bump(buf[i]);
  }
}

function stableSort(xs: Scored[]): Scored[] {
  return xs.map((x, i) => ({ x, i })).sort((a, b) => a.x.score - b.x.score || a.i - b.i).map((e) => e.x);
}
