import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { AddrEntry, Message, VersionMsg } from '../../wire/messages.ts';
import { Handshake, type HandshakeConfig, type HandshakeContext } from '../handshake/handshake.ts';
import type { Identity, IdentityRegistry } from '../identity/registry.ts';
import type { Address, ConnId, Direction } from '../../sans-io/protocol.ts';
import type { NodeConfig } from './config.ts';
import type { WireBoundary } from './wire-boundary.ts';

/** What travels on a simulated connection: message objects, or raw bytes (materialised frames, hostile garbage). */
export type WireItem = Message | Uint8Array;

/** Codes of our Disconnect messages. */
export const DISCONNECT_DUPLICATE = 1;
export const DISCONNECT_BANNED = 2;
export const DISCONNECT_STALE = 3;
export const DISCONNECT_APP = 4;
export const DISCONNECT_FULL = 5;

/**
 * Inbound connections allowed past maxInbound while they handshake: a full
 * node still completes the handshake, hands the newcomer a sample of
 * addresses, then says goodbye — so a node that only knows busy bootstrap
 * nodes is pointed elsewhere instead of being turned away empty-handed.
 */
export const INBOUND_HANDSHAKE_SLACK = 8;

/** One connection of a PeerNode, from the dial (or accept) to its close. */
export interface Conn {
  readonly id: ConnId;
  readonly address: Address;
  readonly dir: Direction;
  state: 'dialing' | 'handshake' | 'up';
  openedUs: TimeUs;
  hs: Handshake | undefined;
  decoder: ReturnType<WireBoundary['newDecoder']> | undefined;
  peer: PeerNum | undefined;
  /** Its record in the node's ConnHot (last receive time, token bucket, up/peer mirror). */
  hot: number;
  pingNonce: number;
  pingSentUs: TimeUs;
  rttUs: number | undefined;
  sentGetAddr: boolean;
  /** Service bits from the remote's version message. */
  services: number;
  answeredGetAddr: boolean;
  /** The one `addr` we accept on this connection has arrived (an answer to our getaddr, or a full peer's parting sample). */
  gotAddr: boolean;
  /** The peer's id was proven for this connection (bound transcript): only then may a ban name the id. */
  proven: boolean;
  /** When the handshake completed. */
  upSinceUs: TimeUs;
  /** Its entry in the node's dial log (sequence number), -1 for inbound. */
  attempt: number;
  /** A feeler (addr mixing): dialled only to test an address, closed once the handshake proves it. */
  feeler: boolean;
  /** Announcements waiting for the next trickle to this peer (addr mixing; bounded by addrQueueMax). */
  addrQueue: AddrEntry[] | undefined;
  /** Announced addresses this peer may still make us process (token bucket, addr mixing), as of addrTokensAtUs. */
  addrTokens: number;
  addrTokensAtUs: TimeUs;
}

export function newConn(id: ConnId, address: Address, dir: Direction, now: TimeUs, hot = -1): Conn {
  return {
    id,
    address,
    dir,
    state: 'dialing',
    openedUs: now,
    hs: undefined,
    decoder: undefined,
    peer: undefined,
    hot,
    pingNonce: -1,
    pingSentUs: 0,
    rttUs: undefined,
    sentGetAddr: false,
    services: 0,
    answeredGetAddr: false,
    gotAddr: false,
    proven: false,
    upSinceUs: 0,
    attempt: -1,
    feeler: false,
    addrQueue: undefined,
    addrTokens: 1,
    addrTokensAtUs: now,
  };
}

/**
 * `c`, a forgotten connection, made into what newConn(id, address, dir, now,
 * hot) returns, field by field: Object.assign from a fresh literal was a
 * generic property copy and an allocation per dial (Kademlia dials per request).
 */
export function reuseConn(c: Conn, id: ConnId, address: Address, dir: Direction, now: TimeUs, hot = -1): Conn {
  const w = c as { -readonly [K in keyof Conn]: Conn[K] };
  w.id = id;
  w.address = address;
  w.dir = dir;
  w.state = 'dialing';
  w.openedUs = now;
  w.hs = undefined;
  w.decoder = undefined;
  w.peer = undefined;
  w.hot = hot;
  w.pingNonce = -1;
  w.pingSentUs = 0;
  w.rttUs = undefined;
  w.sentGetAddr = false;
  w.services = 0;
  w.answeredGetAddr = false;
  w.gotAddr = false;
  w.proven = false;
  w.upSinceUs = 0;
  w.attempt = -1;
  w.feeler = false;
  w.addrQueue = undefined;
  w.addrTokens = 1;
  w.addrTokensAtUs = now;
  return c;
}

/** Where the remote can be dialled: the address we dialled, or the listen address it announced. */
export function listenAddress(c: Conn, v: VersionMsg): Address {
  return c.dir === 'out' ? c.address : v.listen.host;
}

/**
 * H4: of two connections between the same pair, both ends keep the one
 * dialled by the peer whose id sorts first (the older one if the same peer
 * dialled both), so they agree without talking about it.
 */
export function keepNewOverOld(fresh: Conn, old: Conn, self: PeerNum, peer: PeerNum, registry: IdentityRegistry): boolean {
  const dialerOf = (c: Conn) => (c.dir === 'out' ? self : peer);
  const a = dialerOf(fresh);
  const b = dialerOf(old);
  if (a === b) return false;
  return registry.compare(a, b) < 0;
}

/**
 * The signed version/verack exchanges of one node's connections: one
 * context and one config shared by all of them (built per connection, they
 * were a dozen objects and closures per dial).
 */
export class Handshakes {
  private readonly ctx: HandshakeContext;
  private shaped: HandshakeConfig | undefined;

  constructor(
    identity: Identity,
    registry: IdentityRegistry,
    private readonly cfg: NodeConfig,
    listen: Address,
    /** Whether a nonce is one of this node's handshakes in progress. */
    isOwnNonce: (n: number) => boolean,
  ) {
    this.ctx = {
      identity,
      signer: registry.signer,
      signUs: cfg.signUs,
      verifyUs: cfg.verifyUs,
      listen: { host: listen, port: 0 },
      startHeight: 0,
      isOwnNonce: (n, own) => n !== own && isOwnNonce(n),
      peerOf: (pk) => registry.tryNumOfPublicKey(pk),
      powRequired: cfg.powDifficulty,
      powWork: (pk, n) => registry.powWork(pk, n),
      powVerifyUs: cfg.powHashUs,
      local: listen,
    };
  }

  /** A handshake on a connection to `remote`, announcing `services`. */
  start(services: number, nonce: number, remote: Address): Handshake {
    if (this.shaped?.services !== services) this.shaped = { ...this.cfg.handshake, services };
    return new Handshake(this.ctx, this.shaped, nonce, remote);
  }
}
