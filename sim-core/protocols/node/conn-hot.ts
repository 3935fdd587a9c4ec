import type { TimeUs } from '../../engine/time.ts';
import { doubledPast, growF64, growI32 } from '../../engine/typed-grow.ts';
import { IntKeyMap } from './int-key-map.ts';
import { PeerRows } from './peer-rows.ts';

/**
 * What the per-message path of PeerNode reads and writes, for every
 * connection of every node of one World: one 64-byte record per connection in
 * a shared Float64Array, found from the ConnId (receive) or from (node, peer)
 * (send) through flat hash maps. Node objects, Maps and Conn objects stay for
 * the rare paths; a message touches the record line and a hash line instead
 * of a chain of scattered objects. ConnIds must be unique among the live
 * connections of the nodes sharing a store (World handles are).
 */
export const REC = 8;
export const R_ID = 0;
export const R_LAST_RECV = 1;
/** Token bucket: tokens left and the time they were counted. */
export const R_TOKENS = 2;
export const R_TOKENS_AT = 3;
export const R_HAS_BUCKET = 4;
/** The remote's PeerNum while the connection is 'up', else -1. */
export const R_UP_PEER = 5;
/** The remote's PeerNum while (owner, peer) maps to this record, else -1. */
export const R_MAPPED_PEER = 6;
/** The remote's address (Conn.address). */
export const R_REMOTE = 7;

/** Entries of the low-bits cache at most (16 MiB): past it, colliding ids share a cache entry and fall back to the map. */
const LOW_MAX = 1 << 22;
/** Owners are host addresses; with peers < 2^31 the (owner, peer) key stays below 2^52. */
const OWNER_LIMIT = 1 << 21;
const PEER_LIMIT = 2 ** 31;

export class ConnHot<T> {
  rec: Float64Array;
  /** The cold object of each record (PeerNode's Conn). */
  readonly objs: (T | undefined)[] = [];
  private owner: Int32Array;
  /** Records of one owner as a doubly linked list, so a reset host's records can all be dropped. */
  private next: Int32Array;
  private prev: Int32Array;
  private heads = new Int32Array(64).fill(-1);
  private free: number[] = [];
  private used = 0;
  private readonly byConn = new IntKeyMap(1024);
  /**
   * A direct-mapped cache in front of byConn: record by the ConnId's low
   * bits (-1: none), checked against the record's R_ID, which the caller
   * reads next anyway. A World handle's low bits are its slot and side, so
   * live connections never collide and every delivery finds its record with
   * one load in a small array instead of a probe in a table of every
   * connection. Other ids may collide: the older one then goes to byConn.
   */
  private byLow = new Int32Array(1024).fill(-1);
  /**
   * Per owner, peer → the record it reaches that peer through: a row each,
   * so the lookups of one node's burst of sends (a flush to all its
   * neighbours, a Kademlia answer's twenty addresses) share a few lines
   * instead of probing a table of every connection of the World.
   */
  private readonly byPeer = new PeerRows();
  /** (owner, remote address) → records of owner to that address: "are we linked to it" without a walk over the connections. */
  private readonly byRemote = new IntKeyMap(1024);

  constructor(
    initialCapacity = 1024,
    /** Hard bound on live records. */
    readonly maxRecords = 1 << 22,
  ) {
    const cap = Math.max(16, Math.min(initialCapacity, maxRecords));
    this.rec = new Float64Array(cap * REC);
    this.owner = new Int32Array(cap);
    this.next = new Int32Array(cap);
    this.prev = new Int32Array(cap);
  }

  /** Live records. */
  get size(): number {
    return this.used - this.free.length;
  }

  /** A record for connection `conn` of host `owner` to address `remote`, lastRecv = now, no bucket, not up. */
  add(owner: number, conn: number, remote: number, obj: T, now: TimeUs): number {
    if (!(owner >= 0 && owner < OWNER_LIMIT)) throw new RangeError(`ConnHot owner must be in [0, 2^21), got ${owner}`);
    if (!(remote >= 0 && remote < PEER_LIMIT)) throw new RangeError(`ConnHot remote address must be in [0, 2^31), got ${remote}`);
    let idx: number;
    if (this.free.length > 0) idx = this.free.pop()!;
    else {
      if (this.used === this.owner.length) this.grow();
      idx = this.used++;
    }
    const r = this.rec;
    const o = idx * REC;
    r[o + R_ID] = conn;
    r[o + R_LAST_RECV] = now;
    r[o + R_TOKENS] = 0;
    r[o + R_TOKENS_AT] = 0;
    r[o + R_HAS_BUCKET] = 0;
    r[o + R_UP_PEER] = -1;
    r[o + R_MAPPED_PEER] = -1;
    r[o + R_REMOTE] = remote;
    this.objs[idx] = obj;
    if (owner >= this.heads.length) this.growHeads(owner);
    this.owner[idx] = owner;
    const head = this.heads[owner];
    this.next[idx] = head;
    this.prev[idx] = -1;
    if (head >= 0) this.prev[head] = idx;
    this.heads[owner] = idx;
    this.byConn.set(conn, idx);
    this.cacheLow(conn, idx);
    const rk = owner * PEER_LIMIT + remote;
    this.byRemote.set(rk, Math.max(0, this.byRemote.get(rk)) + 1);
    return idx;
  }

