import type { Scheduler } from '../engine/scheduler.ts';
import type { Address, ConnId, PeerActions, TimerId } from '../sans-io/protocol.ts';
import { EV_TIMER } from './event-kinds.ts';

/**
 * What the underlay offers a host beyond PeerActions: a coordinated hole
 * punch and a relayed dial (see World.punch / World.dialViaRelay). The
 * simulator's io objects implement it; an overlay may test `'punch' in io`.
 */
export interface UnderlayActions {
  /** Punch a direct connection to `to` (call after both sides exchanged offers); this side is 'out'. */
  punch(to: Address): ConnId;
  /** A connection to `to` through `relay`; its packets take both legs. */
  dialViaRelay(to: Address, relay: Address): ConnId;
  /** What an AutoNAT/STUN-like probe tells the host about itself. */
  reachability(): { reachable: boolean; relay: boolean };
  /** Multicasts a datagram to the other live hosts of this host's LAN segment (UDP, unreliable); returns how many it went to, -1 without a LAN. */
  beacon(msg: unknown): number;
}

/** The calls a host's io makes into the World (which implements this), each stamped with the host. */
export interface HostWorld<M> {
  send(from: Address, conn: ConnId, msg: M): void;
  dial(from: Address, to: Address): ConnId;
  punch(from: Address, to: Address): ConnId;
  dialViaRelay(from: Address, to: Address, relay: Address): ConnId;
  reachability(host: Address): { reachable: boolean; relay: boolean };
  beacon(from: Address, msg: M): number;
  closeConn(from: Address, conn: ConnId): void;
  chargeCpu(host: Address, us: number): void;
}

/** The PeerActions one host's protocol sees: every call is stamped with that host. */
export class HostIo<M> implements PeerActions<M>, UnderlayActions {
  /** Mirror of the host's epoch, so setTimer need not reach into the World. */
  epoch = 0;
  constructor(
    private readonly world: HostWorld<M>,
    private readonly scheduler: Scheduler,
    private readonly host: Address,
  ) {}
  send(conn: ConnId, msg: M): void {
    this.world.send(this.host, conn, msg);
  }
  dial(to: Address): ConnId {
    return this.world.dial(this.host, to);
  }
  punch(to: Address): ConnId {
    return this.world.punch(this.host, to);
  }
  dialViaRelay(to: Address, relay: Address): ConnId {
    return this.world.dialViaRelay(this.host, to, relay);
  }
  reachability(): { reachable: boolean; relay: boolean } {
    return this.world.reachability(this.host);
  }
  beacon(msg: M): number {
    return this.world.beacon(this.host, msg);
  }
  close(conn: ConnId): void {
    this.world.closeConn(this.host, conn);
  }
  setTimer(delayUs: number, tag: number): TimerId {
    const s = this.scheduler;
    return s.schedule(s.now + delayUs, EV_TIMER, this.host, 0, tag, this.epoch);
  }
  cancelTimer(id: TimerId): void {
    this.scheduler.cancel(id);
  }
  chargeCpu(us: number): void {
    this.world.chargeCpu(this.host, us);
  }
}
