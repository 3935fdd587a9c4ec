/**
 * Counts whole frames in a byte stream (4-byte big-endian length, then the
 * type byte), whatever the chunking, so the transport can count delivered
 * messages by type like the simulator does. It only reads headers; the
 * peer's own decoder judges the bytes. After a frame longer than the limit
 * it stops counting (the peer closes such a stream anyway).
 */
export class FrameCounter {
  private header = new Uint8Array(5);
  private have = 0;
  /** Body bytes of the current frame still to skip (after its type byte). */
  private skip = 0;
  private dead = false;

  constructor(
    private readonly maxFrameBytes: number,
    private readonly onFrame: (type: number) => void,
  ) {}

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length && !this.dead) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      this.header[this.have++] = chunk[i++];
      if (this.have < 5) continue;
      const h = this.header;
      const len = ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0;
      this.have = 0;
      if (len < 1 || len > this.maxFrameBytes) {
        this.dead = true;
        return;
      }
      this.onFrame(h[4]);
      this.skip = len - 1;
    }
  }
}
