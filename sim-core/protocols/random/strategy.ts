import { globalmapSchema } from '../globalmap/config-schema.ts';
import { overlayRuntime } from '../globalmap/strategy.ts';
import { uniformRandom } from '../globalmap/selection.ts';
import { defineStrategy } from '../strategy.ts';

/**
 * The random baselines: uniformly random neighbours from the address book,
 * on the globalmap machinery without map or gossip (same selection knobs,
 * from the globalmap section, so they compare like for like with it).
 *
 * `random` mixes addresses network-wide as Bitcoin Core does (the peer
 * manager's addrMixing: getaddr to every outbound peer, answers sampled from
 * 23% of the table, self-announcements relayed to two peers, feelers), so
 * its overlay is a random graph. `random-local` keeps the seed's discovery
 * (getaddr only while the book is small), where a peer's addresses stay
 * those of the bootstrap node it first met: its overlay is one community per
 * bootstrap node.
 */
export const randomStrategy = defineStrategy({
  name: 'random',
  summary: 'uniformly random known peers, addresses mixed network-wide as in Bitcoin Core (addr relay, getaddr, feelers)',
  configKey: 'globalmap',
  schema: globalmapSchema,
  runtime: (env, settings) => {
    const rt = overlayRuntime(env, settings, { name: 'random', selection: uniformRandom, map: false });
    const inner = rt.nodeConfig;
    return { ...rt, nodeConfig: (c) => ({ ...(inner ? inner(c) : c), addrMixing: true }) };
  },
});

export const randomLocalStrategy = defineStrategy({
  name: 'random-local',
  summary: 'uniformly random known peers, seed discovery only (addresses stay local to the first bootstrap node: one community per bootstrap node)',
  configKey: 'globalmap',
  schema: globalmapSchema,
  runtime: (env, settings) => overlayRuntime(env, settings, { name: 'random', selection: uniformRandom, map: false }),
});
