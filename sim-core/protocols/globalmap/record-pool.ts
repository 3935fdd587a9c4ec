import type { PeerNum } from '../../wire/ids.ts';
import { hashRecord, recordBytes, sameContent, type LinkRecord } from './record.ts';

/**
 * Hash-consing of link records across every peer of a simulation: two peers
 * whose views of an origin agree hold the same object. Records are counted
 * by reference and dropped when no store holds them, so memory follows what
 * the maps contain, not their history. A real deployment has one peer per
 * process and simply allocates; the pool is the simulator's way to hold
 * 2,500 maps of 2,500 entries (or 10,000 of 10,000) in memory.
 */
export class RecordPool {
  private readonly byHash = new Map<number, LinkRecord | LinkRecord[]>();
  private live = 0;
  private liveBytes = 0;
  created = 0;

  get size(): number {
    return this.live;
  }

  /** Approximate heap bytes held by live records. */
  get bytes(): number {
    return this.liveBytes;
  }

  /** The shared record with this content (one reference taken), created if new. */
  acquire(origin: PeerNum, peers: Int32Array, ts: Float64Array, flags: Uint8Array): LinkRecord {
    const hash = hashRecord(origin, peers, ts, flags);
    const slot = this.byHash.get(hash);
    if (slot !== undefined) {
      if (!Array.isArray(slot)) {
        if (sameContent(slot, origin, peers, ts, flags)) {
          slot.refs++;
          return slot;
        }
      } else {
        for (const r of slot) {
          if (sameContent(r, origin, peers, ts, flags)) {
            r.refs++;
            return r;
          }
        }
      }
    }
    const rec = makeRecord(origin, peers, ts, flags, hash);
    if (slot === undefined) this.byHash.set(hash, rec);
    else if (Array.isArray(slot)) slot.push(rec);
    else this.byHash.set(hash, [slot, rec]);
    this.live++;
    this.liveBytes += recordBytes(rec);
    this.created++;
    return rec;
  }

  /** The memoised result of applying (peer, flags, ts) to `r`, with a reference taken; undefined on a miss. */
  transition(r: LinkRecord, peer: number, flags: number, ts: number): LinkRecord | undefined {
    const next = r.memoNext;
    if (next === undefined || r.memoPeer !== peer || r.memoFlags !== flags || r.memoTs !== ts || next.refs <= 0) return undefined;
    next.refs++;
    return next;
  }

  remember(r: LinkRecord, peer: number, flags: number, ts: number, next: LinkRecord): void {
    r.memoPeer = peer;
    r.memoFlags = flags;
    r.memoTs = ts;
    r.memoNext = next;
  }

  /** Takes another reference to a record already held. */
  retain(r: LinkRecord): void {
    r.refs++;
  }

  release(r: LinkRecord): void {
    if (--r.refs > 0) return;
    const slot = this.byHash.get(r.hash);
    if (slot === r) this.byHash.delete(r.hash);
    else if (Array.isArray(slot)) {
      const i = slot.indexOf(r);
      if (i >= 0) slot.splice(i, 1);
      if (slot.length === 1) this.byHash.set(r.hash, slot[0]);
    }
    this.live--;
    this.liveBytes -= recordBytes(r);
    r.memoNext = undefined; // a dead record must not keep later versions alive
  }
}

function makeRecord(origin: PeerNum, peers: Int32Array, ts: Float64Array, flags: Uint8Array, hash: number): LinkRecord {
  let newest = 0;
  let oldest = Number.POSITIVE_INFINITY;
  let connects = 0;
  for (let i = 0; i < peers.length; i++) {
    if (ts[i] > newest) newest = ts[i];
    if (ts[i] < oldest) oldest = ts[i];
    if (flags[i] & 1) connects++;
  }
  return { origin, peers, ts, flags, newestUs: newest, oldestUs: peers.length > 0 ? oldest : 0, connects, hash, refs: 1, memoPeer: -1, memoFlags: 0, memoTs: 0, memoNext: undefined };
}
