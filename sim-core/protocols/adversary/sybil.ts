import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { MsgType, type GmEvent } from '../../wire/messages.ts';
import type { NodeApi, NodeApp } from '../node/app.ts';
import type { Address, Direction } from '../../sans-io/protocol.ts';
import type { Seal } from './forge.ts';

/** The Sybil identities of one run and the victims they try to eclipse (shared, observer-side bookkeeping). */
export class SybilCoalition {
  readonly members: { peer: PeerNum; address: Address }[] = [];
  readonly memberSet = new Set<PeerNum>();
  /** False links claimed to honest peers: "sybil|honest" keys. */
  readonly falseHonestLinks = new Set<string>();
  /** False links claimed among Sybils: "a|b" keys with a < b. */
  readonly meshLinks = new Set<string>();

  constructor(
    /** Host addresses of the victims. */
    readonly victims: readonly Address[],
  ) {}

  join(peer: PeerNum, address: Address): void {
    this.members.push({ peer, address });
    this.memberSet.add(peer);
  }
}

export interface SybilConfig {
  attackIntervalUs: number;
  /** False link claims are re-sent this often (fresh timestamps keep them alive in maps). */
  gossipIntervalUs: number;
  /** Fake links each Sybil claims to random honest peers (never confirmed by them). */
  falseLinks: number;
  /** Claim a confirmed-looking mesh among the Sybils (colluding ends confirm each other). */
  mesh: boolean;
  /** Mesh links per Sybil (a ring lattice: each claims its `meshDegree / 2` successors and predecessors), kept under the claim limit. */
  meshDegree: number;
  ttl: number;
}

const TIMER_ATTACK = 1;
const EV_CONNECT = 1;
const DIR_IN = 1;
const DIR_OUT = 2;

/**
 * A Sybil's attack, layered on an otherwise honest peer (seed 001 §4.2,
 * seed 002 Sybil/eclipse): keep dialling the victims to occupy their slots,
 * poison address books with the coalition's addresses (the Bitcoin eclipse
 * recipe), and gossip false link events — a mesh among Sybils that both ends
 * "confirm", making the Sybils look like a disjoint, well-connected
 * neighbourhood to a minimal-overlap selector, plus links to honest peers
 * that nobody will ever confirm.
 */
export class SybilApp implements NodeApp {
  readonly name = 'sybil';
  private api!: NodeApi;
  private readonly poisoned = new Set<PeerNum>();
  private falseTargets: PeerNum[] = [];
  private nextGossipUs = 0;

  constructor(
    private readonly coalition: SybilCoalition,
    private readonly cfg: SybilConfig,
    /** Honest peer numbers to pick false-link targets from. */
    private readonly honestPeers: () => readonly PeerNum[],
    /** Signed map: the Sybil signs its own claims (it is their origin, so they verify). */
    private readonly seal?: Seal,
  ) {}

  handles(): boolean {
    return false;
  }

  onStart(_now: TimeUs, api: NodeApi): void {
    this.api = api;
    this.poisoned.clear();
    api.setTimer(1 + api.rng.int(this.cfg.attackIntervalUs), TIMER_ATTACK);
  }

  onPeerUp(now: TimeUs, peer: PeerNum, _dir: Direction): void {
    this.poison(peer);
    this.gossip(now, peer);
  }

  onPeerDown(): void {}

  onMessage(): void {}

  onTimer(now: TimeUs, tag: number): void {
    if (tag !== TIMER_ATTACK) return;
    for (const v of this.coalition.victims) this.api.dial(v);
    if (now >= this.nextGossipUs) {
      this.nextGossipUs = now + this.cfg.gossipIntervalUs;
      for (const peer of this.api.peers().keys()) this.gossip(now, peer);
    }
    this.api.setTimer(this.cfg.attackIntervalUs, TIMER_ATTACK);
  }

  /** Fills a neighbour's address book with the coalition (once per connection). */
  private poison(peer: PeerNum): void {
    if (this.poisoned.has(peer)) return;
    this.poisoned.add(peer);
    const entries = this.coalition.members
      .filter((m) => m.peer !== this.api.self)
      .slice(0, 1000)
      .map((m) => ({ peer: m.peer, address: { host: m.address, port: 0 }, lastSeenS: 0 }));
    if (entries.length > 0) this.api.send(peer, { type: MsgType.Addr, entries });
  }

  /** Sends our false link claims (fresh timestamps, so they keep flooding and never age out). */
  private gossip(now: TimeUs, to: PeerNum): void {
    const self = this.api.self;
    const events: GmEvent[] = [];
    if (this.cfg.mesh) {
      const ms = this.coalition.members;
      const me = ms.findIndex((m) => m.peer === self);
      const half = Math.min(Math.floor(this.cfg.meshDegree / 2), Math.floor((ms.length - 1) / 2));
      for (let d = -half; d <= half && me >= 0; d++) {
        if (d === 0) continue;
        const m = ms[(me + d + ms.length) % ms.length];
        this.coalition.meshLinks.add(self < m.peer ? `${self}|${m.peer}` : `${m.peer}|${self}`);
        // Lower number dials: opposite directions on the two ends, as a real link would have.
        events.push({ kind: EV_CONNECT, direction: self < m.peer ? DIR_OUT : DIR_IN, origin: self, peer: m.peer, timestampUs: now, ttl: this.cfg.ttl });
      }
    }
    for (const h of this.targets()) {
      events.push({ kind: EV_CONNECT, direction: DIR_OUT, origin: self, peer: h, timestampUs: now, ttl: this.cfg.ttl });
    }
    const seal = this.seal;
    for (let i = 0; i < events.length; i += 256) {
      const chunk = events.slice(i, i + 256);
      this.api.send(to, seal ? { type: MsgType.GmEvents, events: chunk.map(seal), signed: true } : { type: MsgType.GmEvents, events: chunk });
    }
  }

  private targets(): PeerNum[] {
    if (this.falseTargets.length === 0 && this.cfg.falseLinks > 0) {
      const honest = this.honestPeers();
      for (let i = 0; i < this.cfg.falseLinks && honest.length > 0; i++) {
        const h = honest[this.api.rng.int(honest.length)];
        this.falseTargets.push(h);
        this.coalition.falseHonestLinks.add(`${this.api.self}|${h}`);
      }
    }
    return this.falseTargets;
  }
}
