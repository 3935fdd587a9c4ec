import { HeldMessage } from '../../sans-io/release.ts';
import { MsgType, type KadNode, type KadNodesMsg } from '../../wire/messages.ts';

/** Free answers a pool keeps; past it released ones are left to the garbage collector. */
const POOL_FREE_MAX = 1 << 14;

/**
 * A FIND_NODE answer from a NodesPool: every served lookup request makes
 * one (a million in a 2,500-peer run), and each lives as long as its
 * flight, long enough to leave the young generation. The network holds it
 * (retain) from the send to the delivery or drop and gives it back
 * (release); it returns to its pool when its last holder lets go.
 */
export class PooledNodesMsg extends HeldMessage implements KadNodesMsg {
  readonly type = MsgType.KadNodes;
  requestId = 0;
  /** Reused: filled by index, then cut to the answer's length. */
  readonly nodes: KadNode[] = [];

  constructor(private readonly pool: NodesPool) {
    super();
  }

  protected giveBack(): void {
    this.pool.give(this);
  }
}

/** Reusable FIND_NODE answers of one simulation (shared by its Kademlia apps). */
export class NodesPool {
  private readonly freeList: PooledNodesMsg[] = [];
  /** Answers made (not reused). */
  made = 0;

  /** An answer to request `requestId` with no nodes yet. */
  take(requestId: number): PooledNodesMsg {
    let m = this.freeList.pop();
    if (m === undefined) {
      this.made++;
      m = new PooledNodesMsg(this);
    }
    m.free = false;
    m.holds = 0;
    m.requestId = requestId;
    return m;
  }

  give(m: PooledNodesMsg): void {
    if (this.freeList.length >= POOL_FREE_MAX) return;
    m.free = true;
    this.freeList.push(m);
  }
}
