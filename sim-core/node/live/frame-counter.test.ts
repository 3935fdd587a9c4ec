import { describe, expect, it } from 'vitest';
import { FrameCounter } from './frame-counter.ts';

const frame = (type: number, body: number) => Uint8Array.from([0, 0, 0, body + 1, type, ...new Array(body).fill(9)]);

describe('FrameCounter', () => {
  it('counts frames by type whatever the chunking, and stops after a length beyond the limit', () => {
    const stream = Uint8Array.from([...frame(3, 4), ...frame(7, 0), ...frame(3, 10)]);
    for (const size of [1, 2, 5, stream.length]) {
      const seen: number[] = [];
      const c = new FrameCounter(1024, (t) => seen.push(t));
      for (let i = 0; i < stream.length; i += size) c.push(stream.subarray(i, i + size));
      expect(seen).toEqual([3, 7, 3]);
    }
    const seen: number[] = [];
    const c = new FrameCounter(8, (t) => seen.push(t));
    c.push(Uint8Array.from([...frame(3, 20), ...frame(7, 0)]));
    expect(seen).toEqual([]);
  });
});
