import type { TimeUs } from '../engine/time.ts';
import { doubledPast, growF64 } from '../engine/typed-grow.ts';
import type { Address } from '../sans-io/protocol.ts';

/**
 * An observer's record of recent sends (the dashboard animates messages in
 * flight): a bounded ring of (sent, arrival, from, to, type), plus per-host
 * counts of messages sent and delivered since it was enabled. The world only
 * writes it, never reads it, so enabling it cannot change a run. Off unless
 * `World.enableMessageLog` is called.
 */
export class MessageLog {
  readonly sentUs: Float64Array;
  readonly arriveUs: Float64Array;
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly type: Uint8Array;
  /** Sends recorded so far; the ring holds the last `capacity` (entry k at k % capacity). */
  written = 0;
  /** Messages each host sent / had delivered, by address (grown past `hosts` as hosts are added). */
  sentBy: Float64Array;
  deliveredTo: Float64Array;

  constructor(
    readonly capacity: number,
    hosts: number,
  ) {
    if (!(Number.isInteger(capacity) && capacity >= 1 && capacity <= 1 << 22)) throw new RangeError(`message log capacity must be an integer in [1, 2^22], got ${capacity}`);
    this.sentBy = new Float64Array(Math.max(1, hosts));
    this.deliveredTo = new Float64Array(Math.max(1, hosts));
    this.sentUs = new Float64Array(capacity);
    this.arriveUs = new Float64Array(capacity);
    this.from = new Int32Array(capacity);
    this.to = new Int32Array(capacity);
    this.type = new Uint8Array(capacity);
  }

  sent(from: Address, to: Address, type: number, sentUs: TimeUs, arriveUs: TimeUs): void {
    const k = this.written++ % this.capacity;
    this.sentUs[k] = sentUs;
    this.arriveUs[k] = arriveUs;
    this.from[k] = from;
    this.to[k] = to;
    this.type[k] = type;
    if (from >= this.sentBy.length) this.sentBy = growF64(this.sentBy, doubledPast(this.sentBy.length, from));
    this.sentBy[from]++;
  }

  delivered(to: Address): void {
    if (to >= this.deliveredTo.length) this.deliveredTo = growF64(this.deliveredTo, doubledPast(this.deliveredTo.length, to));
    this.deliveredTo[to]++;
  }
}
