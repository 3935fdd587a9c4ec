import type { Rng } from '../../engine/rng.ts';

/**
 * Public hosts that relay connections for NATed ones (libp2p circuit relay v2
 * style). A relay carries at most `slots` circuits at once (go-libp2p's
 * default relay resources allow 16 concurrent circuits); a relayed
 * connection takes one slot from its dial until both ends are closed. The
 * extra latency is the detour itself: packets travel from → relay → to.
 */
export class RelayModel {
  readonly isRelay: Uint8Array;
  readonly load: Int32Array;
  /** Relay addresses, ascending. */
  readonly relays: readonly number[];
  refused = 0;
  circuits = 0;

  constructor(
    capacity: number,
    readonly slots: number,
    relayMask: Uint8Array,
  ) {
    if (!(Number.isInteger(slots) && slots >= 0)) throw new RangeError(`relay slots must be an integer ≥ 0, got ${slots}`);
    this.isRelay = new Uint8Array(capacity);
    this.isRelay.set(relayMask.subarray(0, capacity));
    this.load = new Int32Array(capacity);
    const list: number[] = [];
    for (let h = 0; h < capacity; h++) if (this.isRelay[h]) list.push(h);
    this.relays = list;
  }

  /** Takes a slot on `relay` if it is a relay with one free. */
  acquire(relay: number): boolean {
    if (this.isRelay[relay] !== 1 || this.load[relay] >= this.slots) {
      this.refused++;
      return false;
    }
    this.load[relay]++;
    this.circuits++;
    return true;
  }

  release(relay: number): void {
    if (this.load[relay] > 0) this.load[relay]--;
  }

  /** A relay drawn uniformly (for an overlay that has no better choice), or -1 if there is none. */
  pick(rng: Rng): number {
    return this.relays.length === 0 ? -1 : this.relays[rng.int(this.relays.length)];
  }
}

/** Relay mask: each public host (NAT code 0, or UPnP-reachable) is a relay with probability `share`. */
export function drawRelays(reachable: (h: number) => boolean, capacity: number, share: number, rng: Rng): Uint8Array {
  const mask = new Uint8Array(capacity);
  // One draw per host whatever its type, so the NAT mix does not shift which hosts are relays.
  for (let h = 0; h < capacity; h++) {
    const u = rng.next();
    if (reachable(h) && u < share) mask[h] = 1;
  }
  return mask;
}
