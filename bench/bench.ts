/**
 * `npm run bench`: the performance bench. Sections (all by default, or `--only`):
 *
 *   engine       events/s of the engine against the bare heap, same process
 *                (runs bench/engine.bench.ts) → results/bench-engine.json
 *   convergence  scenarios/convergence-2500.yaml per strategy, each in a fresh
 *                child process (`peermap run`), so peak RSS is the run's own:
 *                wall time, peak RSS, events/s, messages and bytes per peer
 *                per second (whole run and steady state), discovery times
 *                → results/bench-convergence.json (--quick: 500 peers, 300 s,
 *                joining over 60 s → results/bench-convergence-quick.json)
 *   sweep        the same 8-seed `peermap sweep` with --workers 1, with
 *                --workers 2, and as two --shard processes at once (the
 *                machine's ceiling); wall and per-job CPU times, speed-up,
 *                identical results check → results/bench-sweep.json
 *   scale        (only when named: about an hour) scenarios/scale-10000.yaml
 *                in a child process with a 16 GB V8 heap: wall time, peak
 *                RSS, events, key metrics → results/bench-scale-10000.json
 *
 * Each result carries seed, commit and machine; before overwriting, the
 * previous committed result of the same name (git HEAD, else the file on
 * disk) is read and the ratios new/previous are printed. Strategies not re-run
 * keep their rows from the file being replaced (else from git HEAD).
 *
 *   npm run bench -- [--quick] [--only engine,convergence,sweep] [--strategies globalmap,random,kademlia]
 *                    [--seed 1] [--peers N --duration S --join-over S] [--heap-mb MB] [--engine-rounds 5]
 *                    [--sweep-file scenarios/default.yaml --sweep-strategy random --sweep-duration 3600 --sweep-seeds 1..8 --sweep-rounds 3]
 *                    [--scale-file scenarios/scale-10000.yaml --scale-heap-mb 16000]
 *                    [--results DIR]
 */
import { execFileSync, spawn } from 'node:child_process';
import { tracked } from './children/children.ts';
import type { HostSpeed } from './host-speed.ts';
import { hostGuide } from './host-guide.ts';
import { cpuOf, keptRows } from './kept-rows.ts';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { writeJsonAtomic } from '../sim-core/node/files.ts';
import { gitCommit, machineInfo } from '../sim-core/node/machine.ts';
import { withoutExecution, type SweepResult } from '../sim-core/node/sweep/sweep.ts';
import { median } from './median.ts';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', default: 'engine,convergence,sweep' },
    strategies: { type: 'string', default: 'globalmap,random,kademlia' },
    seed: { type: 'string', default: '1' },
    peers: { type: 'string' },
    duration: { type: 'string' },
    'join-over': { type: 'string' },
    /** V8 old-space limit for each convergence child (node --max-old-space-size): trades GC time for peak RSS. */
    'heap-mb': { type: 'string' },
    'engine-rounds': { type: 'string' },
    'sweep-file': { type: 'string', default: 'scenarios/default.yaml' },
    'sweep-strategy': { type: 'string', default: 'random' },
    'sweep-duration': { type: 'string', default: '3600' },
    'sweep-seeds': { type: 'string', default: '1..8' },
    'sweep-rounds': { type: 'string', default: '3' },
    'scale-file': { type: 'string', default: 'scenarios/scale-10000.yaml' },
    /** Node's default old space (~4 GB here) is too small for 10,000 peers. */
    'scale-heap-mb': { type: 'string', default: '16000' },
    /** Where results go (and previous ones are read); tests use a temporary folder. */
    results: { type: 'string', default: 'results' },
  },
});

const SECTIONS = ['engine', 'convergence', 'sweep', 'scale'];
const only = args.only.split(',').map((s) => s.trim()).filter(Boolean);
for (const s of only) if (!SECTIONS.includes(s)) throw new Error(`--only: unknown section ${s}; sections: ${SECTIONS.join(', ')}`);
const SEED = Number(args.seed);
const RESULTS = args.results.replace(/\/+$/, '');
const tmp = mkdtempSync(join(tmpdir(), 'peermap-bench-'));

