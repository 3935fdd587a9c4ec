import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { MsgType, RejectCode, type Message, type NetAddress, type RejectMsg, type VerackMsg, type VersionMsg } from '../../wire/messages.ts';
import type { Identity } from '../identity/registry.ts';
import type { Signer } from '../identity/signer.ts';

/**
 * The per-connection handshake, sans-IO (seeds 003/004, mutual auth of 000):
 * both sides send `version` (protocol version, services, timestamp, nonce,
 * start height, listen address, public key) on open; on the other's version
 * each side signs a transcript and sends it as `verack`; a verack whose
 * signature verifies under the version's key proves the other end holds the
 * key. Done when we have their valid verack (ours went out when their
 * version arrived).
 *
 * Transcripts: `seed` signs (tag ‖ their nonce ‖ our nonce) only, so a
 * relay that forwards both versions unchanged is accepted as the far end.
 * `bound` signs both whole versions (nonces, keys, listen addresses, every
 * field a man in the middle could rewrite) and the two addresses of the
 * connection as the signer sees them (its peer's, its own): the honest end
 * of a relayed handshake sees the relay's address, not the verifier's, so
 * its signature cannot verify on the verifier's connection.
 */
export type HandshakeTranscript = 'seed' | 'bound';

export interface HandshakeConfig {
  protocolVersion: number;
  minProtocolVersion: number;
  services: number;
  userAgent: string;
  /** What the verack signs (default 'bound'; 'seed' replays the seed protocol's nonce-only transcript). */
  transcript?: HandshakeTranscript;
}

export type HandshakeFailure =
  | 'self-connection'
  | 'version-mismatch'
  | 'bad-signature'
  | 'insufficient-work'
  | 'out-of-order'
  | 'rejected'
  | 'timeout'
  /** The key's id could not be interned (the table of unknown ids is full): dropped, nobody charged. */
  | 'id-limit';

export type HandshakeOutcome = 'established' | HandshakeFailure;

/** What one step produced: messages to send, CPU spent, and maybe the end. */
export interface HandshakeStep {
  send: Message[];
  cpuUs: number;
  done?: { ok: true; remote: PeerNum; remoteVersion: VersionMsg } | { ok: false; failure: HandshakeFailure };
}

export interface HandshakeContext {
  identity: Identity;
  signer: Signer;
  signUs: number;
  verifyUs: number;
  listen: NetAddress;
  startHeight: number;
  /** True if `nonce` is one this node sent on another connection than the one whose nonce is `ownNonce` (self-connection). */
  isOwnNonce(nonce: number, ownNonce: number): boolean;
  /** Peer number of a public key; undefined when it cannot be interned (table of unknown ids full). */
  peerOf(publicKey: Uint8Array): PeerNum | undefined;
  /** Identity proof of work the other side must show (leading zero bits; 0: none). */
  powRequired?: number;
  /** Bits a proof-of-work nonce proves for a public key's peer id. */
  powWork?(publicKey: Uint8Array, nonce: number | undefined): number;
  /** Modelled CPU cost of checking a proof (one hash). */
  powVerifyUs?: number;
  /**
   * The connection's two ends as this side sees them (bound transcript):
   * `local` our address, `remote` the other end's. In the simulator hosts
   * are not translated; behind a NAT a deployment would use the external
   * address its peers report.
   */
  local?: number;
  remote?: number;
}

const TAG = new TextEncoder().encode('peermap/handshake/v1');

/** The bytes each side signs: tag ‖ u64 verifier nonce ‖ u64 signer nonce. */
export function transcript(verifierNonce: number, signerNonce: number): Uint8Array {
  const out = new Uint8Array(TAG.length + 16);
  out.set(TAG, 0);
  put64(out, put64(out, TAG.length, verifierNonce), signerNonce);
  return out;
}

const BOUND_TAG = new TextEncoder().encode('peermap/handshake/bound/v2');
/** Handshake.signed's transcripts (a fresh ~200-byte buffer per signature was a malloc'd backing store each). */
const TRANSCRIPT_SCRATCH = new Uint8Array(4096);

const UTF8 = new TextEncoder();
let lastUa = '';
let lastUaBytes = new Uint8Array(0);

/** The user agent's UTF-8 bytes; every handshake encodes both sides' (almost always the same string), so the last one is kept. */
function uaBytes(ua: string): Uint8Array {
  if (ua !== lastUa) {
    lastUaBytes = UTF8.encode(ua);
    lastUa = ua;
  }
  return lastUaBytes;
}

/** Bytes of versionBytes' encoding of v with user agent bytes `ua`: 34 fixed, key, 2 + agent, 9 for the proof of work. */
const versionLength = (v: VersionMsg, ua: Uint8Array): number => 45 + v.publicKey.length + ua.length;

