import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { AppContext } from './app-context.ts';
import { OrderedIntMap } from '../node/ordered-int-map.ts';

/**
 * Inbound connections of a `KademliaApp`, split in two budgets so that other
 * peers' persistent overlay links cannot take every slot and lock lookups
 * out (a bootstrap node sits in nearly every routing table, so without this
 * its slots fill with links and FIND_NODE to it fails).
 *
 * The peer manager admits `maxInbound + rpcInbound` connections. The first
 * `maxInbound` inbound peers hold link slots, kept as long as their dialler
 * wants them. Past that, a connection lands in the RPC room: it is served
 * like any other, but once it has carried no Kademlia message for
 * `rpcIdleUs` we close it. A dialler that wanted a link there sees it close
 * quickly and looks elsewhere (`Connections`: turned-away links are not
 * re-chosen for a while). When a link slot frees, the oldest room
 * connection takes it.
 */
export class RpcRoom {
  /** Inbound peers holding link slots, in arrival order. */
  private readonly linkSlots = new Set<PeerNum>();
  /** Inbound peers in the room → when they last sent a Kademlia message. */
  private readonly room = new OrderedIntMap<TimeUs>();
  private readonly scratch: PeerNum[] = [];

  constructor(private readonly ctx: AppContext) {}

  get roomSize(): number {
    return this.room.size;
  }

  get linkSlotsUsed(): number {
    return this.linkSlots.size;
  }

  reset(): void {
    this.linkSlots.clear();
    this.room.clear();
  }

  /** An inbound connection from `peer` is up. */
  up(now: TimeUs, peer: PeerNum): void {
    if (this.linkSlots.has(peer) || this.room.has(peer)) return;
    if (this.linkSlots.size < this.ctx.cfg.maxInbound) this.linkSlots.add(peer);
    else {
      this.room.set(peer, now);
      this.ctx.stats.rpcRoomAdmitted++;
    }
  }

  /** `peer`'s connection (either direction) went down; a freed link slot goes to the oldest room connection. */
  down(peer: PeerNum): void {
    this.room.delete(peer);
    if (!this.linkSlots.delete(peer)) return;
    for (const p of this.room.keys()) {
      this.room.delete(p);
      this.linkSlots.add(p);
      return;
    }
  }

  /** A Kademlia message from `peer`. */
  touch(now: TimeUs, peer: PeerNum): void {
    if (this.room.has(peer)) this.room.set(peer, now);
  }

  /** Housekeeping: closes room connections idle for `rpcIdleUs`, unless a request of ours is waiting on them. */
  closeIdle(now: TimeUs, busy: (peer: PeerNum) => boolean): void {
    const close = this.scratch;
    close.length = 0;
    for (const [peer, lastUs] of this.room) if (now - lastUs >= this.ctx.cfg.rpcIdleUs && !busy(peer)) close.push(peer);
    for (const p of close) {
      this.ctx.stats.rpcRoomClosed++;
      this.ctx.api.disconnect(p, 'kademlia: lookup room idle');
    }
  }
}