// ------------------------------------------------------------------ helpers

/** The committed result of this name (git HEAD), else the file on disk, else undefined; read before it is overwritten. */
function previousResult<T>(name: string): { value: T; from: string } | undefined {
  const path = `${RESULTS}/bench-${name}.json`;
  try {
    const text = execFileSync('git', ['show', `HEAD:${path}`], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    return { value: JSON.parse(text) as T, from: `${path} at HEAD` };
  } catch {
    if (existsSync(path)) return { value: JSON.parse(readFileSync(path, 'utf8')) as T, from: `${path} (uncommitted)` };
    return undefined;
  }
}

/** 1234567 → "1.23 M"; with a unit: "26.7 kB", "2.25 M ev/s", "424 MiB". */
const fmt = (x: number, unit = ''): string => {
  const a = Math.abs(x);
  const [n, prefix] =
    a >= 1e9 ? [(x / 1e9).toFixed(2), 'G'] : a >= 1e6 ? [(x / 1e6).toFixed(2), 'M'] : a >= 1e4 ? [(x / 1e3).toFixed(1), 'k'] : [a >= 100 ? x.toFixed(0) : a >= 1 ? x.toFixed(2) : x.toPrecision(3), ''];
  if (!unit) return prefix ? `${n} ${prefix}` : n;
  return unit === 'B' ? `${n} ${prefix}B` : `${n} ${prefix}${prefix ? ' ' : ''}${unit}`;
};

/** "label: now (previous p, ×r)"; `lowerIsBetter` only changes the word in brackets. */
function ratioLine(label: string, now: number, prev: number | undefined, unit = '', lowerIsBetter = false): string {
  if (prev === undefined || !Number.isFinite(prev) || prev === 0) return `  ${label}: ${fmt(now, unit)} (no previous result)`;
  const r = now / prev;
  const verdict = Math.abs(r - 1) < 0.05 ? 'same' : (r > 1) !== lowerIsBetter ? 'better' : 'worse';
  return `  ${label}: ${fmt(now, unit)} (previous ${fmt(prev, unit)}, ×${r.toFixed(3)}, ${verdict}${Math.abs(r - 1) < 0.3 ? ' within the ±30% noise of these machines' : ''})`;
}

function run(cmd: string, argv: string[], opts: { quietStdout?: boolean } = {}): Promise<{ code: number; stdout: string; wallSeconds: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = tracked(spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'] }));
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!opts.quietStdout) process.stdout.write(d);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, wallSeconds: (performance.now() - t0) / 1000 }));
  });
}

/** The host's speed on a fixed workload (bench/host-speed.ts), in a fresh child process; undefined if it failed. */
async function hostSpeed(): Promise<HostSpeed | undefined> {
  const r = await run(process.execPath, ['bin/tsx-run.mjs', 'bench/host-speed.ts'], { quietStdout: true });
  if (r.code !== 0) return undefined;
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as HostSpeed;
  } catch {
    return undefined;
  }
}

/** What every bench run reports from its child's summary.json. */
interface ChildRun {
  traceHash: string;
  endReason: string;
  eventsProcessed: number;
  wallSeconds: number;
  /** The whole child process (start-up and writing outputs included). */
  processWallSeconds: number;
  eventsPerSecond: number;
  peakRssBytes: number;
}

/**
 * `peermap run yamlPath --out out` in a fresh child process (so peak RSS is
 * the run's own), with a heartbeat line every `heartbeatMs` when stderr is
 * not a terminal; throws with the child's output if it fails.
 */
