/**
 * Bounds of the signed global map (security: signed). A join sync is the
 * one answer a peer accepts in bulk, so its size is capped on the receiving
 * side: an honest answer of a 2,500-peer map (about 16 registers per origin,
 * 105 bytes each signed) is ~4.4 MB in ~90 chunks, well inside.
 */

/** Sync answers are cut into frames of about this many bytes (under the 64 KiB frame limit). */
export const SYNC_CHUNK_BYTES = 48 * 1024;
/** Entries per sync frame at most (the wire's MAX_GM_SYNC_ENTRIES). */
export const SYNC_CHUNK_MAX_ENTRIES = 256;
/** Chunks of one sync answer a joining peer accepts; more is an offence and ends the sync. */
export const SYNC_ANSWER_MAX_CHUNKS = 1024;
/** Payload bytes of one sync answer a joining peer accepts (same). */
export const SYNC_ANSWER_MAX_BYTES = 32 * 1024 * 1024;
/** Remembered (origin, peer) signatures of a simulation (a cache: cleared when full). */
export const BOOK_ENTRIES_MAX = 1 << 18;
/**
 * New origins (ids our map has no record of) one neighbour may introduce
 * per window; more are refused, not charged. A peer joining during a join
 * wave hears of most of the network from each neighbour before its sync
 * lands (512 per 10 s refused 1,765 honest events at 1,000 peers joining
 * in 60 s), so the cap is a network's worth per minute, not a join rate.
 */
export const NEW_ORIGINS_PER_SENDER_MAX = 4096;
/** The window of NEW_ORIGINS_PER_SENDER_MAX. */
export const NEW_ORIGINS_WINDOW_US = 60_000_000;
