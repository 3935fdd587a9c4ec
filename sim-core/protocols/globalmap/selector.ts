import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { NodeApi } from '../node/app.ts';
import type { Address } from '../../sans-io/protocol.ts';
import type { GlobalmapDeps } from './deps.ts';
import { decodeContact, encodeContact, PAYLOAD_ANSWER, PAYLOAD_OFFER, REACH_REACHABLE, REACH_RELAY, type DirectedRouter } from './directed.ts';
import { SERVICE_REACHABLE, SERVICE_RELAY } from '../node/app.ts';
import type { LinkInfo, SelectionView } from './selection.ts';
import type { GlobalmapStats } from './stats.ts';

/** A connection attempt we are waiting on (dial or offer). */
interface Pending {
  peer: PeerNum;
  sinceUs: TimeUs;
}

/** Attempts older than this are given up on. */
const PENDING_TIMEOUT_US = 30_000_000;
/** Bound on the cool-down list. */
const MAX_COOLDOWN = 4096;
/** Candidate samples up to this size dedupe by a scan of the sample itself. */
const SMALL_SAMPLE = 64;

/**
 * G3 driven over time: every selection round a peer below its target dials
 * the best-ranked candidates; above target + slack it lets its worst
 * kickable link go; at target it replaces its worst link at most once per
 * replace interval and only when a candidate beats it by the kick margin
 * (hysteresis: dial the better one, drop the worst once it is up). Links
 * younger than the minimum age are never kicked, so the topology settles
 * instead of flapping. A candidate with no known address gets a connection
 * offer through a directed message.
 */
export class Selector {
  private readonly cooldown = new Map<PeerNum, TimeUs>();
  private readonly pendingDials = new Map<Address, Pending>();
  private readonly pendingOffers = new Map<PeerNum, TimeUs>();
  /** Coordinated punches in flight: if one fails we try a relay. */
  private readonly pendingPunches = new Map<Address, PeerNum>();
  /** Peers a direct dial could not reach (behind a NAT): reached through offers from now on. */
  private readonly unreachable = new Set<PeerNum>();
  /** The link to drop once the better candidate we are dialling is up. */
  private replacing: PeerNum | undefined;
  private nextReplaceUs = 0;
  /** This node is a bootstrap node under bootstrap.mesh. */
  private readonly meshMember: boolean;

  constructor(
    private readonly api: NodeApi,
    private readonly deps: GlobalmapDeps,
    private readonly stats: GlobalmapStats,
    private readonly links: ReadonlyMap<PeerNum, LinkInfo>,
    private readonly router: DirectedRouter,
  ) {
    this.meshMember = deps.cfg.bootstrapMesh && deps.bootstrap.includes(api.address);
  }

  select(now: TimeUs): void {
    this.expirePending(now);
    const cfg = this.deps.cfg;
    const degree = this.links.size;
    const view = this.view(now);
    if (degree > cfg.targetDegree + cfg.degreeSlack) {
      const worst = this.deps.strategy.worst(view, this.kickable(now));
      if (worst) this.kick(worst.peer, 'too many neighbours');
      return;
    }
    if (this.meshMember) this.meshBootstrap(now);
    const inFlight = this.pendingDials.size + this.pendingOffers.size;
    const want = cfg.targetDegree - degree - inFlight;
    const candidates = this.candidates(now);
    // At target with no replacement due, the ranking would be thrown away: skip it if that changes nothing.
    const replaceBlocked = inFlight > 0 || this.replacing !== undefined || now < this.nextReplaceUs;
    const strategy = this.deps.strategy;
    const pure = strategy.rankIsPure === true;
    if (want <= 0 && replaceBlocked && (degree > 0 || inFlight > 0) && pure) return;
    // At target with a replacement due: a pure strategy's shortcut makes rank+worst's decision without ranking everyone.
    if (want <= 0 && !replaceBlocked && pure && strategy.replacement) {
      const r = candidates.length > 0 ? strategy.replacement(view, this.kickable(now), candidates, cfg.kickMargin) : undefined;
      if (r) this.replaceWith(now, r.drop.peer, r.add.peer);
      return;
    }
    const ranked = this.deps.strategy.rank(view, candidates);
    if (degree === 0 && inFlight === 0 && ranked.length === 0) return this.dialBootstrap(now);
    if (want > 0) {
      for (const c of ranked.slice(0, want)) this.connect(now, c.peer);
      return;
    }
    // At target: replace the most redundant link, rarely, and only for a clearly better candidate.
    if (replaceBlocked || ranked.length === 0) return;
    const worst = this.deps.strategy.worst(view, this.kickable(now));
    if (worst && ranked[0].score + cfg.kickMargin <= worst.score) this.replaceWith(now, worst.peer, ranked[0].peer);
  }

