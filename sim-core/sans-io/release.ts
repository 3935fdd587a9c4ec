/**
 * A message its protocol may reuse (a pool). The network holds it from the
 * send until it is delivered (after the receiver's handler returns) or
 * dropped, then gives it back with `release`. Receivers must not keep a
 * message past their handler unless they hold it themselves (`retain`).
 */
export interface Releasable {
  release(): void;
}

/**
 * A pooled message that counts its holders: back to its pool only when the
 * last one lets go, so one forwarded as it is (a relay) or kept by a
 * receiver that retained it is not reused while someone still reads it.
 * A class, so the network tells pooled messages from the rest with one
 * prototype check instead of looking up a property every message lacks.
 */
export abstract class HeldMessage implements Releasable {
  /** Holders: the network once per send in flight, and whoever retained it. */
  holds = 0;
  /** In its pool's free list (a further release is ignored). */
  free = false;

  retain(): void {
    this.holds++;
  }

  release(): void {
    if (this.free || --this.holds > 0) return;
    this.holds = 0;
    this.giveBack();
  }

  /** Hands the message back to its pool (nothing for one made outside any pool). */
  protected abstract giveBack(): void;
}

/** One more holder of `msg` (nothing for messages outside any pool). */
export function retain(msg: unknown): void {
  if (msg instanceof HeldMessage) msg.retain();
}

/** A holder of `msg` is done with it (nothing for messages outside any pool). */
export function release(msg: unknown): void {
  const r = (msg as Partial<Releasable>).release;
  if (r !== undefined) r.call(msg);
}
