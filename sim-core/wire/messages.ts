import type { PeerNum } from './ids.ts';

/**
 * Every message peermap peers exchange, as a discriminated union on `type`
 * (the u8 written after the frame length). Values are part of the wire format
 * and of the trace hash: append, never renumber. Bounds are in constants.ts.
 *
 * Integer fields are JS numbers: u8/u16/u32 as named; "u53" fields are
 * written as u64 big-endian and decoding rejects values ≥ 2^53 (so nonces and
 * timestamps round-trip exactly). Byte fields are Uint8Array of the stated
 * length. Peer ids are PeerNum (see ids.ts), 32 bytes on the wire.
 */
export const MsgType = {
  // Connection hygiene (seeds 000, 003, 004)
  Version: 1,
  Verack: 2,
  Ping: 3,
  Pong: 4,
  GetAddr: 5,
  Addr: 6,
  Inv: 7,
  GetData: 8,
  Reject: 9,
  Disconnect: 10,
  /** LAN discovery beacon (seed 003): a datagram to the hosts of the same segment, not a connection message. */
  Beacon: 11,
  // Global map (seed 001)
  GmEvents: 20,
  GmDirected: 21,
  GmSyncRequest: 22,
  GmSync: 23,
  // Kademlia (seed 002)
  KadFindNode: 30,
  KadNodes: 31,
  KadPing: 32,
  KadPong: 33,
  // Application workload: block propagation (seeds 001 §6.1, 004)
  Block: 40,
  // Demo protocol
  FloodPing: 50,
} as const;
export type MsgType = (typeof MsgType)[keyof typeof MsgType];

/** A host address: simulated host index + port. */
export interface NetAddress {
  host: number; // u32
  port: number; // u16
}

export interface VersionMsg {
  type: typeof MsgType.Version;
  protocolVersion: number; // u16
  services: number; // u32 bitset
  timestampUs: number; // u53, sender's clock
  nonce: number; // u53, detects self-connection; the other side signs it
  startHeight: number; // u32
  listen: NetAddress;
  publicKey: Uint8Array; // 32 bytes, Ed25519
  userAgent: string; // UTF-8, ≤ MAX_USER_AGENT_BYTES bytes
  /**
   * Optional trailing field (u53, present only when the sender has one): the
   * proof-of-work nonce of its identity (see protocols/identity/pow.ts).
   * Absent, the message has the same bytes as before the field existed.
   */
  powNonce?: number;
}

/** Proof of key ownership: Ed25519 signature over the other side's version nonce (see handshake). */
export interface VerackMsg {
  type: typeof MsgType.Verack;
  signature: Uint8Array; // 64 bytes
}

export interface PingMsg {
  type: typeof MsgType.Ping;
  nonce: number; // u53
}

export interface PongMsg {
  type: typeof MsgType.Pong;
  nonce: number; // u53
}

export interface GetAddrMsg {
  type: typeof MsgType.GetAddr;
}

export interface AddrEntry {
  peer: PeerNum; // 32-byte id
  address: NetAddress;
  lastSeenS: number; // u32, seconds of the sender's clock
}

export interface AddrMsg {
  type: typeof MsgType.Addr;
  entries: AddrEntry[]; // ≤ MAX_ADDR_ENTRIES
}

export const InvKind = { Block: 1, Tx: 2 } as const;

export interface InvItem {
  kind: number; // u8, InvKind
  hash: Uint8Array; // 32 bytes
}

export interface InvMsg {
  type: typeof MsgType.Inv;
  items: InvItem[]; // ≤ MAX_INV_ITEMS
}

export interface GetDataMsg {
  type: typeof MsgType.GetData;
  items: InvItem[]; // ≤ MAX_INV_ITEMS
}

export const RejectCode = {
  Malformed: 1,
  Invalid: 0x10,
  Obsolete: 0x11, // incompatible protocol version
  Duplicate: 0x12,
  SelfConnection: 0x13,
  BadSignature: 0x14,
  TooManyPeers: 0x15,
  Banned: 0x16,
  InsufficientWork: 0x17, // identity proof of work below the required difficulty
} as const;

export interface RejectMsg {
  type: typeof MsgType.Reject;
  rejectedType: number; // u8, the message type being rejected (0 if none)
  code: number; // u8, RejectCode
  reason: string; // UTF-8, ≤ MAX_REASON_BYTES bytes
}

export interface DisconnectMsg {
  type: typeof MsgType.Disconnect;
  code: number; // u8
  reason: string; // UTF-8, ≤ MAX_REASON_BYTES bytes
}

/** "I am here": a peer's id and listen address, multicast on its LAN segment every few seconds (seed 003). */
export interface BeaconMsg {
  type: typeof MsgType.Beacon;
  peer: PeerNum; // 32 bytes on the wire
  listen: NetAddress;
  services: number; // u32 bitset
  nonce: number; // u53, per beacon (a receiver drops its own)
}

