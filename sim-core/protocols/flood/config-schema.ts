import { z } from 'zod';
import { int, num } from '../../config/fields.ts';

/** `protocol` with `kind: flood`: the flooding-ping demo protocol (fields documented on FloodConfig). */
export const floodSchema = z.strictObject({
  kind: z.literal('flood'),
  degree: int(1, 64).default(4),
  maxInbound: int(0, 1024).default(16),
  pingIntervalS: num(0.001, 86_400).default(5),
  ttl: int(1, 64).default(6),
  dialRetryS: num(0.001, 3600).default(2),
  seenCapacity: int(16, 1_000_000).default(4096),
});

export type FloodSettings = z.infer<typeof floodSchema>;
