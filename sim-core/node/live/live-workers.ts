import { Worker } from 'node:worker_threads';
import { RngStreams } from '../../engine/rng.ts';
import { messageMetrics, type CounterSnapshot } from '../../metrics/messages.ts';
import { overlayTopology } from '../../protocols/node/overlay-graph.ts';
import { createDriver } from '../../scenario/drivers.ts';
import type { Scenario } from '../../scenario/schema/index.ts';
import type { SeriesPoint } from '../../scenario/simulation.ts';
import { checkLiveLimits } from './limits.ts';
import { BindError } from './live-net.ts';
import { withDiscoveryTimes, type LiveResult } from './live-run.ts';
import type { ToCoordinator, ToWorker, WorkerInit } from './live-worker-main.ts';
import { coverages, nodeFigures, sampleFigures, snapshotOf, sumCounters, type PeerReport } from './peer-report.ts';
import { LatenessHistogram, mergeStarvation } from './starvation.ts';

/** Most worker threads one live run spreads its peers over. */
export const MAX_LIVE_WORKERS = 64;

const WORKER_URL = new URL('./live-worker.mjs', import.meta.url);

type Final = Extract<ToCoordinator, { type: 'final' }>;

interface Slot {
  worker: Worker;
  bound: Promise<[number, number][]>;
  final: Promise<Final>;
  closed: Promise<number>;
}

/**
 * A live run spread over K worker threads (`peermap live --workers K`): each
 * worker runs every K-th host on its own event loop, so a CPU-bound join
 * phase has K cores instead of one. Hosts dial each other over real TCP on
 * loopback whichever worker they are in (each dials from its own 127.1.x.y
 * address, so the acceptor knows who dialled). This thread only
 * coordinates: it hands out ports, merges the workers' per-peer reports into
 * the time series (peer-report.ts) and builds the summary.
 */
export class WorkerRun {
  readonly series: SeriesPoint[] = [];
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Extract<ToCoordinator, { type: 'sample' }>[]>();

  constructor(
    readonly scenario: Scenario,
    private readonly opts: { workers: number; latency?: boolean; native?: boolean; log?: (s: string) => void },
  ) {
    checkLiveLimits(scenario);
    if (!Number.isInteger(opts.workers) || opts.workers < 1 || opts.workers > MAX_LIVE_WORKERS) throw new RangeError(`live: --workers must be an integer in 1..${MAX_LIVE_WORKERS}, got ${opts.workers}`);
  }

  /** The figures of the last complete sample (every worker reported), or undefined before the first. */
  get latest(): SeriesPoint | undefined {
    return this.series.at(-1);
  }

  /** Starts the workers; once all have bound their ports, starts the clock in each (BindError if one could not bind). */
  async start(): Promise<void> {
    const k = this.opts.workers;
    for (let index = 0; index < k; index++) this.slots.push(this.spawn({ scenario: this.scenario, index, of: k, latency: this.opts.latency === true, native: this.opts.native === true }));
    let ports: [number, number][][];
    try {
      ports = await Promise.all(this.slots.map((s) => s.bound));
    } catch (e) {
      await Promise.all(this.slots.map((s) => s.worker.terminate()));
      throw e;
    }
    const remote = ports.flat();
    this.opts.log?.(`live: ${remote.length} hosts listening on 127.0.0.1 in ${k} workers; running ${this.scenario.durationS} s`);
    for (const s of this.slots) s.worker.postMessage({ type: 'begin', remote } satisfies ToWorker);
  }

  /** Asks every worker to end now (tests; the CLI runs to the scenario's end). */
  stop(): void {
    for (const s of this.slots) s.worker.postMessage({ type: 'stop' } satisfies ToWorker);
  }

  /** Waits for the end of the run in every worker, merges, and resolves once every socket is closed. */
  async finish(): Promise<LiveResult> {
    const finals = await Promise.all(this.slots.map((s) => s.final));
    const open = (await Promise.all(this.slots.map((s) => s.closed))).reduce((a, b) => a + b, 0);
    const result = this.result(finals);
    result.live.socketsOpenAtEnd = open;
    return result;
  }

