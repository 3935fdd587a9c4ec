import { z } from 'zod';
import { int, MAX_DURATION_S, MAX_PEERS, num } from './common.ts';
import { networkSchema } from './network.ts';
import { protocolSchema } from './protocols.ts';

/** The scenario file format. Every object is strict: an unknown key is an error, so typos surface. */
export const scenarioSchema = z
  .strictObject({
    name: z.string().min(1).max(100).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" or "-"'),
    description: z.string().max(2000).default(''),
    seed: int(0, 2 ** 32 - 1).default(1),
    durationS: num(0.001, MAX_DURATION_S),
    peers: z.strictObject({
      count: int(1, MAX_PEERS),
      /** Peers start at uniform random times in [0, joinOverS]. */
      joinOverS: num(0, MAX_DURATION_S).default(0),
    }),
    network: networkSchema.default(networkSchema.parse({})),
    protocol: protocolSchema,
    metrics: z
      .strictObject({
        /** Simulated seconds between metric samples in `metrics.series`. */
        sampleEveryS: num(0.01, MAX_DURATION_S).default(10),
      })
      .default({ sampleEveryS: 10 }),
    limits: z
      .strictObject({
        /** The run stops (and says so) after this many events. */
        maxEvents: int(1, 1e15).default(1e12),
        /** Bound on simultaneously pending events. */
        maxPendingEvents: int(1024, 2 ** 24).default(2 ** 24),
      })
      .default({ maxEvents: 1e12, maxPendingEvents: 2 ** 24 }),
  })
  .superRefine((s, ctx) => {
    const lat = s.network.latency;
    if (lat.model === 'uniform' && lat.maxMs < lat.minMs) {
      ctx.addIssue({ code: 'custom', path: ['network', 'latency', 'maxMs'], message: `must be ≥ minMs (${lat.minMs})` });
    }
    if (s.peers.joinOverS > s.durationS) {
      ctx.addIssue({ code: 'custom', path: ['peers', 'joinOverS'], message: `must be ≤ durationS (${s.durationS})` });
    }
  });

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
