/**
 * Address mixing as Bitcoin Core does it (net_processing.cpp, addrman.cpp):
 * the values are Core's, so the `random` baseline mixes addresses like the
 * network it stands for. Used only when NodeConfig.addrMixing is on.
 */

/** Peers an announced address is relayed to (Core: 2 when the address is reachable, else 1). */
export const addrRelayFanout = 2;
/** Only addr messages this small are announcements, relayed onwards (Core: vAddr.size() <= 10). */
export const addrRelayMaxEntries = 10;
/** An announced address is relayed only if its timestamp is this recent (Core: 10 minutes). */
export const addrRelayFreshUs = 10 * 60 * 1_000_000;
/** Relay targets are chosen per address and per window of this length (Core: 24 h), so repeats go to the same peers. */
export const addrRelayWindowUs = 24 * 3600 * 1_000_000;
/** Mean time between two flushes of the queued announcements (Core: 30 s, Poisson). */
export const addrTrickleMeanUs = 30 * 1_000_000;
/** Announcements queued per connection at most (Core: MAX_ADDR_TO_SEND); beyond, they are dropped. */
export const addrQueueMax = 1000;
/** Announced addresses accepted per second per connection (Core: MAX_ADDR_RATE_PER_SECOND)… */
export const addrTokensPerS = 0.1;
/** …with this burst (Core: MAX_ADDR_PROCESSING_TOKEN_BUCKET); a new connection starts with one token. */
export const addrTokenBurst = 1000;
/** Share of the table a getaddr answer samples (Core: MAX_PCT_ADDR_TO_SEND = 23%)… */
export const getAddrShare = 0.23;
/** …and at most this many entries (Core: MAX_ADDR_TO_SEND). */
export const getAddrMaxEntries = 1000;
/** Mean time between feeler connections (Core: FEELER_INTERVAL, 2 minutes, Poisson). */
export const feelerIntervalMeanUs = 120 * 1_000_000;
