/**
 * A message its protocol may reuse (a pool): the network gives it back
 * once, when it is delivered (after the receiver's handler returns) or
 * dropped. Receivers must not keep such a message past their handler.
 */
export interface Releasable {
  release(): void;
}

export function release(msg: unknown): void {
  const r = (msg as Partial<Releasable>).release;
  if (r !== undefined) r.call(msg);
}
