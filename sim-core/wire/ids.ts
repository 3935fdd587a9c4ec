/**
 * Peer identities on the wire are 32-byte fingerprints (and 20-byte Kademlia
 * ids derived from them); inside the simulator they are interned as small
 * integers ("peer numbers") so maps and messages stay cheap. An IdCodec
 * converts between the two at the byte boundary. Sizes never need it: an id
 * always costs PEER_ID_BYTES (or KAD_ID_BYTES) on the wire.
 */
export type PeerNum = number;

export interface IdCodec {
  /** Whether `peer` is a number this codec has an id for (only those can be written). */
  hasPeer(peer: PeerNum): boolean;
  /** Writes the 32-byte id of `peer` at `out[offset..offset+32)`. */
  writePeerId(peer: PeerNum, out: Uint8Array, offset: number): void;
  /** The peer number of the 32-byte id at `bytes[offset..offset+32)`; unknown ids are interned. */
  readPeerId(bytes: Uint8Array, offset: number): PeerNum;
  /** Writes the 20-byte Kademlia id of `peer` at `out[offset..offset+20)`. */
  writeKadId(peer: PeerNum, out: Uint8Array, offset: number): void;
  /** The peer number of the 20-byte Kademlia id at `bytes[offset..offset+20)`; unknown ids are interned. */
  readKadId(bytes: Uint8Array, offset: number): PeerNum;
}

/**
 * The IdCodec used when peer numbers are the whole story (tests, the demo):
 * the id (32 bytes) and the Kademlia id (20 bytes) are the number in their
 * last 4 bytes, big-endian, zeros before it. A hostile id with other bytes
 * set is still total: it decodes to the number in its last 4 bytes.
 */
export const numericIdCodec: IdCodec = {
  hasPeer: (peer) => peer >>> 0 === peer,
  writePeerId(peer, out, offset) {
    out.fill(0, offset, offset + 28);
    new DataView(out.buffer, out.byteOffset).setUint32(offset + 28, peer >>> 0);
  },
  readPeerId(bytes, offset) {
    return new DataView(bytes.buffer, bytes.byteOffset).getUint32(offset + 28);
  },
  writeKadId(peer, out, offset) {
    out.fill(0, offset, offset + 16);
    new DataView(out.buffer, out.byteOffset).setUint32(offset + 16, peer >>> 0);
  },
  readKadId(bytes, offset) {
    return new DataView(bytes.buffer, bytes.byteOffset).getUint32(offset + 16);
  },
};
