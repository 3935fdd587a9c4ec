import { RngStreams, type Rng } from '../engine/rng.ts';
import { secondsToUs, usToSeconds, type TimeUs } from '../engine/time.ts';
import { resilienceMetrics } from '../metrics/resilience.ts';
import { csrFromEdges } from '../metrics/graph/csr.ts';
import { messageMetrics, snapshotCounters, steadyIntervals, type CounterSnapshot } from '../metrics/messages.ts';
import { World } from '../net/world.ts';
import type { PeerMapView, ProtocolDriver } from '../protocols/driver.ts';
import { createDriver } from './drivers.ts';
import { scheduleActions } from './faults.ts';
import { stepNoting, type SteppedEvent } from './step-log.ts';
import { Population } from './population.ts';
import type { ActionSpec } from './schema/actions.ts';
import type { Scenario } from './schema/index.ts';
import { buildUnderlay, type ScenarioUnderlay } from './underlay.ts';

/** Network group of an address: its AS when the underlay places hosts, else none (each address its own group). */
function netGroups(underlay: ScenarioUnderlay): ((address: number) => number) | undefined {
  const geo = underlay.hosts.geo;
  if (!geo) return undefined;
  const n = underlay.hosts.capacity;
  // AS indices are ≥ 0; an address past the placement is its own group (negative, so never an AS).
  return (a) => (a >= 0 && a < n ? geo.as[a] : -1 - a);
}

/**
 * Start time of each honest peer: `peers.waves` if given; otherwise the
 * bootstrap nodes at 0 (everyone is told to reach them) and the others
 * uniformly over [0, joinOverS].
 */
export function joinTimes(scenario: Scenario, rng: Rng): TimeUs[] {
  const out: TimeUs[] = [];
  const boot = Math.min(scenario.bootstrap.count, scenario.peers.count);
  const waves = scenario.peers.waves ?? [
    { count: boot, atS: 0, overS: 0 },
    { count: scenario.peers.count - boot, atS: 0, overS: scenario.peers.joinOverS },
  ];
  for (const w of waves) {
    const at = secondsToUs(w.atS);
    const span = secondsToUs(w.overS);
    for (let i = 0; i < w.count; i++) out.push(span > 0 ? at + rng.int(span + 1) : at);
  }
  return out;
}

/**
 * Adds the times at which mean map coverage (series `coverageMean`) first
 * reached 50% and 90% to `metrics.discovery` (null if never).
 */
function withDiscoveryTimes(sections: Record<string, unknown>, series: readonly SeriesPoint[]): Record<string, unknown> {
  if (!series.some((p) => typeof p.coverageMean === 'number')) return sections;
  const firstAt = (x: number) => series.find((p) => p.coverageMean >= x)?.tS ?? null;
  const discovery = (sections.discovery ?? {}) as Record<string, unknown>;
  return { ...sections, discovery: { timeTo50PctS: firstAt(0.5), timeTo90PctS: firstAt(0.9), ...discovery } };
}

/** One time-series point. */
export interface SeriesPoint {
  tS: number;
  messages: number;
  bytes: number;
  openConnections: number;
  [k: string]: number;
}

/** What a finished (or stopped) run reports; the CLI adds wall time and memory. */
export interface RunResult {
  scenario: string;
  seed: number;
  traceHash: string;
  peers: number;
  eventsProcessed: number;
  simulatedSeconds: number;
  /** 'completed', or why the run stopped early. */
  endReason: 'completed' | 'max-events' | 'stopped';
  metrics: Record<string, unknown>;
}

export interface Progress {
  nowUs: TimeUs;
  endUs: TimeUs;
  events: number;
}

/** The overlay over honest peers by index, as CSR (every link in both endpoints' lists). */
export interface OverlayView {
  n: number;
  /** Length n + 1. */
  offsets: Int32Array;
  targets: Int32Array;
  /** 1 when the peer is up. */
  alive: Uint8Array;
  /** Host address of each honest peer. */
  addresses: Int32Array;
}

/** Where hosts live, by address (all the hosts a run may create), when the scenario has a placement. */
export interface HostPlaces {
  lat: Float32Array;
  lon: Float32Array;
  /** Index into `continents`. */
  continent: Int8Array;
  /** Index into `cities`. */
  city: Int32Array;
  continents: string[];
  cities: { name: string; lat: number; lon: number }[];
}

