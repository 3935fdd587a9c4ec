import { z } from 'zod';
import { int, num } from './common.ts';
import { nodeSchema } from './node.ts';

export const floodSchema = z.strictObject({
  kind: z.literal('flood'),
  degree: int(1, 64).default(4),
  maxInbound: int(0, 1024).default(16),
  pingIntervalS: num(0.001, 86_400).default(5),
  ttl: int(1, 64).default(6),
  dialRetryS: num(0.001, 3600).default(2),
  seenCapacity: int(16, 1_000_000).default(4096),
});

/** Peers run the peer manager (handshake, limits, discovery) and an overlay strategy on top. */
export const nodeProtocolSchema = z.strictObject({
  kind: z.literal('node'),
  /** none: the peer manager alone, dialling random known addresses. */
  strategy: z.enum(['none']).default('none'),
  node: nodeSchema.default(nodeSchema.parse({})),
});

export const protocolSchema = z.discriminatedUnion('kind', [floodSchema, nodeProtocolSchema]);

export type ProtocolConfig = z.infer<typeof protocolSchema>;
export type NodeProtocolConfig = z.infer<typeof nodeProtocolSchema>;