/** A link event of the global map (seed 001 §3.2). */
export interface GmEvent {
  kind: number; // u8: 1 connect, 2 disconnect
  direction: number; // u8: 1 in ("I accept"), 2 out ("I propose")
  origin: PeerNum; // the peer reporting its own link (32-byte id)
  peer: PeerNum; // the other end of the link (32-byte id)
  timestampUs: number; // u53, origin's clock
  ttl: number; // u8, hops left
  /** Signed messages only (globalmap security: signed): the origin's public key and its signature over the event (TTL excluded). */
  publicKey?: Uint8Array; // 32 bytes
  signature?: Uint8Array; // 64 bytes
}

export interface GmEventsMsg {
  type: typeof MsgType.GmEvents;
  events: GmEvent[]; // 1 … MAX_GM_EVENTS
  /** Every event carries publicKey and signature (bit 15 of the count on the wire). */
  readonly signed?: boolean;
  /** Set when the events travel by reference (the simulator's interned events): their count, without materialising `events`. */
  readonly refs?: GmEventRefs;
}

/** Events carried by reference; the message's `events` materialises them (only the codec needs that). */
export interface GmEventRefs {
  readonly count: number;
}

/** Source-routed message (seed 001 §3.4): the sender lists the whole route. */
export interface GmDirectedMsg {
  type: typeof MsgType.GmDirected;
  route: PeerNum[]; // 2 … MAX_GM_ROUTE_HOPS ids, source first, destination last
  hop: number; // u8, index in route of the peer this copy is addressed to
  reroute: number; // u8: 1 while one re-route is still allowed, then 0
  payloadKind: number; // u8 (e.g. 1 = connection offer, 2 = answer)
  payload: Uint8Array; // ≤ MAX_GM_DIRECTED_PAYLOAD_BYTES
}

export interface GmSyncRequestMsg {
  type: typeof MsgType.GmSyncRequest;
  sinceUs: number; // u53: entries updated after this time (0 = all)
}

/** One register of an origin's record: what it last said about its link to `peer`, and when. */
export interface GmSyncLink {
  peer: PeerNum;
  flags: number; // u8 in 0…3: bit 0 connect (else disconnect), bit 1 "out" (the origin dialled)
  timestampUs: number; // u53, the origin's clock
  /** Signed syncs only: the origin's signature over the link event this register records. */
  signature?: Uint8Array; // 64 bytes
}

/** An origin's record as the sender holds it: applying its links as events gives the same map. */
export interface GmSyncEntry {
  peer: PeerNum;
  links: GmSyncLink[]; // ≤ MAX_GM_SYNC_LINKS
  /** Signed syncs only: the origin's public key. */
  publicKey?: Uint8Array; // 32 bytes
}

export interface GmSyncMsg {
  type: typeof MsgType.GmSync;
  entries: GmSyncEntry[]; // ≤ MAX_GM_SYNC_ENTRIES
  more: number; // u8: 1 if further chunks follow
  /** Every entry carries publicKey and every link a signature (bit 15 of the count on the wire). */
  signed?: boolean;
}

/** Kademlia ids on the wire are 20 bytes derived from the peer id; here they are PeerNum. */
export interface KadFindNodeMsg {
  type: typeof MsgType.KadFindNode;
  requestId: number; // u32
  target: Uint8Array; // 20 bytes
}

export interface KadNode {
  peer: PeerNum; // written as its 20-byte Kademlia id (IdCodec.writeKadId)
  address: NetAddress;
}

export interface KadNodesMsg {
  type: typeof MsgType.KadNodes;
  requestId: number; // u32
  nodes: KadNode[]; // ≤ MAX_KAD_NODES
}

export interface KadPingMsg {
  type: typeof MsgType.KadPing;
  requestId: number; // u32
}

export interface KadPongMsg {
  type: typeof MsgType.KadPong;
  requestId: number; // u32
}

/** A block: the header fields plus a body of `bodyBytes` bytes that only counts in sizes unless bytes are materialised. */
export interface BlockMsg {
  type: typeof MsgType.Block;
  hash: Uint8Array; // 32 bytes
  parent: Uint8Array; // 32 bytes
  height: number; // u32
  origin: PeerNum; // the miner (32-byte id)
  minedAtUs: number; // u53
  bodyBytes: number; // u32, ≤ maxBlockBodyBytes(maxFrameBytes) = maxFrameBytes − frame header − the 112 bytes above
}

export interface FloodPingMsg {
  type: typeof MsgType.FloodPing;
  origin: number; // u32
  seq: number; // u32
  ttl: number; // u8
}

export type Message =
  | VersionMsg
  | VerackMsg
  | PingMsg
  | PongMsg
  | GetAddrMsg
  | AddrMsg
  | InvMsg
  | GetDataMsg
  | RejectMsg
  | DisconnectMsg
  | BeaconMsg
  | GmEventsMsg
  | GmDirectedMsg
  | GmSyncRequestMsg
  | GmSyncMsg
  | KadFindNodeMsg
  | KadNodesMsg
  | KadPingMsg
  | KadPongMsg
  | BlockMsg
  | FloodPingMsg;
