import { readCapped } from './read-capped.ts';

/**
 * A URL's body, read up to a cap: a link may point anywhere, so neither a
 * huge file nor an endless response may fill the page. Refused by its
 * Content-Length when it says more, else cut off (and the download
 * cancelled) the moment it passes the cap.
 */
export async function fetchCapped(url: string, maxBytes: number, fetchImpl: typeof fetch = fetch): Promise<Uint8Array<ArrayBuffer>> {
  const r = await fetchImpl(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  const tooLarge = () => new Error(`${url}: larger than ${maxBytes} bytes`);
  const declared = Number(r.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await r.body?.cancel();
    throw tooLarge();
  }
  if (!r.body) return new Uint8Array(await r.arrayBuffer());
  return readCapped(r.body, maxBytes, tooLarge);
}
