/**
 * Wire fuzzer: random garbage, mutated and re-chunked valid frames, oversized
 * length prefixes, fed to FrameDecoder. A failure is any throw other than a
 * returned WireError, a buffer over its limit, a chunking that changes the
 * outcome, or a round-trip mismatch. Exits 1 on failure.
 *
 *   npm run fuzz:wire -- [--cases 1000000] [--seed S] [--max-failures 10] [--only I] [--codec both]
 *
 * --only I regenerates the cases of the same seed but checks only case I.
 * --codec: the IdCodec each case is decoded with: `exact` (canonical test
 * codec), `registry` (the production IdentityRegistry, with a table of
 * unknown ids bounded at a random 0–64 entries or the default, so frames are
 * dropped at the bound), or `both` (each case under each; the default).
 */
import { parseArgs } from 'node:util';
import seedrandom from 'seedrandom';
import { checkCase, exactIdCodec, makeCase, type FuzzMode } from '../sim-core/wire/fuzz.ts';
import type { IdCodec } from '../sim-core/wire/ids.ts';
import { DEFAULT_MAX_FOREIGN_IDS, IdentityRegistry } from '../sim-core/protocols/identity/registry.ts';
import { modelSigner } from '../sim-core/protocols/identity/signer.ts';

const { values: args } = parseArgs({
  options: {
    cases: { type: 'string', default: '1000000' },
    seed: { type: 'string' },
    'max-failures': { type: 'string', default: '10' },
    only: { type: 'string' },
    codec: { type: 'string', default: 'both' },
  },
});
const CODEC = args.codec!;
if (!['exact', 'registry', 'both'].includes(CODEC)) {
  console.error('usage: --codec exact | registry | both');
  process.exit(2);
}
const CASES = Number(args.cases);
const MAX_FAILURES = Number(args['max-failures']);
const ONLY = args.only === undefined ? -1 : Number(args.only);
if (!Number.isSafeInteger(CASES) || CASES < 1 || !Number.isSafeInteger(MAX_FAILURES) || MAX_FAILURES < 1 || !Number.isSafeInteger(ONLY) || ONLY >= CASES) {
  console.error('usage: npm run fuzz:wire -- [--cases N ≥ 1] [--seed S] [--max-failures N ≥ 1] [--only I < N]');
  process.exit(2);
}
// A fresh seed per run unless given; printed so any run can be replayed.
const SEED = args.seed ?? String(Date.now() % 1_000_000_000);
const replay = `npm run fuzz:wire -- --cases ${CASES} --seed ${SEED} --codec ${CODEC}`;

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
  // The registry's bound is drawn with the case, before skipping, so `--only` replays it.
  const bound = CODEC === 'exact' ? 0 : rand() < 0.5 ? Math.floor(rand() * 65) : DEFAULT_MAX_FOREIGN_IDS;
  if (ONLY >= 0 && i !== ONLY) continue;
  checked++;
  perMode.set(c.mode, (perMode.get(c.mode) ?? 0) + 1);
  bytes += c.stream.length;
  let failure: string | null = null;
  try {
    if (CODEC !== 'registry') failure = checkCase(c, exactIdCodec);
    if (failure === null && CODEC !== 'exact') {
      const registry = (): IdCodec => new IdentityRegistry(modelSigner, undefined, bound);
      failure = checkCase(c, registry);
      if (failure !== null) failure = `registry codec (bound ${bound}): ${failure}`;
    }
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
