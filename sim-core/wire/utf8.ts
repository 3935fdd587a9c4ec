import { WireError } from './errors.ts';

/**
 * UTF-8 helpers for the short strings on the wire (≤ 255 bytes). Hand-rolled
 * so sizing and encoding allocate nothing; decoding uses a fatal TextDecoder
 * (rejects overlongs, surrogates, truncated sequences) behind an ASCII fast path.
 */

/**
 * UTF-8 byte length of `s`, or -1 as soon as it exceeds `maxBytes` (so the
 * loop is bounded by the limit, not by the string). A lone surrogate counts 3
 * bytes, as TextEncoder would write U+FFFD; writeUtf8 rejects it.
 */
export function utf8Length(s: string, maxBytes: number): number {
  const units = s.length;
  if (units > maxBytes) return -1; // every code unit costs ≥ 1 byte
  let n = units;
  for (let i = 0; i < units; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < units && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a surrogate pair: 2 units, 4 bytes
      i++;
    } else n += 2;
    if (n > maxBytes) return -1;
  }
  return n;
}

/** Writes `s` as UTF-8 at `out[pos..)` (the caller sized it with utf8Length); returns the end. */
export function writeUtf8(s: string, out: Uint8Array, pos: number, msgType: number): number {
  const units = s.length;
  for (let i = 0; i < units; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[pos++] = c;
    } else if (c < 0x800) {
      out[pos++] = 0xc0 | (c >> 6);
      out[pos++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      out[pos++] = 0xe0 | (c >> 12);
      out[pos++] = 0x80 | ((c >> 6) & 0x3f);
      out[pos++] = 0x80 | (c & 0x3f);
    } else {
      const lo = i + 1 < units ? s.charCodeAt(i + 1) : 0;
      if (c > 0xdbff || (lo & 0xfc00) !== 0xdc00) {
        throw new WireError('bad-utf8', 'string has a lone surrogate', pos, msgType);
      }
      c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
      i++;
      out[pos++] = 0xf0 | (c >> 18);
      out[pos++] = 0x80 | ((c >> 12) & 0x3f);
      out[pos++] = 0x80 | ((c >> 6) & 0x3f);
      out[pos++] = 0x80 | (c & 0x3f);
    }
  }
  return pos;
}

/** Where writeUtf8 would end, throwing what it would throw (a lone surrogate, at the same offset), writing nothing. */
export function checkUtf8(s: string, pos: number, msgType: number): number {
  const units = s.length;
  for (let i = 0; i < units; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) pos += 1;
    else if (c < 0x800) pos += 2;
    else if (c < 0xd800 || c > 0xdfff) pos += 3;
    else {
      const lo = i + 1 < units ? s.charCodeAt(i + 1) : 0;
      if (c > 0xdbff || (lo & 0xfc00) !== 0xdc00) throw new WireError('bad-utf8', 'string has a lone surrogate', pos, msgType);
      i++;
      pos += 4;
    }
  }
  return pos;
}

// ignoreBOM: a leading U+FEFF is content and must round-trip.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes `bytes[start..end)`; throws WireError 'bad-utf8' (at `start`) if malformed. */
export function readUtf8(bytes: Uint8Array, start: number, end: number, msgType: number): string {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (bytes[i] >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]);
    return s;
  }
  try {
    return decoder.decode(bytes.subarray(start, end));
  } catch {
    throw new WireError('bad-utf8', 'string is not valid UTF-8', start, msgType);
  }
}
