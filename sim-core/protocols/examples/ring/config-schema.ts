import { z } from 'zod';
import { int, num } from '../../../config/fields.ts';

/** `protocol.ring`, read when `protocol.strategy` is `ring`. Every field has a default. */
export const ringSchema = z.strictObject({
  /** Neighbours each peer aims for: the nearest peer numbers on both sides of the ring. */
  degree: int(2, 32).default(6),
  /** At its degree, a peer swaps its farthest neighbour for a nearer candidate at most this often (seconds). */
  replaceIntervalS: num(1, 86_400).default(30),
});

export type RingSettings = z.infer<typeof ringSchema>;
