import { z } from 'zod';
import { int, num } from './common.ts';
import { globalmapSchema } from './globalmap.ts';
import { kademliaSchema } from './kademlia.ts';
import { nodeSchema } from './node.ts';
import { workloadSchema } from './workload.ts';

export const floodSchema = z.strictObject({
  kind: z.literal('flood'),
  degree: int(1, 64).default(4),
  maxInbound: int(0, 1024).default(16),
  pingIntervalS: num(0.001, 86_400).default(5),
  ttl: int(1, 64).default(6),
  dialRetryS: num(0.001, 3600).default(2),
  seenCapacity: int(16, 1_000_000).default(4096),
});

export const STRATEGIES = ['none', 'globalmap', 'random', 'kademlia'] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** Peers run the peer manager (handshake, limits, discovery) and an overlay strategy on top. */
export const nodeProtocolSchema = z.strictObject({
  kind: z.literal('node'),
  /**
   * How peers choose their overlay neighbours: none (the peer manager alone,
   * dialling random known addresses), globalmap (gossiped map, minimal
   * overlap), random (uniformly random known peers, Bitcoin addrman-like),
   * kademlia (links chosen from a Kademlia routing table).
   */
  strategy: z.enum(STRATEGIES).default('none'),
  node: nodeSchema.default(nodeSchema.parse({})),
  globalmap: globalmapSchema.default(globalmapSchema.parse({})),
  kademlia: kademliaSchema.default(kademliaSchema.parse({})),
  workload: workloadSchema.default(workloadSchema.parse({})),
});

export const protocolSchema = z.discriminatedUnion('kind', [floodSchema, nodeProtocolSchema]);

export type ProtocolConfig = z.infer<typeof protocolSchema>;
export type NodeProtocolConfig = z.infer<typeof nodeProtocolSchema>;
