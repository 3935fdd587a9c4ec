import type { Message } from '../../wire/messages.ts';

/** The result of feeding received bytes to a connection's frame decoder. */
export interface DecodeResult {
  messages: Message[];
  /** The first error; the decoder is poisoned after it. */
  error?: { kind: string; offset: number };
  /** Whole frames skipped because the id table was full (no one's fault: not an offence). */
  dropped?: number;
}

/**
 * How the peer manager turns messages into bytes and back, so it can run with
 * the real codec (materialised bytes, hostile input) or pass objects.
 */
export interface WireBoundary {
  newDecoder(maxFrameBytes: number): { push(chunk: Uint8Array): DecodeResult };
  encode(msg: Message): Uint8Array;
}
