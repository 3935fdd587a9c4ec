import { RngStreams } from '../../engine/rng.ts';
import { secondsToUs, usToSeconds, type TimeUs } from '../../engine/time.ts';
import { messageMetrics, snapshotCounters, type CounterSnapshot } from '../../metrics/messages.ts';
import type { World } from '../../net/world.ts';
import type { HostContext } from '../../net/world-types.ts';
import type { ProtocolDriver } from '../../protocols/driver.ts';
import type { PeerProtocol } from '../../sans-io/protocol.ts';
import { createDriver } from '../../scenario/drivers.ts';
import type { Scenario } from '../../scenario/schema/index.ts';
import { joinTimes, type RunResult, type SeriesPoint } from '../../scenario/simulation.ts';
import { buildUnderlay, type ScenarioUnderlay } from '../../scenario/underlay.ts';
import { checkLiveLimits } from './limits.ts';
import { LiveNet } from './live-net.ts';
import { StarvationMonitor, type StarvationBlock } from './starvation.ts';

/** What `peermap live` reports: a run's result, with "mode": "live" and what the live run could not do. */
export interface LiveResult extends RunResult {
  mode: 'live';
  live: {
    /** Scenario actions with no loopback meaning (skipped), by index and kind. */
    skippedActions: string[];
    protocolErrors: number;
    /** Accepted sockets that no peer of this run had dialled. */
    foreignAccepted: number;
    /** One-way delay added per pair from the scenario's latency model, or none. */
    latency: string;
    /** Most a time-series sample ran after its time, s: how far the event loop fell behind (CPU-bound or starved). */
    sampleLateMaxS: number;
    /** Sockets still open after the end (0 unless something leaked). */
    socketsOpenAtEnd: number;
    /** How far the event loop fell behind, and the CPU it had (starvation.ts): tells a starved run from a protocol difference. */
    starvation: StarvationBlock;
    /** Ed25519 implementation the run signed with: 'openssl' (node:crypto, `peermap live`) or 'noble' (pure JS, as the simulator). */
    signer: string;
    /** Worker threads the peers ran in (1: all in this thread). */
    workers: number;
  };
}

export interface LiveRunOptions {
  /** Add the scenario's per-pair one-way delay to every chunk (default: loopback as is). */
  latency?: boolean;
  /** Recorded in the result: which Ed25519 the process signs with (the caller installs it). */
  signer?: string;
  /** This run is worker `index` of `of`: it runs the hosts with address % of === index, the others are remote (live-workers.ts). */
  part?: { index: number; of: number };
  /** With `part`: called at each sample time instead of the driver's sample (the coordinator computes the figures). */
  onSample?: (dueUs: TimeUs) => void;
  log?: (line: string) => void;
}

/** Network group of an address, as the simulator computes it (its AS when hosts are placed). */
function netGroups(underlay: ScenarioUnderlay): ((address: number) => number) | undefined {
  const geo = underlay.hosts.geo;
  if (!geo) return undefined;
  const n = underlay.hosts.capacity;
  return (a) => (a >= 0 && a < n ? geo.as[a] : -1 - a);
}

/**
 * A scenario's peers on real sockets, in this process: the same driver, the
 * same seeded streams and join schedule as `Simulation`, a LiveNet instead of
 * the World. Time is the wall clock (1 simulated second = 1 second).
 */
export class LiveRun {
  readonly net: LiveNet;
  readonly series: SeriesPoint[] = [];
  readonly driver: ProtocolDriver<unknown>;
  /** Host address of each honest peer, by index. */
  readonly addresses: number[] = [];
  private readonly rng: RngStreams;
  private readonly underlay: ScenarioUnderlay;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly skipped: string[] = [];
  private readonly cuts = new Map<string, { a: Uint8Array; b: Uint8Array; oneWay: boolean }>();
  private steady: CounterSnapshot | undefined;
  private endUs: TimeUs = 0;
  /** Net time at which the scenario's t = 0 is. */
  private origin: TimeUs = 0;
  private errors: string[] = [];
  private lateMaxUs = 0;
  readonly starvation: StarvationMonitor;

