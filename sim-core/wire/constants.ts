/** Wire limits. Every list and string on the wire has a bound; decoders enforce them. */
export const FRAME_HEADER_BYTES = 5; // u32 length (big-endian, counts type + payload) + u8 type
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
/** Smallest and largest values a scenario may give for maxFrameBytes. */
export const MIN_MAX_FRAME_BYTES = 1024;
export const MAX_MAX_FRAME_BYTES = 16 * 1024 * 1024;

export const PEER_ID_BYTES = 32; // SHA-256 fingerprint of the Ed25519 public key
export const PUBLIC_KEY_BYTES = 32; // Ed25519
export const SIGNATURE_BYTES = 64; // Ed25519
export const KAD_ID_BYTES = 20; // 160-bit Kademlia id (first 20 bytes of the peer id)
export const HASH_BYTES = 32; // inventory hashes (blocks)

export const MAX_USER_AGENT_BYTES = 64;
export const MAX_REASON_BYTES = 111; // as Bitcoin's reject
export const MAX_ADDR_ENTRIES = 1000;
export const MAX_INV_ITEMS = 1000;
export const MAX_GM_EVENTS = 256;
export const MAX_GM_ROUTE_HOPS = 16;
export const MAX_GM_DIRECTED_PAYLOAD_BYTES = 4096;
export const MAX_GM_SYNC_ENTRIES = 256;
export const MAX_GM_NEIGHBOURS = 32;
/** Entries per origin in a sync answer: claims plus recent tombstones. */
export const MAX_GM_SYNC_LINKS = 64;
export const MAX_KAD_NODES = 64;
