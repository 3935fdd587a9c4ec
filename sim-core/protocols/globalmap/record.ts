/** Flags of one half-link entry: what the origin said about its link to `peer`. */
export const F_CONNECT = 1; // else disconnect (a tombstone kept so an older connect cannot resurrect the link)
export const F_OUT = 2; // the origin dialled ("I propose"); else it accepted ("I accept")

/**
 * What one origin has said about its links: entries sorted by peer, one per
 * peer, each the latest (timestamp, kind) the origin announced — a set of
 * last-writer-wins registers, so any order of the same events gives the same
 * record. Records live in the RecordPool's slabs as shared, immutable
 * versions; this is a read-only view of one (subarrays of the slabs, valid
 * until the store next changes).
 */
export interface LinkRecord {
  readonly peers: Int32Array;
  readonly ts: Float64Array;
  readonly flags: Uint8Array;
}

/**
 * Approximate heap bytes of a record of `entries` entries, for the memory
 * metric. Still the figure of the former object + three typed arrays, so the
 * reported metric stays comparable across versions (the slabs hold less).
 */
export function recordBytes(entries: number): number {
  return 120 + 3 * 64 + entries * (4 + 8 + 1);
}

/**
 * A total order on writes to one register, so any delivery order converges:
 * the later timestamp wins; at equal time a disconnect beats a connect, then
 * "in" beats "out".
 */
export function newer(tsA: number, flagsA: number, tsB: number, flagsB: number): boolean {
  if (tsA !== tsB) return tsA > tsB;
  return rank(flagsA) > rank(flagsB);
}

function rank(f: number): number {
  return ((f & F_CONNECT) !== 0 ? 0 : 2) + ((f & F_OUT) !== 0 ? 0 : 1);
}
