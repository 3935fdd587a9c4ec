import { readFileSync } from 'node:fs';
import type { Scenario } from '../../scenario/schema/index.ts';

/** Most peers one live run starts (one process; each peer costs sockets, timers and real signatures). */
export const MAX_LIVE_PEERS = 1_000;
/** Links per peer assumed when counting file descriptors (at least the scenario's outbound limit). */
export const FD_LINKS_PER_PEER = 32;
/** Descriptors kept free for Node itself, stdio, files and foreign clients. */
export const FD_RESERVE = 128;
/** Assumed when the limit cannot be read (the common soft default). */
export const FD_LIMIT_FALLBACK = 1_024;

export class LiveLimitError extends Error {}

/** The soft limit on open files (Linux: /proc/self/limits; elsewhere the conservative fallback). */
export function openFileLimit(): number {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m) return m[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(m[1]);
  } catch {
    // not Linux
  }
  return FD_LIMIT_FALLBACK;
}

/**
 * File descriptors a live run may hold: one listening socket per host, and
 * both ends of every link (its dialer and its acceptor live in this
 * process); links are counted at the dialing side, at most the outbound limit.
 */
export function descriptorsNeeded(s: Scenario): number {
  const hosts = s.peers.count + s.adversaries.reduce((n, a) => n + a.count, 0);
  const proto = s.protocol as { node?: { maxOutbound?: number } };
  const links = Math.max(FD_LINKS_PER_PEER, proto.node?.maxOutbound ?? 0);
  return hosts * (1 + 2 * links) + FD_RESERVE;
}

/** Refuses, with the limit in the message, a run this process could not hold. */
export function checkLiveLimits(s: Scenario, fdLimit = openFileLimit()): void {
  if (s.protocol.kind !== 'node') throw new LiveLimitError(`live runs drive the peer manager (protocol.kind: node), not ${s.protocol.kind}`);
  if (s.peers.count > MAX_LIVE_PEERS) throw new LiveLimitError(`live: ${s.peers.count} peers is more than the limit of ${MAX_LIVE_PEERS} for one process`);
  if (s.churn) throw new LiveLimitError('live: churn is not supported (peers arrive by the join schedule only)');
  const need = descriptorsNeeded(s);
  if (need > fdLimit) {
    throw new LiveLimitError(`live: ${s.peers.count} peers may need ${need} file descriptors, above this process's limit of ${fdLimit} (raise it with ulimit -n, or use fewer peers)`);
  }
}
