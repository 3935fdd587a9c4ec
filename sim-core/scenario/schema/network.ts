import { z } from 'zod';
import { num } from './common.ts';

export const latencySchema = z.discriminatedUnion('model', [
  z.strictObject({
    model: z.literal('constant'),
    /** One-way delay of every packet, ms. */
    ms: num(0, 10_000).default(50),
  }),
  z.strictObject({
    model: z.literal('uniform'),
    minMs: num(0, 10_000).default(10),
    maxMs: num(0, 10_000).default(150),
    jitterMs: num(0, 10_000).default(0),
  }),
]);

export const networkSchema = z.strictObject({
  latency: latencySchema.default({ model: 'uniform', minMs: 10, maxMs: 150, jitterMs: 0 }),
  /** Seconds before a dial to an address nobody holds fails. */
  dialTimeoutS: num(0.001, 600).default(5),
});

export type LatencyConfig = z.infer<typeof latencySchema>;
export type NetworkConfig = z.infer<typeof networkSchema>;
