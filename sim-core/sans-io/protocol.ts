import type { TimeUs } from '../engine/time.ts';

/**
 * The sans-IO boundary. A peer's protocol is a state machine: the driver (the
 * simulator, a test harness, or a real TCP transport) calls one of the `on*`
 * methods with the current time and the event; the protocol answers by
 * emitting actions through the `PeerActions` it was given at construction.
 * It never reads a clock, opens a socket, touches a global or uses an
 * ambient random source: time arrives as `now`, randomness as an injected
 * seeded stream.
 */

/** A connection handle, opaque to the protocol, valid until `onClosed`/`onDialFailed`. */
export type ConnId = number;
/** A host address as the driver knows it (the simulator uses host indices). */
export type Address = number;
/** A timer handle returned by `setTimer`, for `cancelTimer`. */
export type TimerId = number;

export type Direction = 'in' | 'out';

/** Why a connection ended or a dial failed (a small closed set, reported in metrics). */
export type CloseReason =
  | 'local' // this side called close()
  | 'remote' // the other side closed
  | 'refused' // nobody accepts at that address
  | 'unreachable' // network cannot reach it (partition, NAT, crash)
  | 'reset'; // the other side vanished (crash) and the loss was detected

/** What a protocol may ask its driver to do. */
export interface PeerActions<M> {
  /** Queues `msg` on an open connection; silently dropped if it has closed. */
  send(conn: ConnId, msg: M): void;
  /** Starts a connection; the outcome arrives as onConnected('out') or onDialFailed. */
  dial(to: Address): ConnId;
  /** Closes a connection; the other side learns it after the link delay. */
  close(conn: ConnId): void;
  /** Calls onTimer(now, tag) after `delayUs` (integer ≥ 0). */
  setTimer(delayUs: number, tag: number): TimerId;
  /** Cancels a timer; no-op if it already fired. */
  cancelTimer(id: TimerId): void;
  /**
   * Declares `us` of CPU work (e.g. a signature check): messages this host
   * sends from now on leave once its modelled CPU is free. A real transport
   * spends real CPU instead and may ignore this.
   */
  chargeCpu(us: number): void;
}

/** A peer's protocol state machine. */
export interface PeerProtocol<M> {
  /** The host came up (first start or restart). */
  onStart(now: TimeUs): void;
  /** A connection is open; `dir` is 'out' for our dials, 'in' for accepted ones. */
  onConnected(now: TimeUs, conn: ConnId, remote: Address, dir: Direction): void;
  /** A dial we made failed; `conn` is the handle `dial` returned. */
  onDialFailed(now: TimeUs, conn: ConnId, remote: Address, reason: CloseReason): void;
  /** A message arrived on an open connection. */
  onMessage(now: TimeUs, conn: ConnId, msg: M): void;
  /** A connection ended (closed by either side or lost). */
  onClosed(now: TimeUs, conn: ConnId, reason: CloseReason): void;
  /** A timer set with `setTimer` fired. */
  onTimer(now: TimeUs, tag: number): void;
  /** A datagram from a host of the same LAN segment arrived (a beacon; see UnderlayActions.beacon). Optional. */
  onDatagram?(now: TimeUs, from: Address, msg: M): void;
}

/** Tells the network the wire type and exact encoded size of a message, for metrics and bandwidth. */
export interface MessageSizer<M> {
  typeOf(msg: M): number;
  sizeOf(msg: M): number;
  typeName(type: number): string;
  /**
   * Throws if `msg` has no encoding (every field checked as the codec would).
   * The World runs it on what the hosts it was told to check send (adversaries):
   * honest code is tested to send only encodable messages, and checking them
   * all cost about 3% of a Kademlia run's instructions.
   */
  check?(msg: M): void;
}
