import { DEFAULT_MAX_FRAME_BYTES, FRAME_HEADER_BYTES } from './constants.ts';
import { decodePayload } from './decode.ts';
import { WireError, type WireErrorKind } from './errors.ts';
import type { IdCodec } from './ids.ts';
import type { Message } from './messages.ts';
import { checkMaxFrameBytes, isKnownType, lengthFieldError, type WireLimits } from './sizes.ts';

export interface FrameDecoderOptions {
  /** Largest frame accepted, header included (default DEFAULT_MAX_FRAME_BYTES; RangeError outside MIN…MAX). */
  maxFrameBytes?: number;
}

/** What one push produced: the frames completed, then the error that stopped decoding, if any. */
export interface PushResult {
  readonly messages: Message[];
  readonly error: WireError | undefined;
  /** Stream offsets of whole frames dropped in this push because the IdCodec's table was full ('id-limit'). */
  readonly dropped: number[];
}

/** Returned by decode() for a frame dropped (not an error: the stream goes on). */
const DROPPED = null;

const EMPTY = new Uint8Array(0);
/** First allocation of the reassembly buffer (≤ MIN_MAX_FRAME_BYTES, so within any limit). */
const MIN_CAPACITY = 256;
/** A buffer grown past this by one big frame is dropped afterwards, not kept per connection. */
const KEEP_CAPACITY = 64 * 1024;

const u32At = (b: Uint8Array, p: number): number => ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;

/**
 * Streaming decoder for one connection's byte stream. Frames may be split
 * across any chunking. Whole frames inside a chunk are decoded in place; only
 * a frame that straddles chunks is copied into the reassembly buffer, which
 * grows with the bytes actually received (never with a claimed length) and
 * never beyond maxFrameBytes. Errors carry stream offsets. After the first
 * error the decoder is poisoned: every later push returns that error.
 */
export class FrameDecoder implements WireLimits {
  readonly maxFrameBytes: number;
  private buf: Uint8Array = EMPTY;
  /** Bytes of the pending (straddling) frame held in buf. */
  private have = 0;
  /** Size of the pending frame once its header is read, else 0. */
  private frameLen = 0;
  /** Stream offset of the pending frame's first byte. */
  private frameStart = 0;
  /** Stream offset of the next byte to be pushed. */
  private streamPos = 0;
  private err: WireError | undefined = undefined;

  constructor(
    private readonly ids: IdCodec,
    options: FrameDecoderOptions = {},
  ) {
    this.maxFrameBytes = checkMaxFrameBytes(options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
  }

  /** The error that poisoned the decoder, if any. */
  get error(): WireError | undefined {
    return this.err;
  }

  /** Bytes of an incomplete frame held for the next push. */
  get bufferedBytes(): number {
    return this.have;
  }

  /** Size of the reassembly buffer (≤ maxFrameBytes). */
  get bufferCapacity(): number {
    return this.buf.length;
  }

  /** Total bytes pushed so far (until poisoned). */
  get streamOffset(): number {
    return this.streamPos;
  }

  push(chunk: Uint8Array): PushResult {
    const messages: Message[] = [];
    const dropped: number[] = [];
    if (this.err === undefined) this.consume(chunk, messages, dropped);
    return { messages, error: this.err, dropped };
  }

  /** Call when the stream ends: a partial frame left over is a truncation (and poisons). */
  finish(): WireError | undefined {
    if (this.err === undefined && this.have > 0) {
      this.fail('truncated', `stream ended ${this.have} bytes into a frame`, this.streamPos, this.have >= 5 ? this.buf[4] : undefined);
    }
    return this.err;
  }

  private consume(chunk: Uint8Array, out: Message[], dropped: number[]): void {
    const n = chunk.length;
    const base = this.streamPos; // stream offset of chunk[0]
    let i = 0;
    // Each iteration consumes at least one byte or returns, so ≤ n iterations.
    while (i < n) {
      if (this.have === 0 && n - i >= FRAME_HEADER_BYTES) {
        const len = u32At(chunk, i);
        if (!this.headerOk(len, chunk[i + 4], base + i)) return;
        const total = 4 + len;
        if (n - i >= total) {
          const msg = this.decode(chunk[i + 4], chunk, i + FRAME_HEADER_BYTES, i + total, base);
          if (msg === undefined) return;
          if (msg === DROPPED) dropped.push(base + i);
          else out.push(msg);
          i += total;
          continue;
        }
      }
      if (this.have === 0) this.frameStart = base + i;
      if (this.frameLen === 0) {
        i = this.append(chunk, i, Math.min(FRAME_HEADER_BYTES - this.have, n - i));
        if (this.have < 4) continue;
        const len = u32At(this.buf, 0);
        if (this.have < FRAME_HEADER_BYTES) {
          if (!this.headerOk(len, -1, this.frameStart)) return; // reject a bad length before the type byte arrives
          continue;
        }
        if (!this.headerOk(len, this.buf[4], this.frameStart)) return;
        this.frameLen = 4 + len;
      }
      i = this.append(chunk, i, Math.min(this.frameLen - this.have, n - i));
      if (this.have === this.frameLen) {
        const msg = this.decode(this.buf[4], this.buf, FRAME_HEADER_BYTES, this.frameLen, this.frameStart);
        if (msg === undefined) return;
        if (msg === DROPPED) dropped.push(this.frameStart);
        else out.push(msg);
        this.have = 0;
        this.frameLen = 0;
        if (this.buf.length > KEEP_CAPACITY) this.buf = EMPTY;
      }
    }
    this.streamPos = base + n;
  }

  /** Copies `take` bytes of chunk from `i` into buf; returns the new chunk index. */
  private append(chunk: Uint8Array, i: number, take: number): number {
    const need = this.have + take;
    if (need > this.buf.length) {
      // Grow geometrically, never past the frame being assembled (whose length was checked).
      const limit = this.frameLen > 0 ? this.frameLen : this.maxFrameBytes;
      const size = Math.max(need, Math.min(Math.max(MIN_CAPACITY, this.buf.length * 2), limit));
      const grown = new Uint8Array(size);
      grown.set(this.buf.subarray(0, this.have));
      this.buf = grown;
    }
    this.buf.set(chunk.subarray(i, i + take), this.have);
    this.have = need;
    return i + take;
  }

  /** Checks a frame header (type -1: not yet known); poisons and returns false if bad. */
  private headerOk(len: number, type: number, at: number): boolean {
    const bad = lengthFieldError(len, this.maxFrameBytes);
    if (bad !== null) {
      this.fail(bad, `length field ${len} (maxFrameBytes ${this.maxFrameBytes})`, at, undefined);
      return false;
    }
    if (type >= 0 && !isKnownType(type)) {
      this.fail('unknown-type', `no message type ${type}`, at + 4, type);
      return false;
    }
    return true;
  }

  /**
   * Decodes one payload; `origin` is the stream offset of bytes[0].
   * undefined: an error poisoned the decoder; DROPPED: the id table was full,
   * the frame is skipped (its length is known, so framing holds).
   */
  private decode(type: number, bytes: Uint8Array, start: number, end: number, origin: number): Message | undefined | typeof DROPPED {
    try {
      return decodePayload(type, bytes, start, end, this.ids, this);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      if (e.kind === 'id-limit') return DROPPED;
      this.poison(e.shifted(origin));
      return undefined;
    }
  }

  private fail(kind: WireErrorKind, detail: string, at: number, type: number | undefined): void {
    this.poison(new WireError(kind, detail, at, type));
  }

  private poison(e: WireError): void {
    this.err = e;
    this.buf = EMPTY;
    this.have = 0;
    this.frameLen = 0;
  }
}
