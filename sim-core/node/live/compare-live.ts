import { join } from 'node:path';
import { Simulation } from '../../scenario/simulation.ts';
import { writeFileAtomic, writeJsonAtomic } from '../files.ts';
import { gitCommit } from '../machine.ts';
import { prepareOutDir } from '../out-dir.ts';
import { compareRuns, formatCompare } from './compare-metrics.ts';
import { LiveLimitError } from './limits.ts';
import { BindError } from './live-net.ts';
import { starvationVerdict } from './starvation.ts';
import { measureEd25519 } from './native-ed25519.ts';
import { fail, LIVE_FOLDER, runLiveScenario, startableScenario, type LiveOptions } from './live-command.ts';

/**
 * `peermap compare-live FILE`: the same scenario (real signatures and bytes
 * on the wire in both) simulated, then run live on loopback; the figures
 * side by side with their tolerances (compare-metrics.ts). The live run adds
 * the scenario's per-pair delay unless --no-latency, so both see the same
 * delays. Exit 0 when every figure is within tolerance, 1 otherwise, 2 on a
 * bad scenario, limit or bind failure.
 */
export async function compareLiveCommand(file: string, opts: LiveOptions): Promise<number> {
  const scenario = startableScenario(file, opts);
  if (typeof scenario === 'number') return scenario;
  const out = prepareOutDir({ out: opts.out, force: opts.force === true, defaultBase: LIVE_FOLDER, name: `${scenario.name}-compare`, markers: ['compare-live.json'] });
  const latency = opts.latency !== false;
  console.log(`compare-live: ${scenario.name}, ${scenario.peers.count} peers, ${scenario.durationS} s, seed ${scenario.seed}; live latency: ${latency ? 'scenario model' : 'loopback only'}; workers: ${opts.workers ?? 1}`);
  console.log(`  output: ${out}`);
  const simStart = performance.now();
  const sim = new Simulation(structuredClone(scenario)).runToEnd();
  console.log(`simulated in ${((performance.now() - simStart) / 1000).toFixed(1)} s (trace ${sim.traceHash}); now live for ${scenario.durationS} s…`);
  let live;
  try {
    live = await runLiveScenario(scenario, { latency, workers: opts.workers, log: (s) => console.log(s) });
  } catch (e) {
    if (e instanceof LiveLimitError || e instanceof BindError) return fail(e.message);
    throw e;
  }
  const rows = compareRuns(sim.metrics, live.metrics, scenario.durationS, scenario.metrics.sampleEveryS);
  const table = formatCompare(rows);
  console.log(table);
  const outside = rows.filter((r) => r.ok === false).length;
  console.log(`${rows.length - outside} of ${rows.length} figures within tolerance; live: ${live.live.protocolErrors} protocol errors, ${live.live.socketsOpenAtEnd} sockets open at the end, samples up to ${live.live.sampleLateMaxS.toFixed(2)} s late (event-loop lag)`);
  const verdict = starvationVerdict(live.live.starvation);
  console.log(verdict.line);
  // The simulator charges the modelled cost; the live run pays OpenSSL's (the simulated run computed noble's, off the clock).
  const ed = measureEd25519();
  const crypto = { ...ed, modelSignUs: scenario.crypto.signUs, modelVerifyUs: scenario.crypto.verifyUs };
  console.log(`Ed25519 CPU here: OpenSSL sign ${ed.opensslSignUs} µs, verify ${ed.opensslVerifyUs} µs (live runs); noble sign ${ed.nobleSignUs} µs, verify ${ed.nobleVerifyUs} µs; modelled signUs ${crypto.modelSignUs}, verifyUs ${crypto.modelVerifyUs}`);
  writeFileAtomic(join(out, 'compare-live.txt'), `${table}\n${verdict.line}\n`);
  writeJsonAtomic(join(out, 'compare-live.json'), { scenario: scenario.name, peers: scenario.peers.count, seed: scenario.seed, commit: gitCommit(), latency, rows, verdict, crypto, sim, live });
  console.log(`compare: ${join(out, 'compare-live.json')}`);
  return outside > 0 || live.live.socketsOpenAtEnd > 0 ? 1 : 0;
}
