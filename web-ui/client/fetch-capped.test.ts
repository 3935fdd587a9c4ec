import { describe, expect, it } from 'vitest';
import { fetchCapped } from './fetch-capped.ts';

/** A fetch answering with `chunks` (a stream), optionally declaring a length; records whether the body was cancelled. */
function fakeFetch(chunks: number[], declared?: number) {
  const seen = { cancelled: false, pulled: 0 };
  const impl = (async () => {
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (i < chunks.length) {
          seen.pulled++;
          c.enqueue(new Uint8Array(chunks[i++]).fill(7));
        } else c.close();
      },
      cancel() {
        seen.cancelled = true;
      },
    });
    return new Response(body, { headers: declared === undefined ? {} : { 'content-length': String(declared) } });
  }) as unknown as typeof fetch;
  return { impl, seen };
}

describe('fetchCapped: a linked file read up to a cap', () => {
  it('returns the whole body under the cap', async () => {
    const { impl } = fakeFetch([3, 4, 5]);
    const b = await fetchCapped('https://x/r.gz', 12, impl);
    expect(b.length).toBe(12);
    expect(b.every((x) => x === 7)).toBe(true);
  });

  it('refuses a body whose Content-Length is over the cap without reading it', async () => {
    const { impl, seen } = fakeFetch([100, 100], 200);
    await expect(fetchCapped('https://x/big', 150, impl)).rejects.toThrow('https://x/big: larger than 150 bytes');
    expect(seen.pulled).toBeLessThanOrEqual(1);
  });

  it('stops an endless (or lying) body the moment it passes the cap, and cancels the download', async () => {
    const { impl, seen } = fakeFetch(new Array(1000).fill(64));
    await expect(fetchCapped('https://x/endless', 1000, impl)).rejects.toThrow('larger than 1000 bytes');
    expect(seen.cancelled).toBe(true);
    expect(seen.pulled).toBeLessThan(30);
  });

  it('says which URL failed and how', async () => {
    const impl = (async () => new Response('no', { status: 404 })) as unknown as typeof fetch;
    await expect(fetchCapped('https://x/missing', 10, impl)).rejects.toThrow('https://x/missing: HTTP 404');
  });
});
