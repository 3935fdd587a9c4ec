import type { Rng } from '../../engine/rng.ts';
import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { Message } from '../../wire/messages.ts';
import type { Address, Direction, TimerId } from '../../sans-io/protocol.ts';
import type { Offence } from './config.ts';

/** Version `services` bits: inbound dials reach the node; it relays circuits for others. */
export const SERVICE_REACHABLE = 1;
export const SERVICE_RELAY = 2;

/** What the peer manager offers the overlay it hosts (global map, Kademlia, block relay…). */
export interface NodeApi {
  readonly self: PeerNum;
  readonly address: Address;
  /** The node's seeded stream (`peer/<index>/node`), which the peer manager draws from too. */
  readonly rng: Rng;
  /** Sends to an established peer; false if not connected. */
  send(peer: PeerNum, msg: Message): boolean;
  /** Established peers, in the order their handshakes completed. */
  peers(): ReadonlyMap<PeerNum, Direction>;
  /** Asks for a connection; false if refused (self, banned, backoff, already connected or dialing, outbound full). */
  dial(address: Address): boolean;
  /**
   * A coordinated hole punch towards `address` (both sides behind NATs,
   * offers already exchanged through the overlay); same refusals as dial.
   */
  punch(address: Address): boolean;
  /** A connection to `address` through the relay at `relay`. */
  dialViaRelay(address: Address, relay: Address): boolean;
  /** What this node knows of itself from an AutoNAT/STUN-like probe. */
  reachability(): { reachable: boolean; relay: boolean };
  /** The service bits a connected peer announced in its version message (SERVICE_*). */
  peerServices(peer: PeerNum): number | undefined;
  disconnect(peer: PeerNum, reason: string): void;
  /**
   * Whether the link to `peer` is one of the node's anchors (its oldest
   * outbound links, against eclipses) that an app picking its own
   * neighbours must keep (false unless anchors.keepInSelection is on).
   * Optional for API stand-ins.
   */
  isAnchor?(peer: PeerNum): boolean;
  setTimer(delayUs: number, tag: number): TimerId;
  cancelTimer(id: TimerId): void;
  /** Charges a misbehaviour to a peer (may disconnect and ban it). */
  offence(peer: PeerNum, kind: Offence): void;
  /** Known dialable address of a peer, from handshakes and addr gossip. */
  addressOf(peer: PeerNum): Address | undefined;
  /** Up to `count` random peers whose address we know (from handshakes and addr gossip). */
  samplePeers(count: number): PeerNum[];
  /** Records an address learnt by the app. */
  learnAddress(address: Address, peer: PeerNum | undefined, now: TimeUs): void;
  /** Latest keepalive round-trip time to a peer, µs. */
  rttUs(peer: PeerNum): number | undefined;
  outboundCount(): number;
  inboundCount(): number;
  /** Dials in flight. */
  dialingCount(): number;
  chargeCpu(us: number): void;
}

/** An overlay protocol hosted by a PeerNode: sees established, authenticated peers only. */
export interface NodeApp {
  readonly name: string;
  onStart(now: TimeUs, api: NodeApi): void;
  onPeerUp(now: TimeUs, peer: PeerNum, dir: Direction): void;
  onPeerDown(now: TimeUs, peer: PeerNum): void;
  /** Messages other than the peer manager's own (version … disconnect). */
  onMessage(now: TimeUs, peer: PeerNum, msg: Message): void;
  onTimer(now: TimeUs, tag: number): void;
  /** A dial the app asked for failed. */
  onDialFailed?(now: TimeUs, address: Address): void;
  /**
   * The peers this app counts as its overlay links (what topology metrics
   * measure). Default: every established peer. Kademlia, say, keeps short-lived
   * lookup connections that are not overlay links.
   */
  overlay?(): Iterable<PeerNum>;
}