async function runChild(label: string, yamlPath: string, out: string, nodeFlags: string[], heartbeatMs: number): Promise<{ run: ChildRun; metrics: Record<string, Record<string, unknown>> }> {
  // Not --quiet: on a terminal the child's progress bar shows on stderr; its stdout (header, table) is not echoed.
  const heartbeat = process.stderr.isTTY ? undefined : setInterval(() => console.log(`  ${label}: still running ...`), heartbeatMs);
  const r = await run(process.execPath, [...nodeFlags, 'bin/peermap.mjs', 'run', yamlPath, '--out', out, '--force'], { quietStdout: true }).finally(() => clearInterval(heartbeat));
  if (r.code !== 0) throw new Error(`${label} failed (exit ${r.code}):\n${r.stdout}`);
  const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Omit<ChildRun, 'processWallSeconds'> & { metrics: Record<string, Record<string, unknown>> };
  const { traceHash, endReason, eventsProcessed, wallSeconds, eventsPerSecond, peakRssBytes } = s;
  return { run: { traceHash, endReason, eventsProcessed, wallSeconds, processWallSeconds: r.wallSeconds, eventsPerSecond, peakRssBytes }, metrics: s.metrics };
}

const header = { seed: SEED, commit: gitCommit(), machine: machineInfo() };

// ------------------------------------------------------------------ engine

interface EngineRow {
  pending: number;
  engineEventsPerSecond: number;
  bareHeapEventsPerSecond: number;
  ratio: number;
}

async function engineSection(): Promise<void> {
  console.log('== engine (bench/engine.bench.ts: engine vs bare heap, same process)');
  const prev = previousResult<{ results: EngineRow[] }>('engine');
  const rounds = args['engine-rounds'] ?? (args.quick ? '3' : '5');
  const r = await run(process.execPath, ['bin/tsx-run.mjs', 'bench/engine.bench.ts', '--rounds', rounds, '--seed', String(42), '--out', `${RESULTS}/bench-engine.json`]);
  if (r.code !== 0) throw new Error(`engine bench failed (exit ${r.code})`);
  const now = JSON.parse(readFileSync(`${RESULTS}/bench-engine.json`, 'utf8')) as { results: EngineRow[] };
  if (prev) console.log(`  compared with ${prev.from}`);
  for (const row of now.results) {
    const p = prev?.value.results.find((x) => x.pending === row.pending);
    console.log(ratioLine(`engine @${row.pending} pending`, row.engineEventsPerSecond, p?.engineEventsPerSecond, 'ev/s'));
    console.log(ratioLine(`bare heap @${row.pending} pending`, row.bareHeapEventsPerSecond, p?.bareHeapEventsPerSecond, 'ev/s'));
    console.log(ratioLine(`engine/bare @${row.pending} pending`, row.ratio, p?.ratio));
  }
}

// ------------------------------------------------------------------ convergence

interface ConvergenceRow extends ChildRun {
  strategy: string;
  /** Commit the row was measured at (rows of strategies not re-run are kept from the previous result). */
  commit?: string;
  /** 1-, 5- and 15-minute load averages before and after this strategy's run. */
  loadAverage?: { start: number[]; end: number[] };
  /** The host on a fixed workload just before this strategy's run: tells a slow host from a slow commit. */
  hostSpeed?: HostSpeed;
  /** The CPU this row ran on (rows kept from older results: their file's machine). */
  cpuModel?: string;
  messagesPerPeerPerSecond: number;
  bytesPerPeerPerSecond: number;
  messagesPerPeerPerSecondSteady: number | null;
  bytesPerPeerPerSecondSteady: number | null;
  timeTo50PctS: number | null;
  timeTo90PctS: number | null;
  mapBytesPerPeer: number | null;
  lccFraction: number | null;
  avgPathLength: number | null;
}

interface ConvergenceResult {
  bench: string;
  commit?: string;
  machine?: { cpuModel?: string };
  scenario: { file: string; peers: number; durationS: number; joinOverS: number };
  results: ConvergenceRow[];
}

