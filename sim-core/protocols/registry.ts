/**
 * The neighbour-selection strategies, one line each: a strategy's folder
 * exports its entry (see strategy.ts), and this line makes it a value of
 * `protocol.strategy`, a config section of the scenario and a `--strategies`
 * name. Nothing else needs to change.
 */
export { noneStrategy } from './node/none-strategy.ts';
export { globalmapStrategy } from './globalmap/strategy.ts';
export { randomLocalStrategy, randomStrategy } from './random/strategy.ts';
export { kademliaStrategy } from './kademlia/strategy.ts';
export { ringStrategy } from './examples/ring/strategy.ts';