/**
 * A scenario turned into a runnable world. The same class runs under the CLI,
 * in a worker_thread and in a browser Web Worker: advance it with `step` in
 * chunks (the caller owns the wall clock), then read `result()`.
 */
export class Simulation {
  readonly world: World<unknown>;
  readonly endUs: TimeUs;
  readonly rng: RngStreams;
  readonly series: SeriesPoint[] = [];
  /** Hosts' places, NATs, links and the fault chain (sim-core/net/underlay). */
  readonly underlay: ScenarioUnderlay;
  readonly population: Population;
  private readonly driver: ProtocolDriver<unknown>;
  private endReason: RunResult['endReason'] | undefined;
  /** Counters at the start of the steady-state window: the second half of the run, after the last initial join. */
  private steady: CounterSnapshot | undefined;

  constructor(readonly scenario: Scenario) {
    this.rng = new RngStreams(scenario.seed);
    this.endUs = secondsToUs(scenario.durationS);
    // The underlay first: the peer manager groups addresses by the AS it places hosts in (named streams: order-free).
    this.underlay = buildUnderlay(scenario, this.rng);
    this.driver = createDriver(scenario, this.rng, netGroups(this.underlay));
    this.world = new World<unknown>({
      rng: this.rng,
      latency: this.underlay.latency,
      transit: this.underlay.transit,
      sizer: this.driver.sizer,
      maxPendingEvents: scenario.limits.maxPendingEvents,
      dialTimeoutUs: secondsToUs(scenario.network.dialTimeoutS),
      ...lanOptions(scenario, this.underlay),
    });
    this.population = new Population(this.world, this.driver, this.underlay);
    const lastJoinUs = this.populate();
    this.scheduleSampling();
    const steadyUs = Math.max(lastJoinUs, Math.floor(this.endUs / 2));
    if (steadyUs < this.endUs) this.world.at(steadyUs, (w) => void (this.steady = snapshotCounters(w.counters, w.now)));
  }

  get done(): boolean {
    return this.endReason !== undefined;
  }

  get progress(): Progress {
    return { nowUs: this.world.now, endUs: this.endUs, events: this.world.scheduler.eventsProcessed };
  }

  /**
   * Runs at most `maxEvents` events, and none after `untilUs` (default: the
   * end of the run); returns true once the run is over. Chunking a run by
   * events or by time never changes it.
   */
  step(maxEvents: number, untilUs: TimeUs = this.endUs): boolean {
    if (this.endReason) return true;
    const sched = this.world.scheduler;
    const left = this.scenario.limits.maxEvents - sched.eventsProcessed;
    const until = Math.min(untilUs, this.endUs);
    const stop = sched.run(until, Math.min(maxEvents, left));
    if ((stop === 'until' || stop === 'empty') && until >= this.endUs) this.endReason = 'completed';
    else if (stop === 'stopped') this.endReason = 'stopped';
    else if (sched.eventsProcessed >= this.scenario.limits.maxEvents) this.endReason = 'max-events';
    if (this.endReason === 'completed') this.takeSample();
    return this.endReason !== undefined;
  }

  /** Runs one event and says what it was (the dashboard's step log); undefined when none ran. */
  stepOneNoting(): SteppedEvent | undefined {
    const nameOf = (address: number) => {
      const i = this.population.addressOf.indexOf(address);
      return i >= 0 ? `peer ${i}` : `host ${address}`;
    };
    return stepNoting(this.world.scheduler, this.world, () => this.step(1), (t) => this.typeName(t), nameOf);
  }

  /** Runs to the end in one go. */
  runToEnd(): RunResult {
    while (!this.step(1 << 20));
    return this.result();
  }

  get traceHash(): string {
    return this.world.scheduler.trace.hex();
  }

  // ---- observers (the dashboard): these read the world and never schedule or draw ----