  constructor(
    readonly scenario: Scenario,
    private readonly opts: LiveRunOptions = {},
  ) {
    checkLiveLimits(scenario);
    this.rng = new RngStreams(scenario.seed);
    this.underlay = buildUnderlay(scenario, this.rng);
    this.driver = createDriver(scenario, this.rng, netGroups(this.underlay));
    const latency = this.underlay.latency;
    const latRng = this.rng.stream('net/latency');
    this.net = new LiveNet({
      sizer: this.driver.sizer,
      dialTimeoutUs: secondsToUs(scenario.network.dialTimeoutS),
      maxFrameBytes: scenario.wire.maxFrameBytes,
      latencyUs: opts.latency ? (from, to) => (from < this.underlay.capacity && to < this.underlay.capacity ? latency.oneWayUs(from, to, latRng) : 0) : undefined,
      blocked: (from, to) => this.blocked(from, to),
      sourceIps: opts.part !== undefined,
      onProtocolError: (a, e) => {
        if (this.errors.length < 10) this.errors.push(`peer ${a}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        opts.log?.(`live: protocol error at peer ${a} (host stopped): ${e instanceof Error ? e.message : String(e)}`);
      },
    });
    this.starvation = new StarvationMonitor(this.net.timerLateness);
    // The driver is typed over unknown messages; on a socket they are bytes (wire.materialize).
    type Ctx = Parameters<ProtocolDriver<unknown>['createPeer']>[0];
    const make = (f: (ctx: Ctx) => PeerProtocol<unknown>) => (ctx: HostContext<Uint8Array>) => f(ctx as Ctx) as PeerProtocol<Uint8Array>;
    for (let i = 0; i < scenario.peers.count; i++) this.addresses.push(this.net.addHost(make((ctx) => this.driver.createPeer(ctx, i)), (a, s) => this.rng.peer(a, s)));
    let ordinal = 0;
    for (const spec of scenario.adversaries) {
      for (let j = 0; j < spec.count; j++, ordinal++) {
        const o = ordinal;
        this.net.addHost(make((ctx) => this.driver.createAdversary!(ctx, spec, o)), (a, s) => this.rng.peer(a, s));
      }
    }
  }

  /** The metrics code reads a World; these four members are all it reads of one. */
  get world(): World<unknown> {
    const net = this.net;
    return { get now() { return net.now(); }, get hostCount() { return net.hostCount; }, isUp: (a: number) => net.isUp(a), protocolOf: (a: number) => net.protocolOf(a) } as unknown as World<unknown>;
  }

  /** Whether this run hosts address `a` (always, unless it is one worker of several). */
  owns(a: number): boolean {
    return this.opts.part === undefined || a % this.opts.part.of === this.opts.part.index;
  }

  /** Binds every host (a failure names the address: BindError), starts the bootstrap nodes, schedules the rest. */
  async start(): Promise<void> {
    await this.bind();
    this.begin();
  }

  /** Binds this run's hosts; returns [address, port] of each. */
  async bind(): Promise<[number, number][]> {
    const ports: [number, number][] = [];
    for (let a = 0; a < this.net.hostCount; a++) {
      if (!this.owns(a)) continue;
      await this.net.listen(a);
      ports.push([a, this.net.portOf(a)]);
    }
    return ports;
  }

  /** Starts the clock: the hosts of other workers are at `remote` ports; joins, actions and samples are scheduled. */
  begin(remote: readonly [number, number][] = []): void {
    for (const [a, port] of remote) if (!this.owns(a)) this.net.setRemote(a, port);
    this.starvation.start();
    this.endUs = this.net.now() + secondsToUs(this.scenario.durationS);
    const origin = this.net.now();
    this.origin = origin;
    const starts = joinTimes(this.scenario, this.rng.stream('scenario/join'));
    const boot = Math.min(this.scenario.bootstrap.count, starts.length);
    for (let i = 0; i < boot; i++) if (starts[i] === 0) this.net.start(this.addresses[i]);
    starts.forEach((t, i) => this.at(origin + t, () => this.net.start(this.addresses[i])));
    let ordinal = 0;
    for (const spec of this.scenario.adversaries) for (let j = 0; j < spec.count; j++) this.at(origin + secondsToUs(spec.startS), ((a) => () => this.net.start(a))(this.addresses.length + ordinal++));
    this.scenario.actions.forEach((action, i) => this.at(origin + secondsToUs(action.atS), () => this.act(action, i)));
    const every = secondsToUs(this.scenario.metrics.sampleEveryS);
    const sampleAt = this.opts.onSample ?? (() => this.sample());
    for (let t = 0; t < this.endUs - origin; t += every) {
      this.at(origin + t, () => {
        this.lateMaxUs = Math.max(this.lateMaxUs, this.net.now() - (origin + t));
        this.starvation.samples.add((this.net.now() - (origin + t)) / 1000);
        sampleAt(origin + t);
      });
    }
    const lastJoin = starts.reduce((a, b) => Math.max(a, b), 0);
    const steadyUs = Math.max(lastJoin, Math.floor((this.endUs - origin) / 2));
    if (steadyUs < this.endUs - origin) this.at(origin + steadyUs, () => void (this.steady = snapshotCounters(this.net.counters, this.net.now() - origin)));
  }

  /** Resolves at the end of the scenario's duration (or at once when `stop` is true). */
  async runToEnd(stop?: () => boolean): Promise<void> {
    while (this.net.now() < this.endUs && !stop?.()) await new Promise((r) => setTimeout(r, Math.min(100, Math.max(1, (this.endUs - this.net.now()) / 1000))));
  }

  /** Final sample and metrics, then every socket and timer closed. */
  async finish(): Promise<LiveResult> {
    if (!this.opts.onSample) this.sample();
    const seconds = this.elapsedS;
    const result = this.result(seconds);
    result.live.socketsOpenAtEnd = await this.close();
    return result;
  }

  /** Actions skipped so far (no loopback meaning). */
  get skippedActions(): string[] {
    return [...this.skipped];
  }

  /** Most a sample ran after its time so far, s. */
  get sampleLateMaxS(): number {
    return this.lateMaxUs / 1e6;
  }

  /** Seconds since the scenario's t = 0. */
  get elapsedS(): number {
    return usToSeconds(this.net.now() - this.origin);
  }

  /** Counters at the start of the steady window (once it has begun). */
  get steadySnapshot(): CounterSnapshot | undefined {
    return this.steady;
  }

  /** Every timer, socket and server closed; resolves with the sockets still open (0 unless one leaked). */
  async close(): Promise<number> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.net.close();
    return this.net.openSockets;
  }

  private result(seconds: number): LiveResult {
    const world = this.world;
    const peers = this.scenario.peers.count;
    const c = this.net.counters;
    const own = this.driver.finalMetrics(world);
    return {
      mode: 'live',
      scenario: this.scenario.name,
      seed: this.scenario.seed,
      traceHash: 'live', // a live run is not deterministic: no trace
      peers,
      eventsProcessed: this.net.eventsProcessed,
      simulatedSeconds: seconds,
      endReason: 'completed',
      metrics: {
        messages: messageMetrics(c, this.driver.sizer, peers, seconds, this.steady),
        connections: { dials: c.dials, dialFailures: c.dialFailures, opened: c.connectionsOpened, closed: c.connectionsClosed, openAtEnd: this.net.openConnections, tableFull: 0 },
        ...withDiscoveryTimes(own, this.series),
        series: this.series,
      },
      live: {
        skippedActions: this.skipped,
        protocolErrors: this.net.protocolErrors,
        foreignAccepted: this.net.foreignAccepted,
        latency: this.opts.latency ? this.underlay.latency.describe() : 'none (loopback)',
        socketsOpenAtEnd: -1,
        sampleLateMaxS: this.lateMaxUs / 1e6,
        starvation: this.starvationBlock(true),
        signer: this.opts.signer ?? 'noble',
        workers: 1,
      },
    };
  }

  /** The run's starvation figures so far. */
  starvationBlock(stop = false): StarvationBlock {
    return this.starvation.block(stop);
  }

  get protocolErrorDetails(): readonly string[] {
    return this.errors;
  }

  private at(tUs: TimeUs, f: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      f();
    }, Math.max(0, (tUs - this.net.now()) / 1000));
    this.timers.add(t);
  }

  /** One time-series point, now. */
  sample(): void {
    const c = this.net.counters;
    this.series.push({
      tS: Math.round(usToSeconds(this.net.now() - this.origin) * 1000) / 1000,
      messages: c.totalSent(),
      bytes: c.totalBytes(),
      openConnections: this.net.openConnections,
      ...this.driver.sample(this.world),
    });
  }

  /** Applies one scenario action now (the run schedules the file's; tests call it directly). */
  act(a: Scenario['actions'][number], index: number): void {
    switch (a.do) {
      case 'crash':
      case 'stop':
        for (const p of a.peers) this.net.crash(p); // a stop's goodbye is not sent: its sockets close at once
        return;
      case 'restart':
        for (const p of a.peers) this.net.start(p);
        return;
      case 'partition': {
        const side = this.underlay.select(a.side);
        const other = a.other ? this.underlay.select(a.other) : side.map((x) => 1 - x);
        this.cuts.set(a.name, { a: side, b: other, oneWay: a.oneWay });
        return;
      }
      case 'heal':
        this.cuts.delete(a.name);
        return;
      default:
        this.skipped.push(`${index}: ${a.do}`);
        this.opts.log?.(`live: action ${index} (${a.do}) has no loopback meaning; skipped`);
    }
  }

  private blocked(from: number, to: number): boolean {
    for (const cut of this.cuts.values()) {
      if (cut.a[from] === 1 && cut.b[to] === 1) return true;
      if (!cut.oneWay && cut.b[from] === 1 && cut.a[to] === 1) return true;
    }
    return false;
  }
}

/** As the simulator: when mean map coverage first reached 50% and 90% (null if never). */
export function withDiscoveryTimes(sections: Record<string, unknown>, series: readonly SeriesPoint[]): Record<string, unknown> {
  if (!series.some((p) => typeof p.coverageMean === 'number')) return sections;
  const firstAt = (x: number) => series.find((p) => p.coverageMean >= x)?.tS ?? null;
  const discovery = (sections.discovery ?? {}) as Record<string, unknown>;
  return { ...sections, discovery: { timeTo50PctS: firstAt(0.5), timeTo90PctS: firstAt(0.9), ...discovery } };
}
