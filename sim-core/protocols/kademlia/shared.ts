import type { IdentityRegistry } from '../identity/registry.ts';
import type { Address } from '../../sans-io/protocol.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { KadNode } from '../../wire/messages.ts';
import { KAD_ID_WORDS } from './constants.ts';
import { KadIdTable, type KadId } from './ids.ts';
import { KadStats } from './app-metrics.ts';
import { UseTable } from './use-table.ts';

/** A bit per peer number, growing by doubling (peer numbers are small dense integers). */
class PeerFlags {
  private a = new Uint8Array(1024);

  get(peer: PeerNum): boolean {
    return peer >= 0 && peer < this.a.length && this.a[peer] === 1;
  }

  set(peer: PeerNum, on: boolean): void {
    if (peer >= this.a.length) {
      if (!on) return;
      let n = this.a.length;
      while (n <= peer) n *= 2;
      const b = new Uint8Array(n);
      b.set(this.a);
      this.a = b;
    }
    this.a[peer] = on ? 1 : 0;
  }
}

/** Peers whose KadNode host is kept in the flat array (registry numbers are dense; others just allocate). */
const NODE_HOSTS_MAX = 1 << 22;

/**
 * What the Kademlia apps of one simulation share: the Kademlia id of every
 * peer (one packed `KadIdTable`, filled from the identity registry — the id is
 * the first 20 bytes of the peer id, which any peer can compute from the
 * 32-byte id it receives on the wire), immutable `KadNode` records reused
 * across answers, and the observer's side: the metrics, which honest peers
 * are live, and which peers are Kademlia clients.
 *
 * The client flag stands in for a "DHT server" service bit a real peer
 * would announce in its handshake (libp2p identify, devp2p capabilities):
 * apps read it to not store clients. Nothing else here is visible to the
 * protocol's decisions.
 */
export class KadShared {
  readonly ids: KadIdTable;
  readonly stats = new KadStats();
  /** PeerNum of each honest peer, by honest index. */
  readonly honest: PeerNum[] = [];
  private readonly clients = new PeerFlags();
  private readonly live = new PeerFlags();
  private readonly joinedFlags = new PeerFlags();
  /** Set by `trueClosest`: the closest live server that has also completed its join (-1 if none). */
  lastClosestJoined: PeerNum = -1;
  private readonly nodeCache: (KadNode | undefined)[] = [];
  /** host + 1 of each cached KadNode (0: none), so a hit is checked without loading the node and its address. */
  private nodeHostPlus1 = new Float64Array(1024);
  /** Each app's connections in use (Connections). */
  readonly use = new UseTable();

  constructor(
    readonly registry: IdentityRegistry,
    expectedPeers = 1024,
  ) {
    this.ids = new KadIdTable(Math.max(16, expectedPeers + 64));
  }

  /** Registers `peer`'s Kademlia id if needed; false for a number the registry does not know. */
  ensureId(peer: PeerNum): boolean {
    if (this.ids.has(peer)) return true;
    if (!Number.isInteger(peer) || peer < 0 || peer >= this.registry.size) return false;
    this.ids.setFromPeerId(peer, this.registry.peerIdOf(peer));
    return true;
  }

  /** A peer hosting a Kademlia app; only honest ones are candidates for the true closest peer. */
  register(index: number, peer: PeerNum, isClient: boolean, honest = true): void {
    this.ensureId(peer);
    if (honest) this.honest[index] = peer;
    this.clients.set(peer, isClient);
  }

  /** Whether `peer` announced itself as a Kademlia client (not to be stored in routing tables). */
  isClient(peer: PeerNum): boolean {
    return this.clients.get(peer);
  }

  /** Observer: the peer is running (set by its app on start, refreshed from the world by the metrics). */
  setLive(peer: PeerNum, up: boolean): void {
    this.live.set(peer, up);
  }

  isLive(peer: PeerNum): boolean {
    return this.live.get(peer);
  }

  /** Observer: the peer completed its join (apps report it; cleared at each start). */
  setJoined(peer: PeerNum, joined: boolean): void {
    this.joinedFlags.set(peer, joined);
  }

  /** A shared, frozen KadNode for (peer, host): answers reuse them instead of allocating per message. */
  kadNode(peer: PeerNum, host: Address): KadNode {
    if (peer >= 0 && peer < this.nodeHostPlus1.length && this.nodeHostPlus1[peer] === host + 1) return this.nodeCache[peer]!;
    const node: KadNode = Object.freeze({ peer, address: Object.freeze({ host, port: 0 }) });
    this.nodeCache[peer] = node;
    if (peer >= 0 && peer < NODE_HOSTS_MAX && peer % 1 === 0) {
      if (peer >= this.nodeHostPlus1.length) this.growNodeHosts(peer);
      this.nodeHostPlus1[peer] = host + 1;
    }
    return node;
  }

  private growNodeHosts(peer: PeerNum): void {
    let n = this.nodeHostPlus1.length;
    while (n <= peer) n *= 2;
    const a = new Float64Array(n);
    a.set(this.nodeHostPlus1);
    this.nodeHostPlus1 = a;
  }

  /**
   * Observer's privilege: the live, non-client honest peer other than
   * `searcher` whose id is closest to `target` (-1 if none), by a linear
   * scan of the packed ids. The same scan leaves the closest such peer that
   * has also joined in `lastClosestJoined`.
   */
  trueClosest(target: KadId, searcher: PeerNum = -1): PeerNum {
    const w = this.ids.words;
    const t0 = target[0];
    let best = -1;
    let bestOff = 0;
    let bestD0 = 0;
    let bestJ = -1;
    let bestJOff = 0;
    let bestJD0 = 0;
    for (let i = 0; i < this.honest.length; i++) {
      const p = this.honest[i];
      if (p === undefined || p === searcher || !this.live.get(p) || this.clients.get(p)) continue;
      const off = p * KAD_ID_WORDS;
      const d0 = (w[off] ^ t0) >>> 0;
      if (this.joinedFlags.get(p) && (bestJ < 0 || d0 < bestJD0 || (d0 === bestJD0 && closerAt(w, off, bestJOff, target)))) {
        bestJ = p;
        bestJOff = off;
        bestJD0 = d0;
      }
      if (best >= 0) {
        if (d0 > bestD0) continue;
        if (d0 === bestD0 && !closerAt(w, off, bestOff, target)) continue;
      }
      best = p;
      bestOff = off;
      bestD0 = d0;
    }
    this.lastClosestJoined = bestJ;
    return best;
  }
}

/** Whether the id at `a` is closer to `t` than the id at `b` (their first words tie). */
function closerAt(w: Uint32Array, a: number, b: number, t: KadId): boolean {
  for (let i = 1; i < KAD_ID_WORDS; i++) {
    const da = (w[a + i] ^ t[i]) >>> 0;
    const db = (w[b + i] ^ t[i]) >>> 0;
    if (da !== db) return da < db;
  }
  return false;
}
