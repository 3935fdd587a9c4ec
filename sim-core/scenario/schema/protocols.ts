import { z } from 'zod';
import { int, num } from './common.ts';

export const floodSchema = z.strictObject({
  kind: z.literal('flood'),
  degree: int(1, 64).default(4),
  maxInbound: int(0, 1024).default(16),
  pingIntervalS: num(0.001, 86_400).default(5),
  ttl: int(1, 64).default(6),
  dialRetryS: num(0.001, 3600).default(2),
  seenCapacity: int(16, 1_000_000).default(4096),
});

export const protocolSchema = z.discriminatedUnion('kind', [floodSchema]);

export type ProtocolConfig = z.infer<typeof protocolSchema>;