  /** Dials the better candidate; `drop` goes once it is up. */
  private replaceWith(now: TimeUs, drop: PeerNum, add: PeerNum): void {
    this.stats.replacements++;
    this.replacing = drop;
    this.nextReplaceUs = now + this.deps.cfg.replaceIntervalUs;
    this.connect(now, add);
  }

  onLinkUp(peer: PeerNum, address: Address | undefined): void {
    const wasPending = this.pendingOffers.has(peer) || (address !== undefined && this.pendingDials.has(address));
    if (wasPending && this.replacing !== undefined && this.links.has(this.replacing)) {
      this.kick(this.replacing, 'replaced by a better neighbour');
      this.replacing = undefined;
    }
    this.pendingOffers.delete(peer);
    if (address !== undefined) this.pendingDials.delete(address);
    for (const [a, p] of this.pendingDials) if (p.peer === peer) this.pendingDials.delete(a);
  }

  onLinkDown(peer: PeerNum, _now: TimeUs): void {
    if (this.replacing === peer) this.replacing = undefined;
  }

  private kick(peer: PeerNum, reason: string): void {
    this.stats.kicks++;
    this.api.disconnect(peer, reason);
  }

  onDialFailed(now: TimeUs, address: Address): void {
    const punched = this.pendingPunches.get(address);
    if (punched !== undefined) {
      this.pendingPunches.delete(address);
      this.stats.punchFailures++;
      return this.tryRelay(now, address, punched);
    }
    const p = this.pendingDials.get(address);
    if (!p) return;
    this.pendingDials.delete(address);
    this.stats.dialsFailed++;
    if (p.peer >= 0) {
      this.coolDown(p.peer, now);
      if (this.unreachable.size < MAX_COOLDOWN) this.unreachable.add(p.peer);
    }
  }

  /**
   * A directed message reached us. An offer: the sender wants a link. If it
   * can be dialled we dial it; if only we can be, we answer "dial me"; if
   * neither, we punch (the offer exchange was the rendezvous), then relay.
   */
  onDirected(now: TimeUs, source: PeerNum, kind: number, payload: Uint8Array, from: PeerNum = source): void {
    const contact = decodeContact(payload);
    if (!contact || source === this.api.self) return;
    if (kind === PAYLOAD_ANSWER && this.deps.cfg.security === 'signed' && !this.pendingOffers.has(source)) return this.unsolicitedAnswer(source, from);
    this.api.learnAddress(contact.address, source, now);
    if (kind === PAYLOAD_ANSWER) {
      if (this.api.dial(contact.address)) this.pendingDials.set(contact.address, { peer: source, sinceUs: now });
      return;
    }
    if (kind !== PAYLOAD_OFFER) return;
    if (this.links.has(source) || this.links.size >= this.deps.cfg.targetDegree + this.deps.cfg.degreeSlack) {
      this.stats.offersDeclined++;
      return;
    }
    this.stats.offersAccepted++;
    if ((contact.flags & REACH_REACHABLE) !== 0) {
      if (this.api.dial(contact.address)) this.pendingDials.set(contact.address, { peer: source, sinceUs: now });
    } else if (this.api.reachability().reachable) {
      this.router.send(source, PAYLOAD_ANSWER, this.myContact());
      this.stats.answersSent++;
    } else if (this.api.punch(contact.address)) {
      this.stats.punchAttempts++;
      this.pendingPunches.set(contact.address, source);
    }
  }

  /**
   * Signed map: an answer to an offer we did not make would steer our dial
   * and rebind `source` to an address of the sender's choice. Ignored; its
   * deliverer pays only when it is the claimed source (relays cannot tell).
   */
  private unsolicitedAnswer(source: PeerNum, from: PeerNum): void {
    this.stats.unsolicitedAnswers++;
    if (from === source) this.api.offence(from, 'unsolicited-answer');
  }

  /** A punch failed: try a circuit through one of our neighbours that relays. */
  private tryRelay(now: TimeUs, address: Address, peer: PeerNum): void {
    for (const n of this.links.keys()) {
      const services = this.api.peerServices(n) ?? 0;
      const relay = this.api.addressOf(n);
      if ((services & SERVICE_RELAY) === 0 || (services & SERVICE_REACHABLE) === 0 || relay === undefined) continue;
      if (this.api.dialViaRelay(address, relay)) {
        this.stats.relayAttempts++;
        this.pendingDials.set(address, { peer, sinceUs: now });
      }
      return;
    }
    this.coolDown(peer, now);
  }

  private myContact(): Uint8Array {
    const r = this.api.reachability();
    return encodeContact(this.api.address, (r.reachable ? REACH_REACHABLE : 0) | (r.relay ? REACH_RELAY : 0));
  }

