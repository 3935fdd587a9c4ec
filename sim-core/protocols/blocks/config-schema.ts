import { z } from 'zod';
import { maxBlockBodyBytes } from '../../wire/sizes.ts';
import { MAX_MAX_FRAME_BYTES } from '../../wire/constants.ts';
import { int, MAX_DURATION_S, num } from '../../config/fields.ts';

/**
 * Block propagation (seed 001 §6.1, seed 004 inv/getdata): blocks are mined
 * on a global schedule and relayed over the overlay. The schedule is a
 * Poisson process drawn from the stream `workload/blocks`: block k is mined
 * at startS + the sum of k+1 exponential gaps of mean intervalS, by a peer
 * chosen uniformly among the peers live (and connected) at that instant — so
 * every strategy sees the same number of blocks, at the same times, for the
 * same seed. See sim-core/protocols/blocks/README.md.
 */
export const blocksSchema = z.strictObject({
  /** Run the block workload next to the overlay strategy. */
  enabled: z.boolean().default(false),
  /** Simulated second from which blocks are mined (give the overlay time to form). */
  startS: num(0, MAX_DURATION_S).default(60),
  /** Mean time between two blocks, network-wide (seconds). */
  intervalS: num(0.001, 86_400).default(30),
  /** At most this many blocks are mined (fewer if the run ends first). Metrics memory grows as count × peers / 4 bytes. */
  count: int(0, 10_000).default(100),
  /** Body size of every block; must also fit the frame limit (wire.maxFrameBytes − 117 bytes). */
  bodyBytes: int(0, maxBlockBodyBytes(MAX_MAX_FRAME_BYTES)).default(32_768),
  /**
   * inv: announce the hash, peers fetch the body with getdata (Bitcoin);
   * push: send the full block to every overlay neighbour (more duplicate bodies, one hop less).
   */
  mode: z.enum(['inv', 'push']).default('inv'),
  /** A getdata unanswered after this long is re-sent to the next peer that announced the block. */
  getdataTimeoutS: num(0.001, 3600).default(5),
});

/** Application workloads run on top of the overlay. */
export const workloadSchema = z.strictObject({
  blocks: blocksSchema.default(blocksSchema.parse({})),
});

export type BlocksSettings = z.infer<typeof blocksSchema>;
export type WorkloadSettings = z.infer<typeof workloadSchema>;
