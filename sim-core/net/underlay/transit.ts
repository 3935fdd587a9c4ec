import type { TimeUs } from '../../engine/time.ts';
import { OPEN_DIAL, OPEN_PUNCH, OPEN_RELAY, type OpenMode } from '../connections.ts';
import type { Transit } from '../world-types.ts';
import type { Bandwidth } from './bandwidth.ts';
import type { UnderlayHosts } from './hosts.ts';
import type { Impairments } from './impairments.ts';
import { HolePunch, NAT_PUBLIC } from './nat.ts';
import { Partitions } from './partitions.ts';
import type { RelayModel } from './relay.ts';

/**
 * A rule of the chain, turmoil style: given a packet and the time t it has
 * reached so far, return t (pass), a later time (deliver later: the rest of
 * the chain still applies) or -1 (drop). Called on every packet: no
 * allocation, no closures.
 */
export interface UnderlayRule {
  readonly name: string;
  apply(from: number, to: number, size: number, t: TimeUs, via: number): TimeUs;
}

/** Built-in rules, in their default order. */
export const RULE_UPLOAD = 1; // sender's upload link: FIFO, serialisation, drop-tail
export const RULE_PARTITION = 2; // cuts in force (both legs of a relayed packet)
export const RULE_LOSS = 3; // per-pair or global loss
export const RULE_PROPAGATION = 4; // the latency model's one-way delay (given by the World)
export const RULE_DELAY = 5; // extra delay per continent pair
export const RULE_DOWNLOAD = 6; // receiver's download link: FIFO over the senders' clock, serialisation, drop-tail
const RULE_CUSTOM = 7;
export const DEFAULT_CHAIN = [RULE_UPLOAD, RULE_PARTITION, RULE_LOSS, RULE_PROPAGATION, RULE_DELAY, RULE_DOWNLOAD] as const;

export const DROP_CAUSES = ['partition', 'uploadQueue', 'loss', 'downloadQueue', 'custom'] as const;
const DROP_PARTITION = 0;
const DROP_UPLOAD = 1;
const DROP_LOSS = 2;
const DROP_DOWNLOAD = 3;
const DROP_CUSTOM = 4;

/** Dial outcomes, by how the connection came to be. */
export const DIAL_KINDS = ['direct', 'upnp', 'punched', 'relayed', 'failed'] as const;
const KIND_DIRECT = 0;
const KIND_UPNP = 1;
const KIND_PUNCHED = 2;
const KIND_RELAYED = 3;
const KIND_FAILED = 4;

export interface UnderlayTransitOptions {
  hosts: UnderlayHosts;
  punch: HolePunch;
  bandwidth?: Bandwidth;
  impairments?: Impairments;
  relays?: RelayModel;
}

/**
 * The underlay as the World's Transit: an ordered chain of rules applied to
 * every packet (see DEFAULT_CHAIN), plus the dial-time checks (NAT, hole
 * punching, relays) and the counters behind `metrics.underlay`. Rules that
 * the scenario does not use are left out of the chain, so an unimpaired run
 * pays one loop over the partition check and the propagation step.
 */
export class UnderlayTransit implements Transit {
  readonly hosts: UnderlayHosts;
  readonly partitions: Partitions;
  readonly punches: HolePunch;
  readonly bandwidth: Bandwidth | undefined;
  readonly impairments: Impairments | undefined;
  readonly relays: RelayModel | undefined;
  /** Packets dropped, by DROP_CAUSES index. */
  readonly drops = new Float64Array(DROP_CAUSES.length);
  /** Connection attempts by outcome (DIAL_KINDS index), and failures by attempt mode (OPEN_*). */
  readonly outcomes = new Float64Array(DIAL_KINDS.length);
  readonly failedByMode = new Float64Array(3);
  /** Dials refused at once because the target is behind a NAT without UPnP. */
  blockedByNat = 0;
  /** Punches and relay circuits refused because a cut separates the hosts. */
  blockedByPartition = 0;
  private chain: Uint8Array;
  private custom: (UnderlayRule | undefined)[];
  /** Only the partition check and propagation: with no cut in force, a packet costs one addition. */
  private plain: boolean;

  constructor(o: UnderlayTransitOptions) {
    this.hosts = o.hosts;
    this.partitions = new Partitions(o.hosts.capacity);
    this.punches = o.punch;
    this.bandwidth = o.bandwidth;
    this.impairments = o.impairments;
    this.relays = o.relays;
    const used = DEFAULT_CHAIN.filter(
      (r) =>
        ((r === RULE_UPLOAD || r === RULE_DOWNLOAD) && o.bandwidth !== undefined) ||
        (r === RULE_LOSS && o.impairments?.hasLoss) ||
        (r === RULE_DELAY && o.impairments?.hasDelay) ||
        r === RULE_PARTITION ||
        r === RULE_PROPAGATION,
    );
    this.chain = Uint8Array.from(used);
    this.custom = used.map(() => undefined);
    this.plain = used.length === 2;
  }

  /** The chain in order, by name (for the run header and tests). */
  describeChain(): string[] {
    const names = ['', 'upload', 'partition', 'loss', 'propagation', 'extraDelay', 'download'];
    return Array.from(this.chain, (k, i) => (k === RULE_CUSTOM ? `custom:${this.custom[i]!.name}` : names[k]));
  }