/**
 * Writes every field of a version message at `p` in a fixed layout (an
 * injective encoding: lengths precede variable fields), big-endian; returns
 * the end. Written byte by byte into the transcript, without a DataView, a
 * BigInt per u64 or an array per version: both sides build two transcripts
 * per handshake, and Kademlia opens a connection per RPC.
 */
function writeVersion(out: Uint8Array, p: number, v: VersionMsg, ua: Uint8Array): number {
  p = put16(out, p, v.protocolVersion & 0xffff);
  p = put32(out, p, v.services >>> 0);
  p = put64(out, p, v.timestampUs);
  p = put64(out, p, v.nonce);
  p = put32(out, p, v.startHeight >>> 0);
  p = put32(out, p, v.listen.host >>> 0);
  p = put16(out, p, v.listen.port & 0xffff);
  p = put16(out, p, v.publicKey.length & 0xffff);
  out.set(v.publicKey, p);
  p = put16(out, p + v.publicKey.length, ua.length);
  out.set(ua, p);
  p += ua.length;
  out[p] = v.powNonce === undefined ? 0 : 1;
  put64(out, p + 1, v.powNonce ?? 0); // every byte written: the buffer may be a reused scratch
  return p + 9;
}

function put16(out: Uint8Array, p: number, x: number): number {
  out[p] = x >>> 8;
  out[p + 1] = x;
  return p + 2;
}

function put32(out: Uint8Array, p: number, x: number): number {
  out[p] = x >>> 24;
  out[p + 1] = x >>> 16;
  out[p + 2] = x >>> 8;
  out[p + 3] = x;
  return p + 4;
}

/** A u64; a hostile object may carry any number: outside u53 it is written as 0 (the signature then fails), never thrown on. */
function put64(out: Uint8Array, p: number, x: number): number {
  const ok = Number.isSafeInteger(x) && x >= 0;
  put32(out, p, ok ? Math.floor(x / 0x1_0000_0000) : 0);
  return put32(out, p + 4, ok ? x >>> 0 : 0);
}

/**
 * The bound transcript: tag ‖ verifier's version ‖ signer's version ‖
 * verifier's address ‖ signer's address, addresses as the signer sees them
 * (the verifier rebuilds it with its own view: its address, and the address
 * the connection comes from). Both versions, not just nonces, so nothing in
 * either version can be rewritten in flight and a key cannot be swapped.
 * Each version is preceded by its length (u32).
 */
export function boundTranscript(verifier: VersionMsg, signer: VersionMsg, verifierAddress: number, signerAddress: number, scratch?: Uint8Array): Uint8Array {
  const uaA = uaBytes(verifier.userAgent);
  const a = versionLength(verifier, uaA);
  const uaB = uaBytes(signer.userAgent);
  const b = versionLength(signer, uaB);
  const n = BOUND_TAG.length + 8 + a + b + 8;
  // A scratch (when given and large enough) is overwritten: the result is only good until the next call with it.
  const out = scratch !== undefined && scratch.length >= n ? scratchView(scratch, n) : new Uint8Array(n);
  out.set(BOUND_TAG, 0);
  let p = put32(out, BOUND_TAG.length, a);
  p = writeVersion(out, p, verifier, uaA);
  p = put32(out, p, b);
  p = writeVersion(out, p, signer, uaB);
  p = put32(out, p, verifierAddress >>> 0);
  put32(out, p, signerAddress >>> 0);
  return out;
}

/** The last view handed out by scratchView: transcripts of one run have one length, so one view object serves them all. */
let lastView: Uint8Array = new Uint8Array(0);

/** The first n bytes of `scratch`, as the view made last time when it is the same one (subarray is an object per call). */
function scratchView(scratch: Uint8Array, n: number): Uint8Array {
  if (lastView.buffer !== scratch.buffer || lastView.byteOffset !== scratch.byteOffset || lastView.length !== n) lastView = scratch.subarray(0, n);
  return lastView;
}

type State = 'awaiting-version' | 'awaiting-verack' | 'done';

export class Handshake {
  private state: State = 'awaiting-version';
  private remote: VersionMsg | undefined;
  private own: VersionMsg | undefined;

  constructor(
    private readonly ctx: HandshakeContext,
    private readonly cfg: HandshakeConfig,
    /** This connection's nonce (u53), from the node's seeded stream. */
    readonly nonce: number,
    /** The other end's address as we see it; overrides `ctx.remote`, so one context can serve all of a node's connections. */
    private readonly remoteAddress: number | undefined = ctx.remote,
  ) {}

  get finished(): boolean {
    return this.state === 'done';
  }