async function convergenceSection(): Promise<void> {
  const file = 'scenarios/convergence-2500.yaml';
  const raw = parseYaml(readFileSync(file, 'utf8')) as { peers: { count: number; joinOverS?: number }; durationS: number; seed?: number; protocol: { strategy?: string } };
  const quick = args.quick ? { peers: 500, durationS: 300, joinOverS: 60 } : undefined;
  const size = {
    peers: Number(args.peers ?? quick?.peers ?? raw.peers.count),
    durationS: Number(args.duration ?? quick?.durationS ?? raw.durationS),
    joinOverS: Number(args['join-over'] ?? quick?.joinOverS ?? raw.peers.joinOverS ?? 0),
  };
  const custom = args.peers !== undefined || args.duration !== undefined || args['join-over'] !== undefined;
  const base = custom ? `convergence-${size.peers}p-${size.durationS}s` : args.quick ? 'convergence-quick' : 'convergence';
  const name = args['heap-mb'] ? `${base}-heap${Number(args['heap-mb'])}` : base;
  console.log(`== convergence (${file}: ${size.peers} peers joining over ${size.joinOverS} s, ${size.durationS} simulated s, seed ${SEED}; one child process per strategy)`);
  const prev = previousResult<ConvergenceResult>(name);
  const sameSize = prev && JSON.stringify(prev.value.scenario) === JSON.stringify({ file, ...size });
  if (prev) console.log(sameSize ? `  compared with ${prev.from}` : `  ${prev.from} has a different size (${JSON.stringify(prev.value.scenario)}): no ratios`);
  const loadStart = loadavg();
  const rows: ConvergenceRow[] = [];
  for (const strategy of args.strategies.split(',').map((s) => s.trim())) {
    const scenario = { ...raw, seed: SEED, durationS: size.durationS, peers: { ...raw.peers, count: size.peers, joinOverS: size.joinOverS }, protocol: { ...raw.protocol, strategy } };
    const yamlPath = join(tmp, `convergence-${strategy}.yaml`);
    writeFileSync(yamlPath, stringifyYaml(scenario));
    // Kept under results/runs/ (not committed): the whole summary (topology, discovery, resilience) for notes.
    const out = join(RESULTS, 'runs', `bench-${name}-${strategy}`);
    console.log(`  ${strategy}: running (peermap run, fresh process) ...`);
    const heapFlags = args['heap-mb'] ? [`--max-old-space-size=${Number(args['heap-mb'])}`] : [];
    const host = await hostSpeed();
    const rowLoadStart = loadavg();
    const { run: child, metrics: m } = await runChild(strategy, yamlPath, out, heapFlags, 60_000);
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
    const row: ConvergenceRow = {
      strategy,
      commit: header.commit,
      loadAverage: { start: rowLoadStart, end: loadavg() },
      ...(host ? { hostSpeed: host } : {}),
      cpuModel: header.machine.cpuModel,
      ...child,
      messagesPerPeerPerSecond: m.messages.perPeerPerSecond as number,
      bytesPerPeerPerSecond: m.messages.bytesPerPeerPerSecond as number,
      messagesPerPeerPerSecondSteady: num(m.messages.perPeerPerSecondSteady),
      bytesPerPeerPerSecondSteady: num(m.messages.bytesPerPeerPerSecondSteady),
      timeTo50PctS: num(m.discovery?.timeTo50PctS),
      timeTo90PctS: num(m.discovery?.timeTo90PctS),
      mapBytesPerPeer: num(m.memory?.mapBytesPerPeer),
      lccFraction: num(m.topology?.lccFraction),
      avgPathLength: num(m.topology?.avgPathLength),
    };
    rows.push(row);
    const p = sameSize ? prev.value.results.find((x) => x.strategy === strategy) : undefined;
    console.log(`  ${strategy}: trace ${row.traceHash}, ${row.eventsProcessed} events, ${row.endReason}`);
    console.log(ratioLine(`${strategy} wall`, row.wallSeconds, p?.wallSeconds, 's', true));
    if (host) {
      console.log(ratioLine(`${strategy} host, ns per memory load`, host.memoryNsPerLoad, p?.hostSpeed?.memoryNsPerLoad, 'ns', true));
      console.log(ratioLine(`${strategy} host, ns per hash op`, host.computeNsPerOp, p?.hostSpeed?.computeNsPerOp, 'ns', true));
      const guide = hostGuide(strategy, row, p && { ...p, cpuModel: cpuOf(p, prev?.value) });
      if (guide !== undefined) console.log(guide);
    }
    console.log(ratioLine(`${strategy} peak RSS`, row.peakRssBytes / 2 ** 20, p && p.peakRssBytes / 2 ** 20, 'MiB', true));
    console.log(ratioLine(`${strategy} events/s`, row.eventsPerSecond, p?.eventsPerSecond, 'ev/s'));
    console.log(ratioLine(`${strategy} messages/peer/s`, row.messagesPerPeerPerSecond, p?.messagesPerPeerPerSecond, '', true));
    console.log(ratioLine(`${strategy} bytes/peer/s`, row.bytesPerPeerPerSecond, p?.bytesPerPeerPerSecond, 'B', true));
    if (row.messagesPerPeerPerSecondSteady !== null) {
      console.log(ratioLine(`${strategy} messages/peer/s (steady)`, row.messagesPerPeerPerSecondSteady, p?.messagesPerPeerPerSecondSteady ?? undefined, '', true));
      console.log(ratioLine(`${strategy} bytes/peer/s (steady)`, row.bytesPerPeerPerSecondSteady ?? 0, p?.bytesPerPeerPerSecondSteady ?? undefined, 'B', true));
    }
  }
  // Strategies not re-run keep their row from the file being replaced, else the committed one (same size only).
  const path = `${RESULTS}/bench-${name}.json`;
  const onDisk = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ConvergenceResult) : undefined;
  rows.push(...keptRows(rows.map((r) => r.strategy), { file, ...size }, onDisk, prev?.value));
  const result = {
    bench: name,
    ...header,
    scenario: { file, ...size },
    ...(args['heap-mb'] ? { nodeFlags: [`--max-old-space-size=${Number(args['heap-mb'])}`] } : {}),
    method:
      'each strategy runs in a fresh `peermap run` child process, so peakRssBytes is that run\'s (includes the runtime, ~150 MiB); wallSeconds is the simulation loop, processWallSeconds the whole child; message rates from metrics.messages (steady = second half of the run, after the last join)',
    /** 1-, 5- and 15-minute load averages before and after: other processes on the machine skew wall times. */
    loadAverage: { start: loadStart, end: loadavg() },
    results: rows,
  };
  writeJsonAtomic(path, result);
  console.log(`  written ${path}`);
}

