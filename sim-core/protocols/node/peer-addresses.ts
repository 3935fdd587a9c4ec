import type { PeerNum } from '../../wire/ids.ts';
import type { Address } from '../../sans-io/protocol.ts';

/**
 * The address of each peer a node has heard of (handshakes, addr gossip),
 * bounded: past `capacity` the oldest-noted peer is forgotten. Insertion
 * ordered, so eviction and iteration are deterministic.
 */
export class PeerAddresses {
  private readonly byPeer = new Map<PeerNum, Address>();

  constructor(private readonly capacity: number) {}

  get(peer: PeerNum): Address | undefined {
    return this.byPeer.get(peer);
  }

  note(peer: PeerNum, address: Address): void {
    if (!this.byPeer.has(peer) && this.byPeer.size >= this.capacity) this.byPeer.delete(this.byPeer.keys().next().value as PeerNum);
    this.byPeer.set(peer, address);
  }

  /** Peers p with `among[p] === 1` known here or in `connected` (counted once), walking what is known rather than every p. */
  countAmong(among: Uint8Array, connected: ReadonlyMap<PeerNum, unknown>): number {
    let n = 0;
    for (const p of this.byPeer.keys()) if (among[p] === 1) n++;
    for (const p of connected.keys()) if (among[p] === 1 && !this.byPeer.has(p)) n++;
    return n;
  }
}
