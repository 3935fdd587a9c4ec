/**
 * Why a frame was rejected (decode) or could not be produced (encode). A small
 * closed set: callers match on `kind`, never on message text.
 */
export type WireErrorKind =
  /** The length prefix is 0: a frame needs at least its type byte. */
  | 'frame-too-small'
  /** The frame (header included) exceeds maxFrameBytes. */
  | 'oversized-frame'
  /** The type byte names no message. */
  | 'unknown-type'
  /** The frame ends before a field (or a list, string or body) does. */
  | 'truncated'
  /** Bytes are left in the frame after its last field, or after a whole frame. */
  | 'trailing-bytes'
  /** A count below its minimum, or (encode) a fixed-size byte field of the wrong length. */
  | 'bad-length'
  /** A list count, string or payload byte length above its bound. */
  | 'too-many-items'
  /** An integer outside its width or closed set (u53 ≥ 2^53, a flag not 0/1, hop past the route). */
  | 'out-of-range'
  /** A string that is not well-formed UTF-8 (decode) or has a lone surrogate (encode). */
  | 'bad-utf8'
  /**
   * The IdCodec would not take one more unknown id (its table is full). Not
   * the sender's fault: the frame is dropped and the stream goes on (see
   * FrameDecoder), so it never poisons a connection.
   */
  | 'id-limit';

export const WIRE_ERROR_KINDS: readonly WireErrorKind[] = [
  'frame-too-small',
  'oversized-frame',
  'unknown-type',
  'truncated',
  'trailing-bytes',
  'bad-length',
  'too-many-items',
  'out-of-range',
  'bad-utf8',
  'id-limit',
];

/**
 * A typed wire error. `offset` is where it was detected: a stream offset when
 * raised by FrameDecoder, an index into the given bytes for decodePayload /
 * decodeFrame, an offset in the frame being built for encode. `msgType` is the
 * message type when known.
 */
export class WireError extends Error {
  constructor(
    readonly kind: WireErrorKind,
    /** What was wrong, without the kind/offset prefix. */
    readonly detail: string,
    readonly offset: number,
    readonly msgType: number | undefined = undefined,
  ) {
    super(`${kind} at ${offset}${msgType === undefined ? '' : ` (type ${msgType})`}: ${detail}`);
    this.name = 'WireError';
  }

  /** The same error with its offset moved by `delta` (e.g. buffer index → stream offset). */
  shifted(delta: number): WireError {
    return new WireError(this.kind, this.detail, this.offset + delta, this.msgType);
  }
}
