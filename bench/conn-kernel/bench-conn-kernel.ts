// npm run bench:conn-kernel [-- --quick]: the connection-cycle kernel against the Kademlia row of the convergence bench.
// Writes results/bench-conn-kernel.json (each run in its own process, timed with process CPU time).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { gitCommit, machineInfo } from '../../sim-core/node/machine.ts';
import { runConnKernel } from './run.ts';
import { childOutput } from '../children/children.ts';

const SEED = 'bench-conn-kernel-1';
const OUT = resolve('results/bench-conn-kernel.json');
const CONVERGENCE = resolve('results/bench-convergence.json');
/** Lookups per peer per second: gives about the dials per peer per second of Kademlia on convergence-2500. */
const LOOKUP_RATE = 0.4;

interface Job {
  peers: number;
  durationS: number;
}

const FULL: Job[] = [
  { peers: 1000, durationS: 300 },
  { peers: 2500, durationS: 1800 },
];
const QUICK: Job[] = [{ peers: 300, durationS: 120 }];

function child(peers: number, durationS: number): void {
  const r = runConnKernel(peers, durationS, SEED, { lookupsPerPeerPerS: LOOKUP_RATE });
  process.stdout.write(JSON.stringify(r) + '\n');
}

async function spawnJob(j: Job): Promise<ReturnType<typeof runConnKernel>> {
  const args = ['bin/tsx-run.mjs', 'bench/conn-kernel/bench-conn-kernel.ts', '--child', String(j.peers), String(j.durationS)];
  // A tracked child, not execFileSync: the bench killed by its pid takes the run down with it.
  const text = await childOutput(process.execPath, args);
  return JSON.parse(text.trim().split('\n').pop()!);
}

/** The in-situ Kademlia row (same scenario size) of the convergence bench, when there is one. */
function inSitu(): Record<string, number | string> | undefined {
  if (!existsSync(CONVERGENCE)) return undefined;
  const conv = JSON.parse(readFileSync(CONVERGENCE, 'utf8')) as { results: Record<string, any>[] };
  const row = conv.results.find((r) => r.strategy === 'kademlia');
  if (!row) return undefined;
  return {
    commit: row.commit,
    traceHash: row.traceHash,
    events: row.eventsProcessed,
    wallSeconds: row.wallSeconds,
    wallNsPerEvent: (row.wallSeconds * 1e9) / row.eventsProcessed,
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') return child(Number(argv[1]), Number(argv[2]));
  const quick = argv.includes('--quick');
  const loadStart = loadavg();
  const runs = [];
  for (const j of quick ? QUICK : FULL) {
    const r = await spawnJob(j);
    runs.push(r);
    console.log(
      `${j.peers} peers ${j.durationS} s: ${r.events} events, ${r.stats.dials} dials, cpu ${r.cpuS.toFixed(1)} s, ` +
        `${r.cpuNsPerEvent.toFixed(0)} ns/event, ${r.cpuUsPerDial.toFixed(1)} µs/dial, ${r.eventsPerDial.toFixed(1)} events/dial, peak RSS ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
    );
  }
  const real = inSitu();
  const full = runs.find((r) => r.params.peers === 2500);
  const kernelWallNs = full && (full.wallS * 1e9) / full.events;
  const comparison = real && full && kernelWallNs && {
    inSitu: real,
    kernelWallNsPerEvent: kernelWallNs,
    wallNsPerEventRatio: (real.wallNsPerEvent as number) / kernelWallNs,
    kernelWallSecondsAtInSituEvents: (kernelWallNs * (real.events as number)) / 1e9,
  };
  if (comparison) {
    console.log(
      `in situ (kademlia row at ${String(real.commit).slice(0, 7)}): ${(real.wallNsPerEvent as number).toFixed(0)} wall ns/event; kernel ${comparison.kernelWallNsPerEvent.toFixed(0)} ` +
        `(${comparison.wallNsPerEventRatio.toFixed(1)}×); the in-situ event count at the kernel's rate: ${comparison.kernelWallSecondsAtInSituEvents.toFixed(1)} s wall`,
    );
  }
  if (quick) return;
  const result = {
    bench: 'conn-kernel',
    seed: SEED,
    commit: gitCommit(),
    machine: { ...machineInfo(), loadAverageStart: loadStart, loadAverageEnd: loadavg() },
    lookupsPerPeerPerS: LOOKUP_RATE,
    runs,
    comparison,
  };
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${OUT}`);
}

await main();
