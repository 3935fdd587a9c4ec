/**
 * Wire fuzzer: random garbage, mutated and re-chunked valid frames, oversized
 * length prefixes, fed to FrameDecoder. A failure is any throw other than a
 * returned WireError, a buffer over its limit, a chunking that changes the
 * outcome, or a round-trip mismatch. Exits 1 on failure.
 *
 *   npm run fuzz:wire -- [--cases 1000000] [--seed S] [--max-failures 10] [--only I]
 *
 * --only I regenerates the cases of the same seed but checks only case I.
 */
import { parseArgs } from 'node:util';
import seedrandom from 'seedrandom';
import { checkCase, makeCase, type FuzzMode } from '../sim-core/wire/fuzz.ts';

const { values: args } = parseArgs({
  options: {
    cases: { type: 'string', default: '1000000' },
    seed: { type: 'string' },
    'max-failures': { type: 'string', default: '10' },
    only: { type: 'string' },
  },
});
const CASES = Number(args.cases);
const MAX_FAILURES = Number(args['max-failures']);
const ONLY = args.only === undefined ? -1 : Number(args.only);
if (!Number.isSafeInteger(CASES) || CASES < 1 || !Number.isSafeInteger(MAX_FAILURES) || MAX_FAILURES < 1 || !Number.isSafeInteger(ONLY) || ONLY >= CASES) {
  console.error('usage: npm run fuzz:wire -- [--cases N ≥ 1] [--seed S] [--max-failures N ≥ 1] [--only I < N]');
  process.exit(2);
}
// A fresh seed per run unless given; printed so any run can be replayed.
const SEED = args.seed ?? String(Date.now() % 1_000_000_000);
const replay = `npm run fuzz:wire -- --cases ${CASES} --seed ${SEED}`;

const rand = seedrandom.alea(`peermap/fuzz-wire/${SEED}`);
const perMode = new Map<FuzzMode, number>();
const failures: string[] = [];
let failed = 0;
let checked = 0;
let bytes = 0;
const t0 = performance.now();
let lastReport = t0;

for (let i = 0; i < CASES; i++) {
  const c = makeCase(rand);
  if (ONLY >= 0 && i !== ONLY) continue;
  checked++;
  perMode.set(c.mode, (perMode.get(c.mode) ?? 0) + 1);
  bytes += c.stream.length;
  let failure: string | null;
  try {
    failure = checkCase(c);
  } catch (e) {
    failure = `harness threw ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
  }
  if (failure !== null) {
    failed++;
    if (failures.length < MAX_FAILURES) {
      const hex = Buffer.from(c.stream.subarray(0, 64)).toString('hex');
      failures.push(`case ${i} (${c.mode}, ${c.stream.length} bytes, max ${c.maxFrameBytes}, cuts [${c.cuts.slice(0, 16).join(',')}]): ${failure}\n    stream: ${hex}${c.stream.length > 64 ? '…' : ''}`);
    }
  }
  if ((i & 0x3fff) === 0 && process.stderr.isTTY) {
    const now = performance.now();
    if (now - lastReport > 1000) {
      lastReport = now;
      process.stderr.write(`\r${i} / ${CASES} cases, ${failed} failures`);
    }
  }
}
const seconds = (performance.now() - t0) / 1000;
if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');

console.log(`cases: ${checked}  failures: ${failed}  wall: ${seconds.toFixed(2)} s  cases/s: ${Math.round(checked / seconds)}  MB fed: ${(bytes / 1e6).toFixed(1)}`);
console.log(`modes: ${[...perMode].map(([m, n]) => `${m} ${n}`).join(', ')}`);
for (const f of failures) console.log(`FAIL ${f}`);
console.log(`seed: ${SEED}`);
console.log(`replay: ${replay}${failed > 0 ? '  (add --only I for one case)' : ''}`);
process.exit(failed > 0 ? 1 : 0);
