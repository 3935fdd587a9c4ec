/**
 * One handshake's cost in the simulator: events, messages and bytes by type,
 * and modelled CPU (sign + verify per side), between two peer managers over a
 * constant 5 ms link. Writes results/handshake-cost.json.
 *
 *   node bin/tsx-run.mjs bench/handshake-cost.ts
 */
import { RngStreams } from '../sim-core/engine/rng.ts';
import { ConstantLatency } from '../sim-core/net/latency.ts';
import { World } from '../sim-core/net/world.ts';
import { IdentityRegistry } from '../sim-core/protocols/identity/registry.ts';
import { ed25519Signer } from '../sim-core/protocols/identity/signer.ts';
import { codecBoundary, sizerFor } from '../sim-core/protocols/node/codec-boundary.ts';
import { DEFAULT_NODE_CONFIG } from '../sim-core/protocols/node/config.ts';
import { PeerNode, type WireItem } from '../sim-core/protocols/node/peer-node.ts';
import { MAX_MESSAGE_TYPES } from '../sim-core/net/counters.ts';
import { writeJsonAtomic } from '../sim-core/node/files.ts';
import { gitCommit, machineInfo } from '../sim-core/node/machine.ts';

const rng = new RngStreams(1);
const sizer = sizerFor(65536);
const world = new World<WireItem>({ rng, latency: new ConstantLatency(5), sizer });
const registry = new IdentityRegistry(ed25519Signer);
const wire = codecBoundary(registry);
const cfg = { ...DEFAULT_NODE_CONFIG, autoDial: false, pingIntervalUs: 1e12, tickUs: 1e12 };
const nodes: PeerNode[] = [];
for (let i = 0; i < 2; i++) {
  world.addHost((ctx) => {
    const n = new PeerNode({ address: ctx.address, io: ctx.io, rng: ctx.rng, identity: registry.mint(rng.peer(i, 'identity')), registry, cfg, wire, bootstrap: [] });
    nodes.push(n);
    return n;
  });
  world.startAt(i, 0);
}
world.scheduler.run(0);
const before = world.scheduler.eventsProcessed;
world.at(1, () => nodes[0].dial(1));
world.scheduler.run(2_000_000);
const c = world.counters;
const byType: Record<string, { count: number; bytes: number }> = {};
for (let t = 0; t < MAX_MESSAGE_TYPES; t++) if (c.sentCount[t] > 0) byType[sizer.typeName(t)] = { count: c.sentCount[t], bytes: c.sentBytes[t] };
const report = {
  bench: 'handshake-cost',
  commit: gitCommit(),
  machine: machineInfo(),
  established: nodes[0].peers().size === 1 && nodes[1].peers().size === 1,
  events: world.scheduler.eventsProcessed - before - 1, // minus the scheduling action
  messages: c.totalSent(),
  bytes: c.totalBytes(),
  byType,
  modelledCpuUs: { perSide: cfg.signUs + cfg.verifyUs, total: 2 * (cfg.signUs + cfg.verifyUs), signUs: cfg.signUs, verifyUs: cfg.verifyUs },
  note: 'includes the getaddr/addr exchange that follows each new connection when the address book is small',
};
writeJsonAtomic('results/handshake-cost.json', report);
console.log(JSON.stringify(report, null, 2));