  /**
   * bootstrap.mesh: a bootstrap node dials one other bootstrap node it has no
   * link to (nor a dial in flight) per round. Without it, lone bootstrap nodes
   * each dial one at random and can close two separate groups that nothing
   * ever joins again.
   */
  private meshBootstrap(now: TimeUs): void {
    const self = this.api.address;
    for (const a of this.deps.bootstrap) {
      if (a === self || this.pendingDials.has(a) || this.linkedTo(a)) continue;
      if (this.api.dial(a)) {
        this.stats.dialsAttempted++;
        this.pendingDials.set(a, { peer: -1, sinceUs: now });
      }
      return;
    }
  }

  private linkedTo(address: Address): boolean {
    for (const n of this.links.keys()) if (this.api.addressOf(n) === address) return true;
    return false;
  }

  /** A link this node never kicks: between two bootstrap nodes, under bootstrap.mesh. */
  private isMeshLink(peer: PeerNum): boolean {
    if (!this.meshMember) return false;
    const a = this.api.addressOf(peer);
    return a !== undefined && this.deps.bootstrap.includes(a);
  }

  /** Alone: dial a bootstrap node (the node's backoff keeps this from hammering them). */
  private dialBootstrap(now: TimeUs): void {
    const options = this.deps.bootstrap.filter((a) => a !== this.api.address);
    if (options.length === 0) return;
    const address = options[this.api.rng.int(options.length)];
    if (this.api.dial(address)) {
      this.stats.dialsAttempted++;
      this.pendingDials.set(address, { peer: -1, sinceUs: now });
    }
  }

  private connect(now: TimeUs, peer: PeerNum): void {
    const address = this.api.addressOf(peer);
    if (address !== undefined && !this.unreachable.has(peer)) {
      if (this.api.dial(address)) {
        this.stats.dialsAttempted++;
        this.pendingDials.set(address, { peer, sinceUs: now });
      } else this.coolDown(peer, now);
      return;
    }
    if (this.router.send(peer, PAYLOAD_OFFER, this.myContact())) {
      this.stats.offersSent++;
      this.pendingOffers.set(peer, now);
    }
    this.coolDown(peer, now); // whether or not it answers, try others before coming back
  }

  /**
   * A random sample of eligible peers: from the map (origins it holds) and
   * from the address book (addr gossip), so a peer whose map is still empty
   * can already choose.
   */
  private candidates(now: TimeUs): PeerNum[] {
    const out: PeerNum[] = [];
    const n = this.deps.cfg.candidateSample;
    // Small samples (the default 48) dedupe by scanning `out`, no allocation; large ones need a Set to stay linear.
    const seen = n > SMALL_SAMPLE ? new Set<PeerNum>() : undefined;
    const store = this.deps.store;
    if (store && store.originsWithRecords > 0) {
      for (let i = 0; i < n * 2 && out.length < n; i++) this.take(out, n, store.originAt(this.api.rng.int(store.originsWithRecords)), now, seen);
    }
    if (out.length < n) for (const p of this.api.samplePeers(n)) this.take(out, n, p, now, seen);
    return out;
  }

  /** Adds p if there is room, it is new and eligible. */
  private take(out: PeerNum[], n: number, p: PeerNum, now: TimeUs, seen: Set<PeerNum> | undefined): void {
    if (out.length >= n || (seen ? seen.has(p) : out.includes(p)) || !this.eligible(p, now)) return;
    seen?.add(p);
    out.push(p);
  }

  private eligible(p: PeerNum, now: TimeUs): boolean {
    if (p === this.api.self || this.links.has(p) || this.pendingOffers.has(p)) return false;
    const until = this.cooldown.get(p);
    return until === undefined || until <= now;
  }

  private kickable(now: TimeUs): PeerNum[] {
    const out: PeerNum[] = [];
    for (const [p, l] of this.links) if (now - l.sinceUs >= this.deps.cfg.minLinkAgeUs && !this.isMeshLink(p) && this.api.isAnchor?.(p) !== true) out.push(p);
    return out;
  }

  private view(now: TimeUs): SelectionView {
    return { self: this.api.self, now, neighbours: this.links, store: this.deps.store, rng: this.api.rng, scratch: this.deps.scratch, peerSpace: this.deps.peerSpace() };
  }

  private coolDown(peer: PeerNum, now: TimeUs): void {
    this.cooldown.delete(peer);
    this.cooldown.set(peer, now + this.deps.cfg.candidateCooldownUs);
    if (this.cooldown.size > MAX_COOLDOWN) this.cooldown.delete(this.cooldown.keys().next().value as PeerNum);
  }

  private expirePending(now: TimeUs): void {
    for (const [a, p] of this.pendingDials) if (now - p.sinceUs > PENDING_TIMEOUT_US) this.pendingDials.delete(a);
    for (const [p, t] of this.pendingOffers) if (now - t > PENDING_TIMEOUT_US) this.pendingOffers.delete(p);
    if (this.pendingPunches.size > MAX_COOLDOWN) this.pendingPunches.clear();
    if (this.replacing !== undefined && this.pendingDials.size + this.pendingOffers.size === 0) this.replacing = undefined;
  }
}
