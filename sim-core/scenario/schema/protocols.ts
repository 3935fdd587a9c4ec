import { z } from 'zod';
import { workloadSchema } from '../../protocols/blocks/config-schema.ts';
import { floodSchema } from '../../protocols/flood/config-schema.ts';
import { nodeSchema } from '../../protocols/node/config-schema.ts';
import { STRATEGIES, STRATEGY_ENTRIES, type RegisteredStrategy, type Strategy } from '../../protocols/strategies.ts';
import type { StrategyEntry } from '../../protocols/strategy.ts';

export { floodSchema, STRATEGIES, type Strategy };

/** `protocol.<configKey>` of every registered strategy, each defaulting to its schema's defaults. */
type StrategySections = {
  [E in Extract<RegisteredStrategy, { configKey: string }> as E['configKey']]: z.ZodDefault<E['schema']>;
};

/** Keys of the node protocol that are not strategy sections. */
const OWN_KEYS = new Set(['kind', 'strategy', 'node', 'workload']);

/** The registered strategies' sections, in registry (name) order; strategies sharing a key must share its schema. */
function strategySections(): StrategySections {
  const schemas = new Map<string, z.ZodType>();
  const sections: Record<string, z.ZodType> = {};
  for (const e of STRATEGY_ENTRIES as readonly StrategyEntry[]) {
    if (e.configKey === undefined) continue;
    const seen = schemas.get(e.configKey);
    if (OWN_KEYS.has(e.configKey)) throw new Error(`strategy ${e.name}: configKey ${JSON.stringify(e.configKey)} is a key of protocol itself`);
    if (seen !== undefined && seen !== e.schema) throw new Error(`strategy ${e.name}: configKey ${JSON.stringify(e.configKey)} is another strategy's, with another schema`);
    if (seen !== undefined) continue;
    schemas.set(e.configKey, e.schema);
    sections[e.configKey] = e.schema.default(e.schema.parse({}));
  }
  return sections as StrategySections;
}

/** Peers run the peer manager (handshake, limits, discovery) and an overlay strategy on top. */
export const nodeProtocolSchema = z.strictObject({
  kind: z.literal('node'),
  /** How peers choose their overlay neighbours: one of the strategies in sim-core/protocols/registry.ts (`none`: the peer manager alone). */
  strategy: z.enum(STRATEGIES).default('none'),
  node: nodeSchema.default(nodeSchema.parse({})),
  ...strategySections(),
  workload: workloadSchema.default(workloadSchema.parse({})),
});

export const protocolSchema = z.discriminatedUnion('kind', [floodSchema, nodeProtocolSchema]);

export type ProtocolConfig = z.infer<typeof protocolSchema>;
export type NodeProtocolConfig = z.infer<typeof nodeProtocolSchema>;
