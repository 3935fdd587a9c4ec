import type { Rng } from '../../engine/rng.ts';
import type { TimeUs } from '../../engine/time.ts';
import { MsgType, type Message } from '../../wire/messages.ts';
import { Handshake, type HandshakeTranscript } from '../handshake/handshake.ts';
import type { Identity, IdentityRegistry } from '../identity/registry.ts';
import type { WireItem } from '../node/peer-node.ts';
import type { WireBoundary } from '../node/wire-boundary.ts';
import type { Address, ConnId, Direction, PeerActions, PeerProtocol } from '../../sans-io/protocol.ts';

/** The misbehaviours of hostile-lan (seed 000: "treat the LAN as hostile"). */
export type AdversaryKind = 'garbage' | 'oversized' | 'out-of-order' | 'flood' | 'bad-signature';
export const ADVERSARY_KINDS: readonly AdversaryKind[] = ['garbage', 'oversized', 'out-of-order', 'flood', 'bad-signature'];

export interface AdversaryConfig {
  kind: AdversaryKind;
  /** Addresses it attacks, dialled in turn. */
  targets: readonly Address[];
  /** Seconds between misbehaving sends on a connection. */
  intervalUs: number;
  /** Sends per attack burst (flood uses it as the burst size). */
  burst: number;
  /** Gap before dialling the next target or redialling after a close. */
  redialUs: number;
  /** Bound on dials over the whole run. */
  maxDials: number;
  /** The victims' handshake transcript (an adversary that completes handshakes speaks it). */
  transcript?: HandshakeTranscript;
}

export interface AdversaryStats {
  dials: number;
  connected: number;
  closedByVictim: number;
  sends: number;
  /** Distinct honest hosts it managed to misbehave at. */
  attacked: number;
}

const TIMER_DIAL = 1;
const TIMER_ACT = 2;

/**
 * A hostile peer: dials its targets one after another and misbehaves on each
 * connection until the victim hangs up, then moves on (and comes back later,
 * to check that bans hold).
 */
export class Adversary implements PeerProtocol<WireItem> {
  readonly stats: AdversaryStats = { dials: 0, connected: 0, closedByVictim: 0, sends: 0, attacked: 0 };
  /** Hosts it misbehaved at, in order. */
  readonly victims = new Set<Address>();
  private target: Address = -1;
  private conn: ConnId = -1;
  private next = 0;
  private hs: Handshake | undefined;
  private established = false;

  constructor(
    private readonly io: PeerActions<WireItem>,
    private readonly rng: Rng,
    private readonly cfg: AdversaryConfig,
    /** Its key pair (public for tests that check identities are unique per host). */
    readonly identity: Identity,
    private readonly registry: IdentityRegistry,
    private readonly wire: WireBoundary,
    private readonly address: Address,
  ) {}
  private decoder: ReturnType<WireBoundary['newDecoder']> | undefined;

  get kind(): AdversaryKind {
    return this.cfg.kind;
  }

  /** First start or restart: a crash or stop tells the protocol nothing, so a restart forgets the connection it had (else it never dials again). */
  onStart(): void {
    this.conn = -1;
    this.established = false;
    this.hs = undefined;
    this.decoder = undefined;
    this.io.setTimer(1, TIMER_DIAL);
  }

  onConnected(now: TimeUs, conn: ConnId, remote: Address, dir: Direction): void {
    if (dir === 'in') return void this.io.close(conn);
    this.conn = conn;
    this.stats.connected++;
    this.established = false;
    this.decoder = this.wire.newDecoder(16 * 1024 * 1024);
    if (this.cfg.kind === 'flood' || this.cfg.kind === 'bad-signature') {
      this.hs = new Handshake(
        {
          identity: this.identity,
          signer: this.registry.signer,
          signUs: 0,
          verifyUs: 0,
          listen: { host: this.address, port: 0 },
          startHeight: 0,
          isOwnNonce: () => false,
          peerOf: (pk) => this.registry.tryNumOfPublicKey(pk),
          local: this.address,
          remote,
        },
        { protocolVersion: 1, minProtocolVersion: 1, services: 0, userAgent: '/adversary/', transcript: this.cfg.transcript },
        this.rng.uint32(),
      );
      this.send(this.hs.start(now));
    }
    this.io.setTimer(this.cfg.intervalUs, TIMER_ACT);
  }

  onDialFailed(): void {
    this.conn = -1;
    this.io.setTimer(this.cfg.redialUs, TIMER_DIAL);
  }

  onClosed(): void {
    this.conn = -1;
    this.stats.closedByVictim++;
    this.io.setTimer(this.cfg.redialUs, TIMER_DIAL);
  }

  onMessage(_now: TimeUs, _conn: ConnId, item: WireItem): void {
    if (!this.hs || this.established) return;
    const msgs = item instanceof Uint8Array ? (this.decoder?.push(item).messages ?? []) : [item];
    for (const m of msgs) this.handshake(m);
  }

  private handshake(msg: Message): void {
    if (!this.hs || this.established) return;
    const step = this.hs.onMessage(msg);
    for (const m of step.send) {
      if (m.type === MsgType.Verack && this.cfg.kind === 'bad-signature') {
        this.victims.add(this.target);
        this.stats.attacked = this.victims.size;
        this.send({ type: MsgType.Verack, signature: this.rngBytes(64) });
      } else this.send(m);
    }
    if (step.done?.ok) this.established = true;
  }

  onTimer(_now: TimeUs, tag: number): void {
    if (tag === TIMER_DIAL) return this.dialNext();
    if (tag !== TIMER_ACT || this.conn < 0) return;
    this.act();
    this.io.setTimer(this.cfg.intervalUs, TIMER_ACT);
  }

  private dialNext(): void {
    if (this.conn >= 0 || this.stats.dials >= this.cfg.maxDials || this.cfg.targets.length === 0) return;
    const to = this.cfg.targets[this.next++ % this.cfg.targets.length];
    this.target = to;
    this.stats.dials++;
    this.io.dial(to);
  }

  private act(): void {
    const hit = this.cfg.kind !== 'bad-signature' && (this.cfg.kind !== 'flood' || this.established);
    if (hit && !this.victims.has(this.target)) {
      this.victims.add(this.target);
      this.stats.attacked = this.victims.size;
    }
    switch (this.cfg.kind) {
      case 'garbage':
        return this.sendRaw(this.rngBytes(1 + this.rng.int(256)));
      case 'oversized':
        return this.sendRaw(oversizedHeader());
      case 'out-of-order':
        // Protocol messages with no handshake: a verack and a pong nobody asked for.
        this.send({ type: MsgType.Verack, signature: this.rngBytes(64) });
        return this.send({ type: MsgType.Pong, nonce: this.rng.uint32() });
      case 'flood':
        if (!this.established) return;
        for (let i = 0; i < this.cfg.burst; i++) this.send({ type: MsgType.Ping, nonce: this.rng.uint32() });
        return;
      case 'bad-signature':
        return; // the forged verack was the attack
    }
  }

  private send(m: Message): void {
    this.stats.sends++;
    this.io.send(this.conn, m);
  }

  private sendRaw(bytes: Uint8Array): void {
    this.stats.sends++;
    this.io.send(this.conn, bytes);
  }

  private rngBytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.rng.int(256);
    return out;
  }
}

/** A frame header announcing 16 MiB, far past any maxFrameBytes, then a few payload bytes. */
function oversizedHeader(): Uint8Array {
  const out = new Uint8Array(64);
  new DataView(out.buffer).setUint32(0, 16 * 1024 * 1024);
  out[4] = MsgType.Ping;
  return out;
}
