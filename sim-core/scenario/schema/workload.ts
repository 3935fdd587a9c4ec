import { z } from 'zod';

/** Application workloads run on top of the overlay (block propagation). Filled in by the workload work. */
export const workloadSchema = z.strictObject({
  blocks: z.strictObject({ enabled: z.boolean().default(false) }).default({ enabled: false }),
});

export type WorkloadSettings = z.infer<typeof workloadSchema>;
