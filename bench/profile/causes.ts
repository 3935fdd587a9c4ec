/**
 * Profile time by cause: the parts of a run that a change of representation
 * would take on together (the tables in docs/benchmarks.md). Ordered rules,
 * the first that matches a frame's file (repository-relative, see sourceOf)
 * and function wins. V8 inlines freely, so a cause's self time includes
 * what was inlined into it from elsewhere.
 */
interface CauseRule {
  cause: string;
  /** Files under these prefixes (a prefix ending in `/` is a folder). */
  files: string[];
  /** Only these functions of those files (all when absent). */
  fns?: string[];
}

const G = 'sim-core/protocols/globalmap/';
const K = 'sim-core/protocols/kademlia/';
const N = 'sim-core/protocols/node/';

export const CAUSE_RULES: readonly CauseRule[] = [
  { cause: 'V8 garbage collector', files: ['(V8)'], fns: ['(garbage collector)'] },
  { cause: 'V8 and Node (compiler, runtime, idle)', files: ['(V8)', '(Node)'] },
  { cause: 'engine (event queue, run loop, streams)', files: ['sim-core/engine/', 'node_modules/seedrandom'] },
  { cause: 'network (connections, delivery, latency)', files: ['sim-core/net/'] },
  { cause: 'handshake and identities', files: ['sim-core/protocols/handshake/', 'sim-core/protocols/identity/', 'node_modules/@noble'] },
  { cause: 'address book and addr gossip', files: [`${N}addrman.ts`, `${N}addr-store.ts`, `${N}address-book.ts`, `${N}addr-`, `${N}peer-addresses.ts`, `${N}pick-stamp.ts`] },
  { cause: 'peer manager (connections, keepalive, limits, bans)', files: [N] },
  { cause: 'global map: receiving gm-events', files: [`${G}app.ts`], fns: ['receiveEvents', 'receiveOne', 'authentic', 'senderSlot'] },
  { cause: 'global map: receiving gm-events', files: [`${G}event-table.ts`, `${G}event-refs.ts`] },
  { cause: 'global map: outbox (queue, exclusions, flush)', files: [`${G}outbox.ts`, `${G}outbox-plane.ts`] },
  {
    cause: 'global map: store GC',
    files: [`${G}peer-store.ts`, `${G}store-index.ts`, `${G}store-scan.ts`, `${G}record-pool.ts`],
    fns: ['gc', 'countExpired', 'confirms', 'withoutDropped', 'dropTransition', 'rememberDrop', 'replace'],
  },
  { cause: 'global map: store applies', files: [`${G}peer-store.ts`, `${G}store-index.ts`, `${G}store-scan.ts`, `${G}record-pool.ts`, `${G}record.ts`, `${G}slab.ts`, `${G}store-grid.ts`] },
  { cause: 'global map: map sync', files: [`${G}map-sync.ts`, `${G}map-auth.ts`] },
  { cause: 'global map: selection and routing', files: [`${G}selection.ts`, `${G}selector.ts`, `${G}routing.ts`, `${G}directed.ts`, `${G}scratch.ts`, `${G}strategy.ts`] },
  { cause: 'global map: other', files: [G] },
  { cause: 'Kademlia: routing table and ids', files: [`${K}routing-table.ts`, `${K}ids.ts`] },
  { cause: 'Kademlia: lookups', files: [`${K}lookup`, `${K}maintenance.ts`, `${K}join.ts`] },
  { cause: 'Kademlia: connections and requests', files: [`${K}connections.ts`, `${K}rpc`, `${K}requests.ts`, `${K}use-table.ts`, `${K}peer-times.ts`] },
  { cause: 'Kademlia: message handlers and app', files: [K] },
  { cause: 'other protocols (random, flood, blocks, adversaries)', files: ['sim-core/protocols/'] },
  { cause: 'metrics, scenario and recording', files: ['sim-core/metrics/', 'sim-core/scenario/', 'sim-core/record/', 'node_modules/graphology'] },
  { cause: 'wire codec', files: ['sim-core/wire/'] },
  { cause: 'CLI and files', files: ['sim-core/node/', 'bin/', 'node_modules/'] },
];

/** The cause of a frame: the first rule that matches, else "other". */
export function causeOf(file: string, fn: string): string {
  for (const r of CAUSE_RULES) {
    if (!r.files.some((f) => file === f || file.startsWith(f))) continue;
    if (r.fns && !r.fns.includes(fn)) continue;
    return r.cause;
  }
  return 'other';
}