// ------------------------------------------------------------------ scale

/** One large scenario in a fresh child process with a raised heap: does it complete, in what time and memory. */
async function scaleSection(): Promise<void> {
  const file = args['scale-file'];
  const raw = parseYaml(readFileSync(file, 'utf8')) as { name?: string; peers: { count: number; joinOverS?: number }; durationS: number };
  const name = raw.name ?? `scale-${raw.peers.count}`;
  const heapMb = Number(args['scale-heap-mb']);
  console.log(`== scale (${file}: ${raw.peers.count} peers, ${raw.durationS} simulated s, seed ${SEED}, --max-old-space-size=${heapMb})`);
  const prev = previousResult<{ result: { wallSeconds: number; peakRssBytes: number } }>(name);
  const yamlPath = join(tmp, `${name}.yaml`);
  writeFileSync(yamlPath, stringifyYaml({ ...raw, seed: SEED }));
  const out = join(RESULTS, 'runs', `bench-${name}`);
  const loadStart = loadavg();
  const { run: s, metrics: m } = await runChild(name, yamlPath, out, [`--max-old-space-size=${heapMb}`], 300_000);
  const result = {
    bench: name,
    ...header,
    scenario: { file, peers: raw.peers.count, durationS: raw.durationS, joinOverS: raw.peers.joinOverS ?? 0 },
    nodeFlags: [`--max-old-space-size=${heapMb}`],
    loadAverage: { start: loadStart, end: loadavg() },
    result: {
      ...s,
      messages: { perPeerPerSecond: m.messages?.perPeerPerSecond, perPeerPerSecondSteady: m.messages?.perPeerPerSecondSteady, bytesPerPeerPerSecondSteady: m.messages?.bytesPerPeerPerSecondSteady },
      discovery: { coverageMean: m.discovery?.coverageMean, coverageP10: m.discovery?.coverageP10, timeTo50PctS: m.discovery?.timeTo50PctS, mapPrecision: m.discovery?.mapPrecision, mapRecall: m.discovery?.mapRecall },
      memory: { mapBytesPerPeer: m.memory?.mapBytesPerPeer },
      topology: { lccFraction: m.topology?.lccFraction, avgPathLength: m.topology?.avgPathLength, diameter: m.topology?.diameter, clustering: m.topology?.clustering, pathsExact: m.topology?.pathsExact, bfsSources: m.topology?.bfsSources, degree: m.topology?.degree },
    },
  };
  console.log(`  ${name}: trace ${s.traceHash}, ${s.eventsProcessed} events, ${s.endReason}`);
  console.log(ratioLine(`${name} wall`, s.wallSeconds, prev?.value.result.wallSeconds, 's', true));
  console.log(ratioLine(`${name} peak RSS`, s.peakRssBytes / 2 ** 20, prev && prev.value.result.peakRssBytes / 2 ** 20, 'MiB', true));
  writeJsonAtomic(`${RESULTS}/bench-${name}.json`, result);
  console.log(`  written ${RESULTS}/bench-${name}.json`);
}