  /** Inserts a rule (adversary models, false link events…) before built-in rule `before` (default: at the end). */
  addRule(rule: UnderlayRule, before?: number): void {
    let at = before === undefined ? this.chain.length : this.chain.indexOf(before);
    if (at < 0) at = this.chain.length;
    const kinds = Array.from(this.chain);
    kinds.splice(at, 0, RULE_CUSTOM);
    this.custom.splice(at, 0, rule);
    this.chain = Uint8Array.from(kinds);
    this.plain = false;
  }

  arrival(from: number, to: number, size: number, departUs: TimeUs, latencyUs: number, via: number): TimeUs {
    if (this.plain && this.partitions.active === 0) return departUs + latencyUs;
    const chain = this.chain;
    let t = departUs;
    let sent = departUs; // when the last byte left the sender's uplink: the downlink's clock (see Bandwidth)
    for (let i = 0; i < chain.length; i++) {
      switch (chain[i]) {
        case RULE_UPLOAD:
          t = sent = this.bandwidth!.upload(from, size, t);
          if (t < 0) return this.drop(DROP_UPLOAD);
          break;
        case RULE_PARTITION:
          if (this.partitions.active > 0 && this.cut(from, to, via)) return this.drop(DROP_PARTITION);
          break;
        case RULE_LOSS:
          t = this.impairments!.applyLoss(from, to, t);
          if (t < 0) return this.drop(DROP_LOSS);
          break;
        case RULE_PROPAGATION:
          t += latencyUs;
          break;
        case RULE_DELAY:
          t += this.impairments!.delayUs(from, to);
          break;
        case RULE_DOWNLOAD: {
          const wait = this.bandwidth!.downloadDelay(to, size, sent);
          if (wait < 0) return this.drop(DROP_DOWNLOAD);
          t = Math.ceil(t + wait);
          break;
        }
        default:
          t = this.custom[i]!.apply(from, to, size, t, via);
          if (t < 0) return this.drop(DROP_CUSTOM);
      }
    }
    return t;
  }

  canDial(from: number, to: number): boolean {
    if (from === to || this.hosts.reachable(to)) return true;
    this.blockedByNat++;
    return false;
  }

  canPunch(a: number, b: number): boolean {
    if (this.partitions.active > 0 && (this.partitions.cuts(a, b) || this.partitions.cuts(b, a))) {
      this.blockedByPartition++;
      return false;
    }
    return this.punches.attempt(this.punchType(a), this.punchType(b));
  }

  reachability(h: number): { reachable: boolean; relay: boolean } {
    return { reachable: this.hosts.reachable(h), relay: this.relays?.isRelay[h] === 1 };
  }

  canRelay(from: number, to: number, relay: number): boolean {
    if (!this.relays) return false;
    if (this.partitions.active > 0 && (this.cut(from, to, relay) || this.cut(to, from, relay))) {
      this.blockedByPartition++;
      return false;
    }
    return this.relays.acquire(relay);
  }

  releaseRelay(relay: number): void {
    this.relays?.release(relay);
  }

  dialOutcome(from: number, to: number, mode: OpenMode, opened: boolean): void {
    if (!opened) {
      this.outcomes[KIND_FAILED]++;
      this.failedByMode[mode]++;
    } else if (mode === OPEN_PUNCH) this.outcomes[KIND_PUNCHED]++;
    else if (mode === OPEN_RELAY) this.outcomes[KIND_RELAYED]++;
    else this.outcomes[from === to || this.hosts.nat[to] === NAT_PUBLIC ? KIND_DIRECT : KIND_UPNP]++;
  }

  /** Counters for `metrics.underlay` (plain numbers). */
  metrics(): Record<string, unknown> {
    const byName = <T extends readonly string[]>(names: T, a: Float64Array) => Object.fromEntries(names.map((n, i) => [n, a[i]]));
    return {
      chain: this.describeChain(),
      dials: {
        ...byName(DIAL_KINDS, this.outcomes),
        failedByAttempt: { dial: this.failedByMode[OPEN_DIAL], punch: this.failedByMode[OPEN_PUNCH], relay: this.failedByMode[OPEN_RELAY] },
        blockedByNat: this.blockedByNat,
        blockedByPartition: this.blockedByPartition,
        punchAttempts: this.punches.attempts,
        punchSuccesses: this.punches.successes,
        relayCircuits: this.relays?.circuits ?? 0,
        relayRefused: this.relays?.refused ?? 0,
      },
      dropped: byName(DROP_CAUSES, this.drops),
      retransmits: this.impairments?.retransmits ?? 0,
    };
  }

  /** Drop counts by cause (for time series). */
  dropCounts(): Record<string, number> {
    return Object.fromEntries(DROP_CAUSES.map((n, i) => [n, this.drops[i]]));
  }

  /** NAT type for punching: a UPnP mapping makes the host behave as public. */
  private punchType(h: number): number {
    return this.hosts.upnp[h] === 1 ? NAT_PUBLIC : this.hosts.nat[h];
  }

  private cut(from: number, to: number, via: number): boolean {
    const p = this.partitions;
    return via < 0 ? p.cuts(from, to) : p.cuts(from, via) || p.cuts(via, to);
  }

  private drop(cause: number): number {
    this.drops[cause]++;
    return -1;
  }
}
