/**
 * A fixed workload that does not depend on peermap's code, measured next to
 * each convergence run: the same 2-core VM ran the same traces 1.4× slower
 * on one day than on another, and a wall-time ratio alone cannot tell that
 * from a regression. Two parts, because the simulator is mostly waiting on
 * memory (first touches of cold lines), a little on arithmetic:
 *
 * - memory: dependent loads at random over a 128 MiB Int32Array (each load's
 *   address comes from the previous one: latency, as in the simulator);
 * - compute: a register-only integer hash loop.
 *
 * Each part is run three times and the fastest kept (a load spike slows one
 * repetition; a slow host slows all three). Run as a child process:
 * `node bin/tsx-run.mjs bench/host-speed.ts` prints one JSON line.
 */
import { performance } from 'node:perf_hooks';

const MEMORY_WORDS = 1 << 25; // 128 MiB
const MEMORY_LOADS = 4_000_000;
const COMPUTE_OPS = 200_000_000;
const REPEATS = 3;

export interface HostSpeed {
  /** Nanoseconds per dependent random load over 128 MiB (best of three). */
  memoryNsPerLoad: number;
  /** Nanoseconds per iteration of the integer hash loop (best of three). */
  computeNsPerOp: number;
}

/** A random cycle through the array: next[i] is the index loaded after i (Sattolo's shuffle, a fixed LCG). */
export function cycle(words: number): Int32Array {
  const next = new Int32Array(words);
  for (let i = 0; i < words; i++) next[i] = i;
  let x = 0x2545f491;
  for (let i = words - 1; i > 0; i--) {
    x = (Math.imul(x, 1664525) + 1013904223) | 0;
    const j = (x >>> 0) % i;
    const t = next[i];
    next[i] = next[j];
    next[j] = t;
  }
  return next;
}

function chase(next: Int32Array, loads: number): number {
  let i = 0;
  for (let k = 0; k < loads; k++) i = next[i];
  return i;
}

function hashLoop(ops: number): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < ops; k++) h = Math.imul(h ^ k, 16777619) ^ (h >>> 15);
  return h;
}

function best(run: () => number): number {
  let ms = Infinity;
  let sink = 0;
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    sink ^= run();
    ms = Math.min(ms, performance.now() - t0);
  }
  if (sink === 0x7fffffff) console.error(''); // keeps the loops from being optimised away
  return ms;
}

export function measureHostSpeed(): HostSpeed {
  const next = cycle(MEMORY_WORDS);
  const memoryMs = best(() => chase(next, MEMORY_LOADS));
  const computeMs = best(() => hashLoop(COMPUTE_OPS));
  return { memoryNsPerLoad: (memoryMs * 1e6) / MEMORY_LOADS, computeNsPerOp: (computeMs * 1e6) / COMPUTE_OPS };
}

if (process.argv[1]?.endsWith('host-speed.ts')) console.log(JSON.stringify(measureHostSpeed()));