// ------------------------------------------------------------------ sweep

/** A fixed CPU-bound loop (no allocation) as a child process: its wall time. */
const SPIN = 'let x = 0; for (let i = 0; i < 4e8; i++) x = (x + i * 7) % 1000003; if (x < 0) console.log(x);';

/**
 * What the machine can give two parallel jobs right now: one spin process
 * alone, then two at once; `ratio` = 2 × alone / together, 2 on an idle
 * 2-core machine, lower when other processes compete (the best speed-up a
 * 2-worker sweep could reach at that moment).
 */
async function parallelCapacity(): Promise<{ aloneSeconds: number; togetherSeconds: number; ratio: number }> {
  const spin = () => run(process.execPath, ['-e', SPIN], { quietStdout: true });
  const alone = (await spin()).wallSeconds;
  const together = Math.max(...(await Promise.all([spin(), spin()])).map((r) => r.wallSeconds));
  return { aloneSeconds: alone, togetherSeconds: together, ratio: (2 * alone) / together };
}

/**
 * The same sweep split over two OS processes at once (`--shard 1/2` and
 * `--shard 2/2`, `--workers 1` each): the jobs of a 2-worker sweep with
 * nothing shared but the machine. Its wall time is what the machine allows
 * two simulations at that moment (shared caches, memory bandwidth, the VM
 * host); the pool cannot beat it and should match it.
 */
async function shardedSweep(common: string[], out: string): Promise<number> {
  const t0 = performance.now();
  const shards = await Promise.all(
    [1, 2].map((i) => run(process.execPath, ['bin/peermap.mjs', 'sweep', ...common, '--workers', '1', '--shard', `${i}/2`, '--out', `${out}-${i}`], { quietStdout: true })),
  );
  for (const r of shards) if (r.code !== 0) throw new Error(`sharded sweep failed (exit ${r.code}):\n${r.stdout}`);
  return (performance.now() - t0) / 1000;
}

