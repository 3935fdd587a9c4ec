import { encodedSize, encodeFrame, fieldChecker, isKnownType, typeName, WireError } from '../../wire/codec.ts';
import { MsgType } from '../../wire/messages.ts';
import { DEFAULT_MAX_FRAME_BYTES } from '../../wire/constants.ts';
import { FrameDecoder } from '../../wire/framing.ts';
import type { IdCodec } from '../../wire/ids.ts';
import type { MessageSizer } from '../../sans-io/protocol.ts';
import type { WireItem } from './peer-node.ts';
import type { WireBoundary } from './wire-boundary.ts';

/** The real codec behind the peer manager's wire boundary. */
export function codecBoundary(ids: IdCodec, maxFrameBytes = DEFAULT_MAX_FRAME_BYTES): WireBoundary {
  const limits = { maxFrameBytes };
  return {
    newDecoder(maxFrameBytes) {
      const d = new FrameDecoder(ids, { maxFrameBytes });
      return {
        push(chunk) {
          const r = d.push(chunk);
          return { messages: r.messages, error: r.error ? { kind: r.error.kind, offset: r.error.offset } : undefined, dropped: r.dropped.length };
        },
      };
    },
    encode: (m) => encodeFrame(m, ids, undefined, limits),
  };
}

/** Type id for bytes whose type byte is unknown (garbage). */
export const RAW_BYTES_TYPE = 255;

/**
 * Sizes of what travels on simulated links: message objects by their exact
 * encoded size; byte chunks by their length, attributed to the frame type in
 * their fifth byte when the chunk is exactly one frame of a known type (what a
 * wire observer would do), else to 'raw-bytes'.
 */
function frameType(b: Uint8Array): number {
  if (b.length < 5 || !isKnownType(b[4])) return RAW_BYTES_TYPE;
  const declared = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  return declared === b.length - 4 ? b[4] : RAW_BYTES_TYPE;
}

export const wireItemSizer: MessageSizer<WireItem> = sizerFor(Number.POSITIVE_INFINITY);

/**
 * The sizer the World uses, which is also where message objects meet the
 * codec's bounds: sizing an object checks its lists and strings, and one
 * larger than the frame limit throws (as encodeFrame would). With the run's
 * ids, `check` checks every field as encodeFrame does (ranges, lengths, peer
 * numbers the run knows); the World runs it on what attackers send, so
 * objects that reach a receiver are ones the decoder could have produced,
 * and only byte streams need decoding there. Gm-events carried as refs into
 * the run's event table are not re-checked: those events were interned by
 * honest code or checked on their way in.
 */
export function sizerFor(maxFrameBytes: number, ids?: IdCodec): MessageSizer<WireItem> {
  const check = ids === undefined ? undefined : fieldChecker(ids);
  return {
    typeOf: (item) => (item instanceof Uint8Array ? frameType(item) : item.type),
    sizeOf: (item) => {
      if (item instanceof Uint8Array) return item.length;
      const size = encodedSize(item);
      if (size > maxFrameBytes) throw new WireError('oversized-frame', `${typeName(item.type)} of ${size} bytes exceeds maxFrameBytes ${maxFrameBytes}`, 0, item.type);
      return size;
    },
    check:
      check === undefined
        ? undefined
        : (item) => {
            if (!(item instanceof Uint8Array) && (item.type !== MsgType.GmEvents || item.refs === undefined)) check(item);
          },
    typeName: (t) => (t === RAW_BYTES_TYPE ? 'raw-bytes' : typeName(t)),
  };
}
