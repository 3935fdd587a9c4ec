/**
 * One live worker thread: the scenario's hosts with address % of === index,
 * on their own event loop, real TCP to the other workers' hosts. Messages
 * to the coordinator (live-workers.ts): 'bound' (ports), one 'sample' per
 * sample time, 'final' (reports, counters, starvation) and 'closed'.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Scenario } from '../../scenario/schema/index.ts';
import { BindError } from './live-net.ts';
import { LiveRun } from './live-run.ts';
import { useNativeEd25519 } from './native-ed25519.ts';
import { countersData, reportPeers } from './peer-report.ts';

export interface WorkerInit {
  scenario: Scenario;
  index: number;
  of: number;
  latency: boolean;
  /** Sign with node:crypto (as `peermap live`), or noble (as the simulator and the tests). */
  native: boolean;
}

export type ToCoordinator =
  | { type: 'bound'; ports: [number, number][] }
  | { type: 'error'; bind: boolean; message: string }
  | { type: 'sample'; seq: number; tS: number; peers: ReturnType<typeof reportPeers>; counters: ReturnType<typeof countersData>; openConnections: number }
  | {
      type: 'final';
      tS: number;
      peers: ReturnType<typeof reportPeers>;
      counters: ReturnType<typeof countersData>;
      steady: { tUs: number; sentCount: Float64Array; sentBytes: Float64Array } | undefined;
      result: { eventsProcessed: number; protocolErrors: number; foreignAccepted: number; skippedActions: string[]; sampleLateMaxS: number; openConnections: number };
      starvation: ReturnType<LiveRun['starvationBlock']>;
      timers: ReturnType<LiveRun['net']['timerLateness']['raw']>;
      samples: ReturnType<LiveRun['net']['timerLateness']['raw']>;
    }
  | { type: 'closed'; socketsOpenAtEnd: number };

export type ToWorker = { type: 'begin'; remote: [number, number][] } | { type: 'stop' };

if (!parentPort) throw new Error('live-worker-main.ts runs only as a worker thread (see live-workers.ts)');
const port = parentPort;
const init = workerData as WorkerInit;
const post = (m: ToCoordinator) => port.postMessage(m);
const restore = init.native ? useNativeEd25519() : () => {};
let seq = 0;
let stopped = false;
const run: LiveRun = new LiveRun(init.scenario, {
  latency: init.latency,
  signer: init.native ? 'openssl' : 'noble',
  part: { index: init.index, of: init.of },
  onSample: () => post({ type: 'sample', seq: seq++, tS: Math.round(run.elapsedS * 1000) / 1000, peers: reportPeers(run), counters: countersData(run.net.counters), openConnections: run.net.openConnections }),
});

async function main(): Promise<void> {
  try {
    post({ type: 'bound', ports: await run.bind() });
  } catch (e) {
    post({ type: 'error', bind: e instanceof BindError, message: e instanceof Error ? e.message : String(e) });
    await run.close();
    return end();
  }
  port.on('message', (m: ToWorker) => {
    if (m.type === 'stop') stopped = true;
    else if (m.type === 'begin') void finish(m.remote);
  });
}

async function finish(remote: [number, number][]): Promise<void> {
  run.begin(remote);
  await run.runToEnd(() => stopped);
  const starvation = run.starvationBlock(true);
  post({
    type: 'final',
    tS: Math.round(run.elapsedS * 1000) / 1000,
    peers: reportPeers(run, true),
    counters: countersData(run.net.counters),
    steady: run.steadySnapshot,
    result: {
      eventsProcessed: run.net.eventsProcessed,
      protocolErrors: run.net.protocolErrors,
      foreignAccepted: run.net.foreignAccepted,
      skippedActions: run.skippedActions,
      sampleLateMaxS: run.sampleLateMaxS,
      openConnections: run.net.openConnections,
    },
    starvation,
    timers: run.starvation.timers.raw(),
    samples: run.starvation.samples.raw(),
  });
  post({ type: 'closed', socketsOpenAtEnd: await run.close() });
  end();
}

function end(): void {
  restore();
  port.close();
}

void main();