  /** The version message to send when the connection opens. */
  start(now: TimeUs): VersionMsg {
    const pow = this.ctx.identity.pow;
    const v: VersionMsg = {
      type: MsgType.Version,
      protocolVersion: this.cfg.protocolVersion,
      services: this.cfg.services,
      timestampUs: now,
      nonce: this.nonce,
      startHeight: this.ctx.startHeight,
      listen: this.ctx.listen,
      publicKey: this.ctx.identity.publicKey,
      userAgent: this.cfg.userAgent,
    };
    if (pow) v.powNonce = pow.nonce;
    this.own = v;
    return v;
  }

  onMessage(msg: Message): HandshakeStep {
    if (this.state === 'done') return fail('out-of-order');
    switch (msg.type) {
      case MsgType.Version:
        return this.onVersion(msg);
      case MsgType.Verack:
        return this.onVerack(msg);
      case MsgType.Reject:
        this.state = 'done';
        return { send: [], cpuUs: 0, done: { ok: false, failure: 'rejected' } };
      default:
        return this.failWith('out-of-order', msg.type, RejectCode.Invalid, 'message before handshake completed');
    }
  }

  /** The handshake deadline passed: a half-open connection. */
  onTimeout(): HandshakeStep {
    if (this.state === 'done') return { send: [], cpuUs: 0 };
    this.state = 'done';
    return { send: [], cpuUs: 0, done: { ok: false, failure: 'timeout' } };
  }

  private onVersion(v: VersionMsg): HandshakeStep {
    if (this.state !== 'awaiting-version') return this.failWith('out-of-order', v.type, RejectCode.Duplicate, 'second version');
    if (this.ctx.isOwnNonce(v.nonce, this.nonce)) return this.failWith('self-connection', v.type, RejectCode.SelfConnection, 'connected to self');
    if (v.protocolVersion < this.cfg.minProtocolVersion) {
      return this.failWith('version-mismatch', v.type, RejectCode.Obsolete, `protocol ${v.protocolVersion} < ${this.cfg.minProtocolVersion}`);
    }
    let cpuUs = 0;
    const required = this.ctx.powRequired ?? 0;
    if (required > 0) {
      // Checked before signing: an identity that did not pay costs us one hash, not a signature.
      const work = this.ctx.powWork?.(v.publicKey, v.powNonce) ?? 0;
      if (work < required) {
        const step = this.failWith('insufficient-work', v.type, RejectCode.InsufficientWork, `identity work ${work} bits < ${required}`);
        step.cpuUs += this.ctx.powVerifyUs ?? 0;
        return step;
      }
      cpuUs += this.ctx.powVerifyUs ?? 0;
    }
    this.remote = v;
    this.state = 'awaiting-verack';
    const signature = this.ctx.signer.sign(this.ctx.identity.secretKey, this.signed(v, true));
    const verack: VerackMsg = { type: MsgType.Verack, signature };
    return { send: [verack], cpuUs: cpuUs + this.ctx.signUs };
  }

  private onVerack(m: VerackMsg): HandshakeStep {
    const remote = this.remote;
    if (this.state !== 'awaiting-verack' || !remote) return this.failWith('out-of-order', m.type, RejectCode.Invalid, 'verack before version');
    const ok = this.ctx.signer.verify(m.signature, this.signed(remote, false), remote.publicKey);
    if (!ok) {
      const step = this.failWith('bad-signature', m.type, RejectCode.BadSignature, 'signature does not verify');
      step.cpuUs += this.ctx.verifyUs;
      return step;
    }
    this.state = 'done';
    const peer = this.ctx.peerOf(remote.publicKey);
    if (peer === undefined) return { send: [], cpuUs: this.ctx.verifyUs, done: { ok: false, failure: 'id-limit' } };
    return { send: [], cpuUs: this.ctx.verifyUs, done: { ok: true, remote: peer, remoteVersion: remote } };
  }

  /** The transcript our verack signs (`signing`) or theirs must have signed. */
  private signed(remote: VersionMsg, signing: boolean): Uint8Array {
    if ((this.cfg.transcript ?? 'bound') === 'seed') return signing ? transcript(remote.nonce, this.nonce) : transcript(this.nonce, remote.nonce);
    const own = this.own ?? this.start(0);
    const local = this.ctx.local ?? this.ctx.listen.host;
    const far = this.remoteAddress ?? remote.listen.host;
    // Signed or verified at once and then dropped, so one buffer serves every handshake.
    return signing ? boundTranscript(remote, own, far, local, TRANSCRIPT_SCRATCH) : boundTranscript(own, remote, local, far, TRANSCRIPT_SCRATCH);
  }

  private failWith(failure: HandshakeFailure, rejectedType: number, code: number, reason: string): HandshakeStep {
    this.state = 'done';
    const reject: RejectMsg = { type: MsgType.Reject, rejectedType, code, reason };
    return { send: [reject], cpuUs: 0, done: { ok: false, failure } };
  }
}

function fail(failure: HandshakeFailure): HandshakeStep {
  return { send: [], cpuUs: 0, done: { ok: false, failure } };
}
