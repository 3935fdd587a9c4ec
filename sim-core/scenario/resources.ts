import { MAX_PEERS } from './schema/common.ts';
import type { Scenario } from './schema/index.ts';

/**
 * Resource checks on a validated scenario, before anything is built: each
 * field can be within its own bounds while their product is not (100
 * adversary entries × 10,000 hosts; a million-entry recent-message set × 300 peers).
 */

/** Default bound on the estimated per-peer tables of a run; `limits.memoryBudgetGiB` changes it. */
export const DEFAULT_MEMORY_BUDGET_GIB = 8;

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
/** globalmap map (peer-store.ts): per known peer a Uint16 mention count, an Int32 position and a record reference. */
const PEER_STORE_BYTES_PER_PEER = 2 + 4 + 8;
/** Peer manager address book: about 150 bytes per address (node schema). */
const ADDRESS_BYTES = 150;
/** Kademlia routing table: an id (20 bytes) and bookkeeping per entry; 160 buckets of k. */
const KADEMLIA_ENTRY_BYTES = 64;
/** Flood's recent-message set: a Map entry per remembered message. */
const FLOOD_SEEN_BYTES = 40;

export interface ResourceProblem {
  readonly path: readonly string[];
  readonly got: unknown;
  readonly allowed: string;
}

/** The hosts a run may create: honest peers, adversaries, and churn's newcomers when arrivals are on. */
export function hostCount(s: Scenario): { peers: number; adversaries: number; arrivals: number; total: number } {
  const adversaries = s.adversaries.reduce((n, a) => n + a.count, 0);
  const arrivals = s.churn && s.churn.arrivalsPerS > 0 ? s.churn.maxArrivals : 0;
  return { peers: s.peers.count, adversaries, arrivals, total: s.peers.count + adversaries + arrivals };
}

/** One part of the per-host estimate, with the field that sizes it. */
interface Part {
  readonly field: string;
  readonly what: string;
  readonly bytesPerHost: number;
}

/** The per-host tables the scenario's fields size (an estimate: what the run's largest structures need at least). */
export function perHostParts(s: Scenario, hosts: number): Part[] {
  const p = s.protocol;
  if (p.kind === 'flood') return [{ field: 'protocol.seenCapacity', what: 'recent-message set', bytesPerHost: p.seenCapacity * FLOOD_SEEN_BYTES }];
  const parts: Part[] = [
    { field: 'protocol.node.addrBookCapacity', what: 'address book', bytesPerHost: Math.min(p.node.addrBookCapacity, hosts) * ADDRESS_BYTES },
  ];
  if (p.strategy === 'globalmap') parts.push({ field: 'peers.count', what: 'global map', bytesPerHost: hosts * PEER_STORE_BYTES_PER_PEER });
  if (p.strategy === 'kademlia') parts.push({ field: 'protocol.kademlia.k', what: 'routing table', bytesPerHost: Math.min(p.kademlia.k * 160, hosts) * KADEMLIA_ENTRY_BYTES });
  return parts;
}

/** Problems with the population cap and the memory budget; empty when the run fits. */
export function checkResources(s: Scenario): ResourceProblem[] {
  const h = hostCount(s);
  if (h.total > MAX_PEERS) {
    const field = h.adversaries >= h.arrivals ? ['adversaries'] : ['churn', 'maxArrivals'];
    const sum = `peers.count (${h.peers}) + adversary counts (${h.adversaries}) + churn.maxArrivals (${h.arrivals}) = ${h.total} hosts`;
    return [{ path: field, got: field[0] === 'adversaries' ? h.adversaries : h.arrivals, allowed: `${sum}; must be ≤ ${MAX_PEERS} (the population cap)` }];
  }
  const budgetGiB = s.limits.memoryBudgetGiB ?? DEFAULT_MEMORY_BUDGET_GIB;
  const parts = perHostParts(s, h.total);
  const total = parts.reduce((n, part) => n + part.bytesPerHost * h.total, 0);
  if (total <= budgetGiB * GIB) return [];
  const biggest = parts.reduce((a, b) => (b.bytesPerHost > a.bytesPerHost ? b : a));
  const detail = parts.map((part) => `${part.what} ${size(part.bytesPerHost)}/host (${part.field})`).join(', ');
  return [
    {
      path: biggest.field.split('.'),
      got: valueAtPath(s, biggest.field),
      allowed:
        `per-host tables estimated at ${size(total)} for ${h.total} hosts (${detail}) exceed the memory budget of ${budgetGiB} GiB` +
        ` (limits.memoryBudgetGiB); lower ${biggest.field} or peers.count, or raise the budget`,
    },
  ];
}

function size(bytes: number): string {
  if (bytes >= GIB) return `${(bytes / GIB).toFixed(1)} GiB`;
  if (bytes >= MIB) return `${(bytes / MIB).toFixed(1)} MiB`;
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function valueAtPath(s: Scenario, dotted: string): unknown {
  let v: unknown = s;
  for (const k of dotted.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}
