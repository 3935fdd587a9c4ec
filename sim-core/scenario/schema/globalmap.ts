import { z } from 'zod';
import { int } from './common.ts';

/** The global-map overlay (seed 001). Filled in by the global-map work. */
export const globalmapSchema = z.strictObject({
  /** Neighbours each peer aims for (seed: 12). */
  targetDegree: int(1, 64).default(12),
});

export type GlobalmapSettings = z.infer<typeof globalmapSchema>;