  private spawn(init: WorkerInit): Slot {
    const worker = new Worker(WORKER_URL, { workerData: init });
    let fail: (e: unknown) => void = () => {};
    const died = new Promise<never>((_, reject) => (fail = reject));
    died.catch(() => {});
    const once = <T>(type: ToCoordinator['type'], pick: (m: ToCoordinator) => T) =>
      Promise.race([died, new Promise<T>((resolve) => worker.on('message', (m: ToCoordinator) => m.type === type && resolve(pick(m))))]);
    worker.on('message', (m: ToCoordinator) => {
      if (m.type === 'sample') this.collect(m);
      if (m.type === 'error') fail(m.bind ? new BindError(m.message) : new Error(`live worker ${init.index}: ${m.message}`));
    });
    worker.on('error', (e) => fail(e));
    worker.on('exit', (code) => fail(new Error(`live worker ${init.index} exited (code ${code}) before the end of the run`)));
    return {
      worker,
      bound: once('bound', (m) => (m as Extract<ToCoordinator, { type: 'bound' }>).ports),
      final: once('final', (m) => m as Final),
      closed: once('closed', (m) => (m as Extract<ToCoordinator, { type: 'closed' }>).socketsOpenAtEnd),
    };
  }

  /** One worker's sample; when every worker has sent sample `seq`, the merged point joins the series. */
  private collect(m: Extract<ToCoordinator, { type: 'sample' }>): void {
    const got = this.pending.get(m.seq) ?? [];
    got.push(m);
    this.pending.set(m.seq, got);
    if (got.length < this.slots.length) return;
    this.pending.delete(m.seq);
    const c = sumCounters(got.map((x) => x.counters));
    this.series.push({
      tS: Math.max(...got.map((x) => x.tS)),
      messages: c.totalSent(),
      bytes: c.totalBytes(),
      openConnections: got.reduce((n, x) => n + x.openConnections, 0),
      ...sampleFigures(got.flatMap((x) => x.peers), this.scenario.peers.count),
    });
  }

  private result(finals: Final[]): LiveResult {
    const s = this.scenario;
    const peers = s.peers.count;
    const reports: PeerReport[] = finals.flatMap((f) => f.peers);
    const c = sumCounters(finals.map((f) => f.counters));
    const seconds = Math.max(...finals.map((f) => f.tS));
    this.series.push({ tS: seconds, messages: c.totalSent(), bytes: c.totalBytes(), openConnections: finals.reduce((n, f) => n + f.result.openConnections, 0), ...sampleFigures(reports, peers) });
    const steadies = finals.map((f) => f.steady);
    let steady: CounterSnapshot | undefined;
    if (steadies.every((x) => x !== undefined)) {
      steady = { tUs: Math.max(...steadies.map((x) => x!.tUs)), sentCount: new Float64Array(steadies[0]!.sentCount.length), sentBytes: new Float64Array(steadies[0]!.sentBytes.length) };
      for (const x of steadies) x!.sentCount.forEach((v, t) => ((steady!.sentCount[t] += v), (steady!.sentBytes[t] += x!.sentBytes[t])));
    }
    const rng = new RngStreams(s.seed);
    const sizer = createDriver(s, rng).sizer;
    const cov = coverages(reports, peers);
    const discovery = { coverageMean: cov.length ? cov.reduce((a, b) => a + b, 0) / cov.length : 0 };
    const sum = (f: (x: Final) => number) => finals.reduce((n, x) => n + f(x), 0);
    const timers = new LatenessHistogram();
    const samples = new LatenessHistogram();
    for (const f of finals) {
      timers.merge(LatenessHistogram.from(f.timers));
      samples.merge(LatenessHistogram.from(f.samples));
    }
    return {
      mode: 'live',
      scenario: s.name,
      seed: s.seed,
      traceHash: 'live',
      peers,
      eventsProcessed: sum((f) => f.result.eventsProcessed),
      simulatedSeconds: seconds,
      endReason: 'completed',
      metrics: {
        messages: messageMetrics(c, sizer, peers, seconds, steady),
        connections: { dials: c.dials, dialFailures: c.dialFailures, opened: c.connectionsOpened, closed: c.connectionsClosed, openAtEnd: sum((f) => f.result.openConnections), tableFull: 0 },
        ...withDiscoveryTimes({ node: nodeFigures(reports, peers), topology: overlayTopology(snapshotOf(reports, peers), rng.stream('metrics/topology')), discovery }, this.series),
        series: this.series,
      },
      live: {
        skippedActions: finals[0]?.result.skippedActions ?? [],
        protocolErrors: sum((f) => f.result.protocolErrors),
        foreignAccepted: sum((f) => f.result.foreignAccepted),
        latency: this.opts.latency ? 'scenario model (per pair, per worker)' : 'none (loopback)',
        socketsOpenAtEnd: -1,
        sampleLateMaxS: Math.max(...finals.map((f) => f.result.sampleLateMaxS)),
        starvation: mergeStarvation(finals.map((f) => f.starvation), timers, samples),
        signer: this.opts.native ? 'openssl' : 'noble',
        workers: this.opts.workers,
      },
    };
  }
}
