import { z } from 'zod';
import { int, MAX_DURATION_S, MAX_PEERS, num } from './common.ts';
import { networkSchema } from './network.ts';
import { actionSchema } from './actions.ts';
import { checkActions } from './checks.ts';
import { MAX_REAL_POW_DIFFICULTY } from '../../protocols/identity/pow.ts';
import { adversarySchema } from '../../protocols/adversary/config-schema.ts';
import { cryptoSchema, wireSchema } from '../../protocols/node/config-schema.ts';
import { protocolSchema } from './protocols.ts';
import { churnSchema, versionsSchema } from './underlay.ts';

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
      /** Optional join schedule instead of joinOverS: waves of peers, each starting uniformly in [atS, atS + overS]; counts sum to `count`. */
      waves: z
        .array(z.strictObject({ count: int(1, MAX_PEERS), atS: num(0, MAX_DURATION_S), overS: num(0, MAX_DURATION_S).default(0) }))
        .max(1000)
        .optional(),
    }),
    /** The first `count` peers are bootstrap nodes: every peer knows their addresses from the start. */
    bootstrap: z
      .strictObject({
        count: int(0, MAX_PEERS).default(3),
        /**
         * Bootstrap nodes keep a link to every other bootstrap node (globalmap
         * and random strategies; Kademlia's lookups already join them). Off by
         * default, as in the seed protocol, whose overlay can split for good at
         * formation when there are 4 or more bootstrap nodes (README, Performance).
         */
        mesh: z.boolean().default(false),
      })
      .default({ count: 3, mesh: false }),
    crypto: cryptoSchema.default(cryptoSchema.parse({})),
    wire: wireSchema.default(wireSchema.parse({})),
    /** Hostile peers added to the run (node protocols only). */
    adversaries: z.array(adversarySchema).max(100).default([]),
    /** Scripted events: crash / stop / restart honest peers; partitions and heals; outages; rolling upgrades. */
    actions: z.array(actionSchema).max(10_000).default([]),
    /** Peers arriving (new identities) and leaving during the run. Default: none. */
    churn: churnSchema.optional(),
    /** Software versions of the hosts, with shares. */
    versions: versionsSchema.default([{ name: 'v1', share: 1 }]),
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
        /** Bound on the estimated per-host tables (GiB); the loader refuses a run above it. Default 8. */
        memoryBudgetGiB: num(0.001, 1024).optional(),
      })
      .default({ maxEvents: 1e12, maxPendingEvents: 2 ** 24 }),
  })
  // Cross-field rules. Zod 4 runs them even when fields failed their own
  // checks, so each rule first makes sure its inputs are themselves valid.
  .superRefine((s, ctx) => {
    const countOk = Number.isInteger(s.peers.count) && s.peers.count >= 1;
    const lat = s.network.latency;
    if (lat.model === 'uniform' && lat.maxMs < lat.minMs) {
      ctx.addIssue({ code: 'custom', path: ['network', 'latency', 'maxMs'], message: `must be ≥ minMs (${lat.minMs})` });
    }
    if (s.peers.joinOverS > s.durationS) {
      ctx.addIssue({ code: 'custom', path: ['peers', 'joinOverS'], message: `must be ≤ durationS (${s.durationS})` });
    }
    if (s.peers.waves && countOk) {
      const sum = s.peers.waves.reduce((a, w) => a + w.count, 0);
      if (sum !== s.peers.count) ctx.addIssue({ code: 'custom', path: ['peers', 'waves'], message: `wave counts sum to ${sum}; must equal peers.count (${s.peers.count})` });
    }
    if (countOk && s.bootstrap.count > s.peers.count) {
      ctx.addIssue({ code: 'custom', path: ['bootstrap', 'count'], message: `must be ≤ peers.count (${s.peers.count})` });
    }
    // Mesh links are never kicked: they must leave a bootstrap node room for newcomers within its target degree.
    const target = s.protocol.kind === 'node' ? s.protocol.globalmap.targetDegree : undefined;
    if (s.bootstrap.mesh && target !== undefined && s.bootstrap.count - 1 > target) {
      ctx.addIssue({ code: 'custom', path: ['bootstrap', 'mesh'], message: `needs bootstrap.count - 1 (${s.bootstrap.count - 1}) ≤ protocol.globalmap.targetDegree (${target})` });
    }
    checkActions(s, countOk, ctx);
    if (s.crypto.signatures === 'real' && s.crypto.pow.difficulty > MAX_REAL_POW_DIFFICULTY) {
      ctx.addIssue({ code: 'custom', path: ['crypto', 'pow', 'difficulty'], message: `must be ≤ ${MAX_REAL_POW_DIFFICULTY} with signatures: real (real SHA-256 grinding); use signatures: model for more` });
    }
    if (s.protocol.kind === 'flood' && s.adversaries.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['adversaries'], message: 'adversaries need a node protocol (protocol.kind: node)' });
    }
  });

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