  /** True if `owner` has a record (a connection in any state) to address `remote`. */
  linked(owner: number, remote: number): boolean {
    return remote >= 0 && remote < PEER_LIMIT && this.byRemote.get(owner * PEER_LIMIT + remote) > 0;
  }

  /** The record of `conn`, or -1. */
  find(conn: number): number {
    const i = this.byLow[conn & (this.byLow.length - 1)];
    if (i >= 0 && this.rec[i * REC + R_ID] === conn) return i;
    return this.byConn.get(conn);
  }

  /** Caches `idx` under `conn`'s low bits, doubling the cache (up to LOW_MAX) while a live record of another id holds them. */
  private cacheLow(conn: number, idx: number): void {
    for (;;) {
      const low = this.byLow;
      const j = conn & (low.length - 1);
      const other = low[j];
      // Free, stale, the same id (a newer record for it wins, as in byConn), or as large as allowed: take the entry.
      if (other < 0 || this.owner[other] < 0 || this.rec[other * REC + R_ID] === conn || low.length >= LOW_MAX) {
        low[j] = idx;
        return;
      }
      const grown = new Int32Array(low.length * 2).fill(-1);
      for (let k = 0; k < low.length; k++) {
        const r = low[k];
        if (r >= 0 && this.owner[r] >= 0) grown[this.rec[r * REC + R_ID] & (grown.length - 1)] = r;
      }
      this.byLow = grown;
    }
  }

  /** The record that `owner` reaches `peer` through, or -1. */
  peerRecord(owner: number, peer: number): number {
    return peer >= 0 && peer < PEER_LIMIT ? this.byPeer.get(owner, peer) : -1;
  }

  /** Maps (owner of idx, peer) to idx, replacing any earlier record for that peer. */
  mapPeer(idx: number, peer: number): void {
    if (!(peer >= 0 && peer < PEER_LIMIT)) throw new RangeError(`ConnHot peer must be in [0, 2^31), got ${peer}`);
    const owner = this.owner[idx];
    const old = this.byPeer.get(owner, peer);
    if (old >= 0) this.rec[old * REC + R_MAPPED_PEER] = -1;
    this.byPeer.set(owner, peer, idx);
    this.rec[idx * REC + R_MAPPED_PEER] = peer;
  }

  /** Removes the (owner of idx, peer) mapping if it points to idx. */
  unmapPeer(idx: number): void {
    const o = idx * REC;
    const peer = this.rec[o + R_MAPPED_PEER];
    if (peer < 0) return;
    if (this.byPeer.get(this.owner[idx], peer) === idx) this.byPeer.delete(this.owner[idx], peer);
    this.rec[o + R_MAPPED_PEER] = -1;
  }

  release(idx: number): void {
    this.unmapPeer(idx);
    const conn = this.rec[idx * REC + R_ID];
    // A stale ConnId may have been reused by a live connection since: only drop the mapping if it is ours.
    if (this.byConn.get(conn) === idx) this.byConn.delete(conn);
    const j = conn & (this.byLow.length - 1);
    if (this.byLow[j] === idx) this.byLow[j] = -1;
    const rk = this.owner[idx] * PEER_LIMIT + this.rec[idx * REC + R_REMOTE];
    const links = this.byRemote.get(rk);
    if (links > 1) this.byRemote.set(rk, links - 1);
    else this.byRemote.delete(rk);
    this.objs[idx] = undefined;
    const n = this.next[idx];
    const p = this.prev[idx];
    if (p >= 0) this.next[p] = n;
    else this.heads[this.owner[idx]] = n;
    if (n >= 0) this.prev[n] = p;
    this.owner[idx] = -1;
    this.free.push(idx);
  }

  /** Releases every record of `owner` (a host whose node object was replaced). */
  dropOwner(owner: number): void {
    if (owner >= this.heads.length) return;
    for (let idx = this.heads[owner]; idx >= 0; idx = this.heads[owner]) this.release(idx);
  }

  private grow(): void {
    const cap = this.owner.length;
    if (cap >= this.maxRecords) throw new RangeError(`ConnHot is full (${this.maxRecords} connections)`);
    const n = Math.min(cap * 2, this.maxRecords);
    this.rec = growF64(this.rec, n * REC);
    this.owner = growI32(this.owner, n);
    this.next = growI32(this.next, n);
    this.prev = growI32(this.prev, n);
  }

  private growHeads(owner: number): void {
    this.heads = growI32(this.heads, doubledPast(this.heads.length, owner), -1);
  }
}
