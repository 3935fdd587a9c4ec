/** The field helpers live below both the scenario and the protocols' config sections. */
export { int, MAX_DURATION_S, num } from '../../config/fields.ts';

/** Largest population the schema accepts (the engine's connection table bounds the rest). */
export const MAX_PEERS = 200_000;
