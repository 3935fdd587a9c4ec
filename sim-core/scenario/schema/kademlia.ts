import { z } from 'zod';
import { int } from './common.ts';

/** The Kademlia baseline (seed 002). Filled in by the Kademlia integration. */
export const kademliaSchema = z.strictObject({
  k: int(1, 64).default(20),
  alpha: int(1, 16).default(3),
  /** Persistent overlay links chosen from the routing table (compared with the global map's neighbours). */
  overlayLinks: int(1, 64).default(12),
});

export type KademliaSettings = z.infer<typeof kademliaSchema>;