async function sweepSection(): Promise<void> {
  const file = args['sweep-file'];
  const rounds = Math.max(1, Number(args['sweep-rounds']));
  const common = [file, '--strategies', args['sweep-strategy'], '--seeds', args['sweep-seeds'], '--duration', args['sweep-duration'], '--quiet'];
  console.log(`== sweep (peermap sweep ${common.join(' ')}: --workers 1 vs --workers 2 vs two --shard processes, ${rounds} round${rounds === 1 ? '' : 's'} interleaved, medians)`);
  const prev = previousResult<{ results: { workers: number; wallSeconds: number; sweepWallSeconds: number }[]; speedup: number; command: string }>('sweep');
  const loadStart = loadavg();
  if (loadStart[0] > 0.5) console.log(`  note: load average ${loadStart.map((x) => x.toFixed(2)).join(', ')} — other processes are competing for the CPUs; the speed-up will be lower than on an idle machine`);
  const capacityStart = await parallelCapacity();
  console.log(`  parallel capacity now: one CPU-bound process ${capacityStart.aloneSeconds.toFixed(2)} s, two at once ${capacityStart.togetherSeconds.toFixed(2)} s → at most ×${capacityStart.ratio.toFixed(2)} from 2 workers`);
  const measured: Record<number, { wallSeconds: number; sweepWallSeconds: number; jobWallSecondsMean: number; jobCpuSecondsMean: number | null; peakRssBytes: number }[]> = { 1: [], 2: [] };
  const outputs: { round: number; workers: number; commit: string; text: string }[] = [];
  const shardedSeconds: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const workers of [1, 2]) {
      const out = join(tmp, `sweep-r${round}-w${workers}`);
      const r = await run(process.execPath, ['bin/peermap.mjs', 'sweep', ...common, '--workers', String(workers), '--out', out], { quietStdout: true });
      if (r.code !== 0) throw new Error(`sweep --workers ${workers} failed (exit ${r.code}):\n${r.stdout}`);
      const s = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as SweepResult;
      outputs.push({ round, workers, commit: s.commit, text: JSON.stringify(withoutExecution(s)) });
      const runs = Object.values(s.results).flatMap((x) => x.runs);
      const m = {
        wallSeconds: r.wallSeconds,
        sweepWallSeconds: s.execution.wallSeconds ?? 0,
        jobWallSecondsMean: runs.reduce((a, x) => a + x.execution.wallSeconds, 0) / runs.length,
        jobCpuSecondsMean: runs.every((x) => x.execution.cpuSeconds !== null) ? runs.reduce((a, x) => a + (x.execution.cpuSeconds ?? 0), 0) / runs.length : null,
        peakRssBytes: Math.max(...runs.map((x) => x.execution.peakRssBytes)),
      };
      measured[workers].push(m);
      const cpu = m.jobCpuSecondsMean === null ? '' : `, ${m.jobCpuSecondsMean.toFixed(2)} s of their thread's CPU`;
      console.log(`  round ${round + 1}, --workers ${workers}: ${m.wallSeconds.toFixed(2)} s (sweep ${m.sweepWallSeconds.toFixed(2)} s; jobs ${m.jobWallSecondsMean.toFixed(2)} s each on average${cpu})`);
      rmSync(out, { recursive: true, force: true });
    }
    const sharded = await shardedSweep(common, join(tmp, `sweep-r${round}-shard`));
    shardedSeconds.push(sharded);
    console.log(`  round ${round + 1}, two --shard i/2 processes at once: ${sharded.toFixed(2)} s`);
  }
  const capacityEnd = await parallelCapacity();
  console.log(`  parallel capacity after: at most ×${capacityEnd.ratio.toFixed(2)} from 2 workers`);
  const results = [1, 2].map((workers) => ({
    workers,
    wallSeconds: median(measured[workers].map((m) => m.wallSeconds)),
    sweepWallSeconds: median(measured[workers].map((m) => m.sweepWallSeconds)),
    jobWallSecondsMean: median(measured[workers].map((m) => m.jobWallSecondsMean)),
    jobCpuSecondsMean: measured[workers].every((m) => m.jobCpuSecondsMean !== null) ? median(measured[workers].map((m) => m.jobCpuSecondsMean ?? 0)) : null,
    peakRssBytes: Math.max(...measured[workers].map((m) => m.peakRssBytes)),
    rounds: measured[workers],
  }));
  for (const r of results) {
    const p = prev?.value.results.find((x) => x.workers === r.workers);
    console.log(ratioLine(`--workers ${r.workers} wall (whole command, median)`, r.wallSeconds, p?.wallSeconds, 's', true));
  }
  // Within each round, --workers 2 must reproduce --workers 1 exactly; across rounds only if nobody changed the code meanwhile.
  const text = (round: number, workers: number) => outputs.find((o) => o.round === round && o.workers === workers)?.text;
  const identicalPerRound = Array.from({ length: rounds }, (_, r) => text(r, 1) === text(r, 2));
  const identical = identicalPerRound.every(Boolean);
  const commits = [...new Set(outputs.map((o) => o.commit))];
  const roundsAgree = outputs.every((o) => o.text === outputs[0].text);
  if (!roundsAgree) console.log(`  note: rounds differ from each other: the code changed during the bench${commits.length > 1 ? ` (${commits.join(' → ')})` : ' (uncommitted edits)'}`);
  const speedup = results[0].wallSeconds / results[1].wallSeconds;
  const sweepSpeedup = results[0].sweepWallSeconds / results[1].sweepWallSeconds;
  console.log(ratioLine('speed-up, workers 2 vs 1 (whole command)', speedup, prev?.value.speedup));
  console.log(`  speed-up of the sweep itself (after process start-up): ×${sweepSpeedup.toFixed(2)}`);
  const [w1, w2] = results;
  if (w1.jobCpuSecondsMean !== null && w2.jobCpuSecondsMean !== null) {
    // Where a job's extra time goes with 2 workers: more CPU for the same instructions (shared caches, memory bandwidth,
    // the VM host), or waiting for a CPU (V8's GC and compiler threads, other processes).
    const cpuRatio = w2.jobCpuSecondsMean / w1.jobCpuSecondsMean;
    const waitShare = (w: typeof w1) => 1 - (w.jobCpuSecondsMean ?? 0) / w.jobWallSecondsMean;
    console.log(
      `  per job, --workers 2 vs 1: wall ×${(w2.jobWallSecondsMean / w1.jobWallSecondsMean).toFixed(3)}, own-thread CPU ×${cpuRatio.toFixed(3)} (same work, more cycles); time off-CPU ${(100 * waitShare(w1)).toFixed(1)}% vs ${(100 * waitShare(w2)).toFixed(1)}%`,
    );
  }
  const shardedWallSeconds = median(shardedSeconds);
  const shardedSpeedup = results[0].wallSeconds / shardedWallSeconds;
  console.log(`  two separate processes (--shard 1/2 and 2/2 at once, median ${shardedWallSeconds.toFixed(2)} s): ×${shardedSpeedup.toFixed(2)} — what the machine allows two simulations`);
  console.log(`  pool efficiency: speed-up ${speedup.toFixed(2)} / two processes' ${shardedSpeedup.toFixed(2)} = ${(speedup / shardedSpeedup).toFixed(2)}`);
  console.log(`  --workers 2 results identical to --workers 1 apart from execution fields: ${identicalPerRound.map((x, r) => `round ${r + 1} ${x ? 'yes' : 'NO'}`).join(', ')}`);
  const result = {
    bench: 'sweep',
    ...header,
    command: `peermap sweep ${common.join(' ')} --workers N`,
    method:
      'the same sweep with --workers 1, --workers 2 and as two --shard processes at once, each a fresh process, rounds interleaved; medians. wallSeconds: the whole command; sweepWallSeconds: from sweep.json (after start-up); jobWallSecondsMean: per-job simulation time; jobCpuSecondsMean: CPU time of the thread that ran each job (Linux; 10 ms ticks)',
    loadAverage: { start: loadStart, end: loadavg() },
    /** The best speed-up two parallel CPU-bound processes got at the start and end (2 on an idle 2-core machine). */
    parallelCapacity: { start: capacityStart, end: capacityEnd },
    /** The same sweep as two OS processes at once (--shard 1/2, 2/2, --workers 1 each), per round: the machine's ceiling for 2 workers. */
    sharded: { wallSeconds: shardedWallSeconds, rounds: shardedSeconds, speedup: shardedSpeedup },
    poolEfficiency: speedup / shardedSpeedup,
    results,
    speedup,
    sweepSpeedup,
    identicalResults: identical,
    identicalPerRound,
    roundsAgree,
    ...(commits.length > 1 ? { commitsSeen: commits } : {}),
  };
  writeJsonAtomic(`${RESULTS}/bench-sweep.json`, result);
  console.log(`  written ${RESULTS}/bench-sweep.json`);
  if (!identical) process.exitCode = 1;
}

try {
  if (only.includes('engine')) await engineSection();
  if (only.includes('convergence')) await convergenceSection();
  if (only.includes('sweep')) await sweepSection();
  if (only.includes('scale')) await scaleSection();
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