  /** The overlay now: the protocol's own view when it has one, else open connections between honest peers. */
  overlay(): OverlayView | undefined {
    const snap = this.driver.snapshot?.(this.world);
    if (snap) {
      const g = snap.graph;
      return { n: g.n, offsets: g.offsets, targets: g.targets, alive: g.alive ?? new Uint8Array(g.n).fill(1), addresses: Int32Array.from(snap.addresses) };
    }
    const addresses = Int32Array.from(this.population.addressOf);
    const n = addresses.length;
    const indexOf = new Map<number, number>();
    addresses.forEach((a, i) => indexOf.set(a, i));
    const alive = new Uint8Array(n);
    const ea: number[] = [];
    const eb: number[] = [];
    const c = this.world.conns;
    for (let i = 0; i < n; i++) {
      if (!this.world.isUp(addresses[i])) continue;
      alive[i] = 1;
      for (const conn of this.world.connectionsOf(addresses[i])) {
        const slot = c.slotOf(conn);
        if (slot < 0) continue;
        const j = indexOf.get(c.hostOf(slot, 1 - (conn % 2)));
        if (j !== undefined && j !== i) {
          ea.push(i);
          eb.push(j);
        }
      }
    }
    const g = csrFromEdges(n, Int32Array.from(ea), Int32Array.from(eb), ea.length, alive);
    return { n, offsets: g.offsets, targets: g.targets, alive, addresses };
  }

  /** Honest peer `index` as a plain object (the dashboard's inspector): the protocol's view plus its place and message counts. */
  peer(index: number): Record<string, unknown> | undefined {
    const address = this.population.addressOf[index];
    if (address === undefined) return undefined;
    const own = this.driver.inspect?.(this.world, index) ?? this.genericPeer(index, address);
    const geo = this.underlay.hosts.geo;
    const place = geo ? { city: geo.cityName(address), country: geo.countryName(address), continent: geo.continentName(address) } : undefined;
    const log = this.world.messageLog;
    const messages = log ? { sent: log.sentBy[address] ?? 0, delivered: log.deliveredTo[address] ?? 0 } : undefined;
    return { ...own, ...(place && { place }), ...(messages && { messages }) };
  }

  /** A peer as any protocol shows it: liveness and its open connections to other honest peers. */
  private genericPeer(index: number, address: number): Record<string, unknown> {
    const ov = this.overlay();
    const neighbours = ov ? Array.from(ov.targets.subarray(ov.offsets[index], ov.offsets[index + 1])) : [];
    return { index, address, up: this.world.isUp(address), neighbours };
  }

  /** What honest peer `index`'s map says of the overlay (protocols that keep a map), or undefined. Reads only. */
  peerMap(index: number): PeerMapView | undefined {
    return this.population.addressOf[index] === undefined ? undefined : this.driver.peerMap?.(this.world, index);
  }

  /** Honest peer `index`'s app (node protocols), for observers reading its state; undefined otherwise. Never act on it: the run would change. */
  peerApp(index: number): unknown {
    return this.population.addressOf[index] === undefined ? undefined : this.driver.app?.(index);
  }

  /** Places of every host the run may create, by address; undefined without a placement. */
  hostPlaces(): HostPlaces | undefined {
    const geo = this.underlay.hosts.geo;
    if (!geo) return undefined;
    const n = this.underlay.capacity;
    const d = geo.dataset;
    const out: HostPlaces = {
      lat: new Float32Array(n),
      lon: new Float32Array(n),
      continent: new Int8Array(n),
      city: geo.city.slice(0, n),
      continents: [...d.continents],
      cities: d.cities.map((c) => ({ name: c.name, lat: c.lat, lon: c.lon })),
    };
    for (let h = 0; h < n; h++) {
      const city = d.cities[geo.city[h]];
      out.lat[h] = city.lat;
      out.lon[h] = city.lon;
      out.continent[h] = geo.continent[h];
    }
    return out;
  }

  /** Name of a message type (the message log records type numbers). */
  typeName(type: number): string {
    return this.driver.sizer.typeName(type);
  }

  /**
   * Adds a scenario action while the run is under way (the dashboard's fault
   * buttons) and schedules it exactly as the runner schedules the file's
   * actions, so a scenario listing it replays this run. Its time must be
   * after now, and for the replay to match event for event no event may be
   * pending at exactly that time (in the replay the action, scheduled at
   * construction, would run before such an event; here after it): advance
   * with `step(…, atUs - 1)` and check `world.scheduler.nextTime()` first.
   * The action is appended to `scenario.actions` (so the scenario describes
   * the run); validate it against the whole scenario first.
   */
  addAction(action: ActionSpec): void {
    const atUs = secondsToUs(action.atS);
    if (!(atUs > this.world.now)) throw new RangeError(`action at ${action.atS} s is not after now (${usToSeconds(this.world.now)} s)`);
    if (this.endReason) throw new Error('the run is over');
    const index = this.scenario.actions.length;
    this.scenario.actions.push(action);
    // A sparse list holding only this action at its index: scheduleActions visits it alone, with the index a replay gives it.
    const only: ActionSpec[] = [];
    only[index] = action;
    scheduleActions(this.world, { ...this.scenario, actions: only }, this.underlay, this.rng, (i) => this.driver.app?.(i));
  }

