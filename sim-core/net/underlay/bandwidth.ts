/**
 * Access-link capacity per host: an upload link at the sender and a download
 * link at the receiver, each a FIFO single server that serialises a message
 * in size / rate. A link's state is one number, the time its last queued
 * byte is done (busy-until, fractional µs), so the backlog in bytes at time
 * t is (busyUntil − t) × rate: no queue objects, no dequeue events, nothing
 * allocated per packet. A packet that would push the backlog past the queue
 * bound is dropped (drop-tail); a packet larger than the bound still goes
 * through an empty queue, so big frames are not undeliverable.
 *
 * The download link is the same server, but over the senders' clock: a
 * packet joins the receiver's queue when its last byte leaves the sender's
 * uplink (computed at send time, so still one event per packet), and the
 * wait it gets there is added to its arrival. Packets contend at a receiver
 * when they leave their uplinks at overlapping times, whatever their
 * propagation delays; one sender's stream is exact. (Serving the downlink in
 * arrival-time order would need a second event per packet: packets computed
 * later can arrive earlier.) The World keeps each connection FIFO on top.
 */
export class Bandwidth {
  /** µs per byte (8 / Mbit/s); 0 = unlimited. */
  readonly upUsPerByte: Float64Array;
  readonly downUsPerByte: Float64Array;
  readonly upBusy: Float64Array;
  readonly downBusy: Float64Array;

  constructor(
    readonly capacity: number,
    /** Drop-tail bound of each queue, bytes (backlog + packet). */
    readonly queueBytes: number,
  ) {
    if (!(queueBytes > 0)) throw new RangeError(`queueBytes must be > 0, got ${queueBytes}`);
    this.upUsPerByte = new Float64Array(capacity);
    this.downUsPerByte = new Float64Array(capacity);
    this.upBusy = new Float64Array(capacity);
    this.downBusy = new Float64Array(capacity);
  }

  /** Sets a host's rates in Mbit/s (0 or Infinity = unlimited). */
  setHost(host: number, uploadMbps: number, downloadMbps: number): void {
    this.upUsPerByte[host] = rateToUsPerByte(uploadMbps);
    this.downUsPerByte[host] = rateToUsPerByte(downloadMbps);
  }

  /** When the last byte of a `size`-byte packet handed to `host`'s uplink at t has left (integer µs), or -1 if the queue overflows. */
  upload(host: number, size: number, t: number): number {
    const per = this.upUsPerByte[host];
    if (per === 0) return t;
    const end = serve(this.upBusy, host, per, size, t, this.queueBytes);
    return end < 0 ? -1 : Math.ceil(end);
  }

  /** Time a packet spends in `host`'s downlink (queueing + serialisation, fractional µs) when it joins it at v (its sender's uplink done), or -1 if the queue overflows. */
  downloadDelay(host: number, size: number, v: number): number {
    const per = this.downUsPerByte[host];
    if (per === 0) return 0;
    const end = serve(this.downBusy, host, per, size, v, this.queueBytes);
    return end < 0 ? -1 : end - v;
  }

  /** Bytes waiting in a host's upload queue at time t. */
  uploadBacklog(host: number, t: number): number {
    const per = this.upUsPerByte[host];
    return per === 0 ? 0 : Math.max(0, this.upBusy[host] - t) / per;
  }

  /** Forgets a host's queues (it crashed: what it had queued is gone). */
  clear(host: number): void {
    this.upBusy[host] = 0;
    this.downBusy[host] = 0;
  }
}

function rateToUsPerByte(mbps: number): number {
  if (!(mbps >= 0)) throw new RangeError(`bandwidth must be ≥ 0 Mbit/s, got ${mbps}`);
  return mbps === 0 || mbps === Infinity ? 0 : 8 / mbps;
}

/** FIFO single server: end time of the packet, or -1 on overflow. */
function serve(busy: Float64Array, host: number, per: number, size: number, t: number, limit: number): number {
  const b = busy[host];
  const start = b > t ? b : t;
  if (start > t && (start - t) / per + size > limit) return -1;
  const end = start + size * per;
  busy[host] = end;
  return end;
}
