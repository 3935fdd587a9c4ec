import { RngStreams } from '../engine/rng.ts';
import { secondsToUs, usToSeconds, type TimeUs } from '../engine/time.ts';
import { messageMetrics } from '../metrics/messages.ts';
import { World } from '../net/world.ts';
import type { ProtocolDriver } from '../protocols/driver.ts';
import { driverFor } from '../protocols/registry.ts';
import { buildLatency } from './build.ts';
import type { Scenario } from './schema/index.ts';

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
  private readonly driver: ProtocolDriver<unknown>;
  private endReason: RunResult['endReason'] | undefined;

  constructor(readonly scenario: Scenario) {
    this.rng = new RngStreams(scenario.seed);
    this.driver = driverFor(scenario.protocol.kind);
    this.endUs = secondsToUs(scenario.durationS);
    this.world = new World<unknown>({
      rng: this.rng,
      latency: buildLatency(scenario.network.latency, this.rng),
      sizer: this.driver.sizer,
      maxPendingEvents: scenario.limits.maxPendingEvents,
      dialTimeoutUs: secondsToUs(scenario.network.dialTimeoutS),
    });
    this.populate();
    this.scheduleSampling();
  }

  get done(): boolean {
    return this.endReason !== undefined;
  }

  get progress(): Progress {
    return { nowUs: this.world.now, endUs: this.endUs, events: this.world.scheduler.eventsProcessed };
  }

  /** Runs at most `maxEvents` events; returns true once the run is over. */
  step(maxEvents: number): boolean {
    if (this.endReason) return true;
    const sched = this.world.scheduler;
    const left = this.scenario.limits.maxEvents - sched.eventsProcessed;
    const stop = sched.run(this.endUs, Math.min(maxEvents, left));
    if (stop === 'until' || stop === 'empty') this.endReason = 'completed';
    else if (stop === 'stopped') this.endReason = 'stopped';
    else if (sched.eventsProcessed >= this.scenario.limits.maxEvents) this.endReason = 'max-events';
    if (this.endReason === 'completed') this.takeSample();
    return this.endReason !== undefined;
  }

  /** Runs to the end in one go. */
  runToEnd(): RunResult {
    while (!this.step(1 << 20));
    return this.result();
  }

  get traceHash(): string {
    return this.world.scheduler.trace.hex();
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
        messages: messageMetrics(this.world.counters, this.driver.sizer, peers, seconds),
        connections: this.connectionMetrics(),
        [this.driver.name]: this.driver.finalMetrics(this.world),
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

  private populate(): void {
    const join = this.rng.stream('scenario/join');
    const joinUs = secondsToUs(this.scenario.peers.joinOverS);
    for (let i = 0; i < this.scenario.peers.count; i++) {
      const address = this.world.addHost((ctx) => this.driver.createPeer(ctx, this.scenario));
      this.world.startAt(address, joinUs > 0 ? join.int(joinUs + 1) : 0);
    }
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
      ...this.driver.sample(this.world),
    });
  }
}
