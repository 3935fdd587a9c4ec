import type { RngStreams, Rng } from '../engine/rng.ts';
import type { TimeUs } from '../engine/time.ts';
import type { Address, MessageSizer, PeerActions, PeerProtocol } from '../sans-io/protocol.ts';
import type { OpenMode } from './connections.ts';
import type { LatencyModel } from './latency.ts';

/** What a protocol factory receives for one host. */
export interface HostContext<M> {
  readonly address: Address;
  readonly io: PeerActions<M>;
  /** The host's own named stream: `peer/<address>/<subsystem>`. */
  rng(subsystem: string): Rng;
}

export type ProtocolFactory<M> = (ctx: HostContext<M>) => PeerProtocol<M>;

/** Decides the fate of each packet after the latency model: the underlay's fault chain plugs in here. */
export interface Transit {
  /**
   * Arrival time (≥ departure) of a packet of `size` bytes, or -1 to drop it.
   * `via` is the relay of a relayed connection (then `latencyUs` covers both legs), else -1.
   */
  arrival(from: Address, to: Address, size: number, departUs: TimeUs, latencyUs: number, via: Address): TimeUs;
  /** Whether a dial from → to can reach its target at all (NAT, partitions). */
  canDial(from: Address, to: Address, now: TimeUs): boolean;
  /** Whether a coordinated hole punch between a and b opens a direct path (draws the outcome). Absent: it does. */
  canPunch?(a: Address, b: Address, now: TimeUs): boolean;
  /** Whether `relay` accepts a circuit from → to now; true takes one of its slots until releaseRelay. Absent: it does. */
  canRelay?(from: Address, to: Address, relay: Address, now: TimeUs): boolean;
  releaseRelay?(relay: Address): void;
  /** What the host would learn from an AutoNAT/STUN probe: inbound dials reach it; it relays circuits. Absent: both true / false. */
  reachability?(h: Address): { reachable: boolean; relay: boolean };
  /** Outcome of a connection attempt once known: opened (the dialer got onConnected) or failed. */
  dialOutcome?(from: Address, to: Address, mode: OpenMode, opened: boolean): void;
}

export interface WorldOptions<M> {
  rng: RngStreams;
  latency: LatencyModel;
  sizer: MessageSizer<M>;
  transit?: Transit;
  /** Bound on pending events (default 2^24). */
  maxPendingEvents?: number;
  /** Bound on concurrent connections (default 2^21). */
  maxConnections?: number;
  /** Delay before a dial to a host that is down, absent or unreachable fails (default 5 s). */
  dialTimeoutUs?: number;
  /** LAN segment of a host for beacons (multicast datagrams), or -1 for none; absent: no LAN. */
  lanSegmentOf?: (host: number) => number;
  /** Bound on the hosts one beacon reaches (default 256), like a multicast group's size. */
  lanMaxRecipients?: number;
}
