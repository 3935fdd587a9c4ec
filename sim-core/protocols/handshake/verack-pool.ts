import { HeldMessage } from '../../sans-io/release.ts';
import { SIGNATURE_BYTES } from '../../wire/constants.ts';
import { MsgType, type VerackMsg } from '../../wire/messages.ts';
/** Free veracks a pool keeps (a node's handshakes in flight at once are far fewer). */
const POOL_FREE_MAX = 256;

/**
 * A verack from a VerackPool, with its own 64-byte signature buffer that a
 * signer writes into: Kademlia opens a connection per request, and a fresh
 * signature array per handshake side was 7% of its allocations. The network
 * holds it (retain) until delivered or dropped; it returns to its pool when
 * its last holder lets go, so a receiver reads it only in its handler.
 */
export class PooledVerackMsg extends HeldMessage implements VerackMsg {
  readonly type = MsgType.Verack;
  readonly signature = new Uint8Array(SIGNATURE_BYTES);

  constructor(private readonly pool: VerackPool) {
    super();
  }

  protected giveBack(): void {
    this.pool.give(this);
  }
}

/** Reusable veracks (one pool per node: they come back once delivered). */
export class VerackPool {
  private readonly freeList: PooledVerackMsg[] = [];
  /** Veracks made (not reused). */
  made = 0;

  take(): PooledVerackMsg {
    let m = this.freeList.pop();
    if (m === undefined) {
      this.made++;
      m = new PooledVerackMsg(this);
    }
    m.free = false;
    m.holds = 0;
    return m;
  }

  give(m: PooledVerackMsg): void {
    if (this.freeList.length >= POOL_FREE_MAX) return;
    m.free = true;
    this.freeList.push(m);
  }
}
