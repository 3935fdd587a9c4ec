/**
 * A message its protocol may reuse (a pool). The network holds it from the
 * send until it is delivered (after the receiver's handler returns) or
 * dropped, then gives it back with `release`. A pooled message counts its
 * holders (`retain`), so one forwarded as it is (a relay) or kept by a
 * receiver that retained it goes back to its pool only after the last
 * holder released it. Receivers that did not retain a message must not keep
 * it past their handler.
 */
export interface Releasable {
  release(): void;
  retain?(): void;
}

/** One more holder of `msg` (a no-op for messages outside any pool). */
export function retain(msg: unknown): void {
  const r = (msg as Partial<Releasable>).retain;
  if (r !== undefined) r.call(msg);
}

/** A holder of `msg` is done with it (a no-op for messages outside any pool). */
export function release(msg: unknown): void {
  const r = (msg as Partial<Releasable>).release;
  if (r !== undefined) r.call(msg);
}
