import { globalmapSchema } from '../../globalmap/config-schema.ts';
import type { NeighbourStrategy } from '../../globalmap/selection.ts';
import { overlayRuntime } from '../../globalmap/strategy.ts';
import { defineStrategy } from '../../strategy.ts';
import { ringSchema } from './config-schema.ts';

/** Steps between two peer numbers on a ring of `space` numbers (peer numbers are handed out in joining order). */
export function ringDistance(a: number, b: number, space: number): number {
  const d = Math.abs(a - b) % space;
  return Math.min(d, space - d);
}

/**
 * Chord-like selection: a candidate scores its distance to us on the ring,
 * so the nearest known peer numbers win, and the farthest neighbour is the
 * one to let go. Ties keep the candidates' order (they come in a seeded
 * random order), so the choice stays deterministic.
 */
export const nearestOnRing: NeighbourStrategy = {
  name: 'nearest-on-ring',
  rankIsPure: true,
  rank(view, candidates) {
    const scored = candidates.map((peer, i) => ({ peer, score: ringDistance(view.self, peer, view.peerSpace), i }));
    scored.sort((a, b) => a.score - b.score || a.i - b.i);
    return scored.map(({ peer, score }) => ({ peer, score }));
  },
  worst(view, kickable) {
    let worst: { peer: number; score: number } | undefined;
    for (const peer of kickable) {
      const score = ringDistance(view.self, peer, view.peerSpace);
      if (!worst || score > worst.score) worst = { peer, score };
    }
    return worst;
  },
};

/** The global map's selection machinery (dialling, kicking, NAT offers) without its map, ranking by ring distance. */
export const ringStrategy = defineStrategy({
  name: 'ring',
  summary: 'an example: neighbours are the nearest peer numbers on a ring',
  configKey: 'ring',
  schema: ringSchema,
  runtime: (env, ring) =>
    overlayRuntime(
      env,
      { ...globalmapSchema.parse({}), targetDegree: ring.degree, replaceIntervalS: ring.replaceIntervalS, minLinkAgeS: ring.replaceIntervalS },
      { name: 'ring', selection: nearestOnRing, map: false },
    ),
});