  result(): RunResult {
    const seconds = usToSeconds(this.world.now);
    const peers = this.scenario.peers.count;
    return {
      scenario: this.scenario.name,
      seed: this.scenario.seed,
      traceHash: this.traceHash,
      peers,
      eventsProcessed: this.world.scheduler.eventsProcessed,
      simulatedSeconds: seconds,
      endReason: this.endReason ?? 'stopped',
      metrics: {
        messages: { ...messageMetrics(this.world.counters, this.driver.sizer, peers, seconds, this.steady), ...(this.steady ? steadyIntervals(this.series, this.steady.tUs / 1e6, peers) : {}) },
        connections: this.connectionMetrics(),
        ...withDiscoveryTimes(this.driver.finalMetrics(this.world), this.series),
        underlay: { ...this.underlay.metrics(this.world), churn: this.population.metrics() },
        resilience: resilienceMetrics(this.series, this.underlay.timeline),
        series: this.series,
      },
    };
  }

  private connectionMetrics() {
    const c = this.world.counters;
    return {
      dials: c.dials,
      dialFailures: c.dialFailures,
      opened: c.connectionsOpened,
      closed: c.connectionsClosed,
      openAtEnd: this.world.conns.active,
      tableFull: c.connectionTableFull,
    };
  }

  /** Honest peers are hosts 0..count-1, started by the join schedule; adversaries follow. */
  private populate(): TimeUs {
    const starts = joinTimes(this.scenario, this.rng.stream('scenario/join'));
    for (let i = 0; i < this.scenario.peers.count; i++) this.population.addHonest(starts[i]);
    const lastJoinUs = starts.reduce((a, b) => Math.max(a, b), 0);
    let ordinal = 0;
    for (const spec of this.scenario.adversaries) {
      const create = this.driver.createAdversary;
      if (!create) throw new Error(`protocol ${this.driver.name} has no adversaries`);
      for (let j = 0; j < spec.count; j++, ordinal++) {
        const o = ordinal;
        const address = this.world.addHost((ctx) => create(ctx, spec, o));
        this.world.checkSends(address); // an attacker's messages must still have an encoding
        this.world.startAt(address, secondsToUs(spec.startS));
      }
    }
    this.population.scheduleEvents(this.scenario, starts, this.endUs, this.rng);
    return lastJoinUs;
  }

  private scheduleSampling(): void {
    const everyUs = secondsToUs(this.scenario.metrics.sampleEveryS);
    const tick = () => {
      this.takeSample();
      const next = this.world.now + everyUs;
      if (next < this.endUs) this.world.at(next, tick);
    };
    this.world.at(0, tick);
  }

  private takeSample(): void {
    const now = usToSeconds(this.world.now);
    const last = this.series[this.series.length - 1];
    if (last && last.tS === now) return;
    const c = this.world.counters;
    this.series.push({
      tS: now,
      messages: c.totalSent(),
      bytes: c.totalBytes(),
      openConnections: this.world.conns.active,
      ...this.underlay.sample(this.world),
      ...this.driver.sample(this.world),
    });
  }
}

/** The World's LAN segments from `network.lan`: one for all hosts, or one per city. */
function lanOptions(scenario: Scenario, underlay: ScenarioUnderlay): { lanSegmentOf?: (host: number) => number; lanMaxRecipients?: number } {
  const lan = scenario.network.lan;
  if (lan.segment === 'none') return {};
  const geo = underlay.hosts.geo;
  if (lan.segment === 'city') {
    if (!geo) throw new Error('network.lan.segment city: hosts were not placed (needsPlacement should have placed them)');
    return { lanSegmentOf: (h) => (h < geo.count ? geo.city[h] : -1), lanMaxRecipients: lan.maxRecipients };
  }
  return { lanSegmentOf: () => 0, lanMaxRecipients: lan.maxRecipients };
}
