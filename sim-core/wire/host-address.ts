import type { NetAddress } from './messages.ts';

/** Hosts whose address object is kept (simulated hosts are small dense numbers; others get a fresh one). */
const KEPT_HOSTS_MAX = 1 << 22;
const kept: (Readonly<NetAddress> | undefined)[] = [];

/**
 * The address `{ host, port: 0 }` of a simulated host, frozen and shared:
 * an addr answer lists a hundred of them, and a fresh object per entry was
 * a tenth of a Kademlia run's allocations. A pure memo (the same value for
 * the same host in every run), so sharing it across simulations is safe.
 */
export function hostAddress(host: number): Readonly<NetAddress> {
  const ok = Number.isInteger(host) && host >= 0 && host < KEPT_HOSTS_MAX;
  if (!ok) return Object.freeze({ host, port: 0 });
  return (kept[host] ??= Object.freeze({ host, port: 0 }));
}
