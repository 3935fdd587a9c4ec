import { MsgType, type BeaconMsg, type Message } from '../../wire/messages.ts';
import type { TimeUs } from '../../engine/time.ts';
import type { Address } from '../../sans-io/protocol.ts';
import type { Book } from './address-book.ts';
import type { NodeStats } from './stats.ts';
import type { WireItem } from './conn.ts';
import type { WireBoundary } from './wire-boundary.ts';

/**
 * A datagram as a LAN beacon (seed 003), or undefined: undecodable bytes,
 * anything but one beacon, a beacon whose listen address is not its source
 * (spoofed), or our own (its nonce is the one we last sent).
 */
export function beaconFrom(item: WireItem, from: Address, ownNonce: number, wire: WireBoundary, maxFrameBytes: number): BeaconMsg | undefined {
  let msg: Message | undefined;
  if (item instanceof Uint8Array) {
    const r = wire.newDecoder(maxFrameBytes).push(item);
    msg = r.error || r.messages.length !== 1 ? undefined : r.messages[0];
  } else msg = item;
  if (!msg || msg.type !== MsgType.Beacon || msg.listen.host !== from || msg.nonce === ownNonce) return undefined;
  return msg;
}

/** Our beacon: who we are, where we listen, what we offer; `nonce` lets us recognise our own echo. */
export function beaconMessage(peer: number, address: Address, services: number, nonce: number): BeaconMsg {
  return { type: MsgType.Beacon, peer, listen: { host: address, port: 0 }, services, nonce };
}

export interface BeaconInbox {
  book: Book;
  stats: NodeStats;
  wire: WireBoundary;
  maxFrameBytes: number;
  intervalUs: number;
}

/**
 * A datagram received as a LAN beacon: the sender's address goes into the
 * book (true: learned, worth a dial). What beaconFrom refuses, or a repeat
 * within half a period, is dropped (datagrams have no connection to punish);
 * a banned sender is counted but not learned.
 */
export function learnFromBeacon(inbox: BeaconInbox, item: WireItem, from: Address, now: TimeUs, ownNonce: number): boolean {
  const msg = beaconFrom(item, from, ownNonce, inbox.wire, inbox.maxFrameBytes);
  if (!msg) {
    inbox.stats.lanBeaconsInvalid++;
    return false;
  }
  const known = inbox.book.get(from);
  if (known && known.source === 'lan' && now - known.lastSeenUs < inbox.intervalUs / 2) return false;
  inbox.stats.lanBeaconsReceived++;
  if (!known) inbox.stats.lanDiscovered++;
  if (inbox.book.isBanned(from, now)) return false;
  inbox.book.add(from, msg.peer, 'lan', now);
  return true;
}
