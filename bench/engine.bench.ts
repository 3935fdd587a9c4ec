/**
 * Engine bench: events/s of the full engine path (scheduler + World dispatch +
 * a no-op sans-IO protocol that re-arms its timer) against a bare typed-array
 * heap loop doing the same schedule/pop pattern, in the same process, at
 * 2,500 and 100,000 pending events. Median of several rounds; writes
 * results/bench-engine.json with seed, commit and machine.
 *
 *   npm run bench:engine [-- --rounds 5 --events 3000000]
 */
import { parseArgs } from 'node:util';
import { RngStreams, type Rng } from '../sim-core/engine/rng.ts';
import { EventQueue } from '../sim-core/engine/event-queue.ts';
import { ConstantLatency } from '../sim-core/net/latency.ts';
import { World } from '../sim-core/net/world.ts';
import type { PeerActions, PeerProtocol } from '../sim-core/sans-io/protocol.ts';
import { writeJsonAtomic } from '../sim-core/node/files.ts';
import { gitCommit, machineInfo } from '../sim-core/node/machine.ts';
import { median } from './median.ts';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    events: { type: 'string', default: '4000000' },
    seed: { type: 'string', default: '42' },
    out: { type: 'string', default: 'results/bench-engine.json' },
  },
});
const ROUNDS = Number(args.rounds);
const EVENTS = Number(args.events);
const SEED = Number(args.seed);
/** Timer delays uniform in [1, MAX_DELAY_US] µs. */
const MAX_DELAY_US = 1_000_000;
const HOSTS_MAX = Number(process.env.HOSTS_MAX ?? 2_500);

/**
 * Timer delays for both loops, from one xorshift32 state seeded from the
 * master seed: identical, cheap work on each side, so the ratio measures the
 * engine (slab, dispatch, sans-IO calls, trace hash), not the delay source.
 */
class DelaySource {
  private x: number;
  constructor(rng: Rng) {
    this.x = rng.uint32() | 1;
  }
  next(): number {
    let x = this.x;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.x = x;
    return 1 + ((x >>> 0) % MAX_DELAY_US);
  }
}

/** A protocol that does nothing but keep its timers armed. */
class NoopPeer implements PeerProtocol<never> {
  constructor(
    private readonly io: PeerActions<never>,
    private readonly delays: DelaySource,
    private readonly timers: number,
  ) {}
  onStart(): void {
    for (let i = 0; i < this.timers; i++) this.io.setTimer(this.delays.next(), i);
  }
  onTimer(_now: number, tag: number): void {
    this.io.setTimer(this.delays.next(), tag);
  }
  onConnected(): void {}
  onDialFailed(): void {}
  onMessage(): void {}
  onClosed(): void {}
}

const nullSizer = { typeOf: () => 0, sizeOf: () => 0, typeName: () => 'none' };

function engineRun(pending: number, events: number): number {
  const hosts = Math.min(pending, HOSTS_MAX);
  const rng = new RngStreams(SEED);
  const world = new World<never>({ rng, latency: new ConstantLatency(1), sizer: nullSizer });
  const delays = new DelaySource(rng.stream('bench/delays'));
  for (let h = 0; h < hosts; h++) {
    const timers = Math.floor(pending / hosts) + (h < pending % hosts ? 1 : 0);
    world.addHost((ctx) => new NoopPeer(ctx.io, delays, timers));
    world.startAt(h, 0);
  }
  world.scheduler.run(0); // start every host: `pending` timers armed
  const t0 = performance.now();
  world.scheduler.run(Number.MAX_SAFE_INTEGER, events);
  const s = (performance.now() - t0) / 1000;
  if (world.scheduler.pending !== pending) throw new Error(`pending drifted: ${world.scheduler.pending}`);
  return events / s;
}

function bareHeapRun(pending: number, events: number): number {
  const delays = new DelaySource(new RngStreams(SEED).stream('bench/delays'));
  const q = new EventQueue(pending, 1 << 24);
  for (let i = 0; i < pending; i++) q.push(delays.next(), i);
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < events; i++) {
    const t = q.peekTime()!;
    const v = q.pop();
    sink += v;
    q.push(t + delays.next(), v);
  }
  const s = (performance.now() - t0) / 1000;
  if (sink < 0) throw new Error('unreachable');
  return events / s;
}

const results: Record<string, unknown>[] = [];
for (const pending of [2_500, 100_000]) {
  const engine: number[] = [];
  const bare: number[] = [];
  bareHeapRun(pending, EVENTS / 4); // warm-up (JIT)
  engineRun(pending, EVENTS / 4);
  for (let r = 0; r < ROUNDS; r++) {
    // Interleave so machine noise hits both sides alike.
    bare.push(bareHeapRun(pending, EVENTS));
    engine.push(engineRun(pending, EVENTS));
  }
  const row = {
    pending,
    engineEventsPerSecond: Math.round(median(engine)),
    bareHeapEventsPerSecond: Math.round(median(bare)),
    ratio: Number((median(engine) / median(bare)).toFixed(3)),
    engineRounds: engine.map(Math.round),
    bareRounds: bare.map(Math.round),
  };
  results.push(row);
  console.log(
    `pending ${String(pending).padStart(7)}: engine ${(row.engineEventsPerSecond / 1e6).toFixed(2)} M ev/s, bare heap ${(row.bareHeapEventsPerSecond / 1e6).toFixed(2)} M ev/s, ratio ${row.ratio}`,
  );
}

const report = {
  bench: 'engine',
  seed: SEED,
  commit: gitCommit(),
  machine: machineInfo(),
  rounds: ROUNDS,
  eventsPerRound: EVENTS,
  method:
    'median of rounds; engine = Scheduler + World + 2,500 no-op PeerProtocol objects re-arming timers; bare = EventQueue push/pop loop; both draw delays from the same xorshift32 source',
  results,
};
writeJsonAtomic(args.out!, report);
console.log(`written ${args.out}`);
