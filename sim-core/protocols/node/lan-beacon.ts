import { MsgType, type BeaconMsg, type Message } from '../../wire/messages.ts';
import type { Address } from '../protocol.ts';
import type { WireItem } from './peer-node.ts';
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
