import { doubledPast, growF64, growI32 } from '../engine/typed-grow.ts';

/**
 * Each host's open or opening connection ends, in the order they were
 * added: one doubly linked list per host, threaded through typed arrays
 * indexed by the end's slot * 2 + side. Adding and removing an end writes a
 * few int32 instead of a hash-table insert and delete in a Set per host (a
 * Kademlia run opens a connection per request). Each entry keeps its
 * handle, so a caller iterating gets the handles it added.
 */
export class HostEnds {
  private head = new Int32Array(64).fill(-1);
  private tail = new Int32Array(64).fill(-1);
  private count = new Int32Array(64);
  private next = new Int32Array(1024);
  private prev = new Int32Array(1024);
  /** 1 + the host an end is listed under, 0 when it is in no list. */
  private hostOf = new Int32Array(1024);
  private handleOf = new Float64Array(1024);

  /** Ends listed under `host`. */
  size(host: number): number {
    return host < this.count.length ? this.count[host] : 0;
  }

  /** Lists `end` (slot * 2 + side) with its handle at the tail of `host`'s list; an end still listed is moved. */
  add(host: number, end: number, handle: number): void {
    this.fitHost(host);
    this.fitEnd(end);
    if (this.hostOf[end] !== 0) this.unlink(this.hostOf[end] - 1, end);
    const t = this.tail[host];
    this.prev[end] = t;
    this.next[end] = -1;
    if (t < 0) this.head[host] = end;
    else this.next[t] = end;
    this.tail[host] = end;
    this.hostOf[end] = host + 1;
    this.handleOf[end] = handle;
    this.count[host]++;
  }

  /** Unlists `end` if it is listed under `host` with this handle (a stale handle is a no-op, as a Set's delete was). */
  remove(host: number, end: number, handle: number): void {
    if (end >= this.hostOf.length || this.hostOf[end] !== host + 1 || this.handleOf[end] !== handle) return;
    this.unlink(host, end);
  }

  /** The handles listed under `host`, in list order (a copy: the caller may close them as it goes). */
  handles(host: number): number[] {
    const out: number[] = [];
    if (host >= this.head.length) return out;
    // Bounded by the list's count, so a broken link cannot loop forever.
    for (let e = this.head[host], k = 0; e >= 0 && k < this.count[host]; e = this.next[e], k++) out.push(this.handleOf[e]);
    return out;
  }

  /** Unlists every end of `host`. */
  clear(host: number): void {
    if (host >= this.head.length) return;
    for (let e = this.head[host]; e >= 0; ) {
      const n = this.next[e];
      this.hostOf[e] = 0;
      e = n;
    }
    this.head[host] = -1;
    this.tail[host] = -1;
    this.count[host] = 0;
  }

  private unlink(host: number, end: number): void {
    const p = this.prev[end];
    const n = this.next[end];
    if (p < 0) this.head[host] = n;
    else this.next[p] = n;
    if (n < 0) this.tail[host] = p;
    else this.prev[n] = p;
    this.hostOf[end] = 0;
    this.count[host]--;
  }

  private fitHost(host: number): void {
    if (host < this.head.length) return;
    const cap = doubledPast(this.head.length, host);
    this.head = growI32(this.head, cap, -1);
    this.tail = growI32(this.tail, cap, -1);
    this.count = growI32(this.count, cap);
  }

  private fitEnd(end: number): void {
    if (end < this.hostOf.length) return;
    const cap = doubledPast(this.hostOf.length, end);
    this.next = growI32(this.next, cap);
    this.prev = growI32(this.prev, cap);
    this.hostOf = growI32(this.hostOf, cap);
    this.handleOf = growF64(this.handleOf, cap);
  }
}
