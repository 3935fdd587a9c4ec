/**
 * The wire codec: the one framing used everywhere.
 *
 *   frame   = u32 BE length (type + payload) · u8 type · payload
 *   payload = the message's fields in the order of its interface (messages.ts)
 *
 * Fields: u8/u16/u32 big-endian; u53 as u64 BE (decode rejects ≥ 2^53);
 * NetAddress = host u32 · port u16; peer ids 32 bytes, Kademlia ids 20 bytes
 * (through an IdCodec); fixed byte fields raw. Strings (userAgent, reason) are
 * a u8 byte length then UTF-8 (every string bound is < 256). Lists carry a
 * count before their items: u16 for addr entries, inv items, gm events, gm
 * sync entries and the gm-directed payload; u8 for route hops, neighbours and
 * kad nodes. A block's `bodyBytes` zero bytes follow its fields, so frame
 * sizes are honest; decode checks they fill the frame and skips them.
 *
 * Closed sets checked both ways ('out-of-range'): gm event kind and direction
 * ∈ {1, 2}; reroute and more ∈ {0, 1}; hop < route length.
 *
 * Errors: encoding throws WireError for a message outside its bounds (the
 * same kinds as decoding; offsets are in the frame being built), RangeError
 * only for API misuse (an `out` buffer too small, a bad decode range). The
 * size functions check counts and string lengths (what determines the size);
 * encodeFrame also checks every integer's range and fixed-size fields.
 */
export { WireError, WIRE_ERROR_KINDS, type WireErrorKind } from './errors.ts';
export {
  BLOCK_FIXED_BYTES,
  DEFAULT_WIRE_LIMITS,
  MSG_TYPES,
  checkMaxFrameBytes,
  encodedSize,
  isKnownType,
  maxBlockBodyBytes,
  payloadSize,
  typeName,
  wireSizer,
  type WireLimits,
} from './sizes.ts';
export { checkFields, encodeFrame, fieldChecker } from './encode.ts';
export { decodeFrame, decodePayload } from './decode.ts';
