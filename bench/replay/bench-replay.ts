/**
 * `npm run bench:replay -- [FILE]`: the dashboard replaying a recorded run in
 * headless Chromium (/usr/bin/chromium): how long a seek takes (from the call
 * to the canvas showing the frame of that time) and the frame rate while
 * playing at 30 simulated s per wall s. FILE is a replay.ndjson.gz from
 * `peermap run --record`; without one, web-ui/scenarios/ui-2500.yaml
 * (2,500 peers) is recorded for its first 120 simulated s first.
 * A measurement, not a test: it depends on the machine and its load, which
 * results/replay-bench.json records beside the numbers.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Page } from 'playwright-core';
import { runCommand } from '../../sim-core/node/cli/run-command.ts';
import { readReplayFile } from '../../sim-core/node/record-file.ts';
import { gitCommit } from '../../sim-core/node/machine.ts';
import { CHROMIUM, HAVE_CHROMIUM, openDashboard, pageState, REPO, startDashboard, waitForState, type Dashboard } from '../../web-ui/e2e/browser.ts';

const RESULTS = join(REPO, 'results');
const FPS_WINDOWS_MS = [3000, 3000, 3000];
const PLAY_SPEED = 30;
/** Seek targets, as fractions of the recorded span: forward, back, across keyframes. */
const SEEK_FRACTIONS = [0.5, 0.1, 0.9, 0.3, 0.7, 0.05, 0.95, 0.6, 0.2, 0.8];

const r1 = (x: number) => Math.round(x * 10) / 10;

/** In the page: seek, then wait (animation frames) until the canvas painted the frame of that time; wall ms. */
async function seekMs(page: Page, tS: number): Promise<number> {
  return page.evaluate(async (tS) => {
    type Hook = { seek(s: number): void; state(): { nowS: number; seq: number; painted: ({ seq: number } | null)[] } };
    const pm = (window as unknown as { __peermap: Hook }).__peermap;
    const t0 = performance.now();
    pm.seek(tS);
    for (;;) {
      await new Promise((r) => requestAnimationFrame(r));
      const s = pm.state();
      if (Math.abs(s.nowS - tS) < 1e-6 && s.painted[0] !== null && s.painted[0].seq === s.seq) return performance.now() - t0;
    }
  }, tS);
}

async function main(): Promise<number> {
  if (!HAVE_CHROMIUM) {
    console.error(`bench:replay: ${CHROMIUM} not found (apt-get install -y chromium)`);
    return 2;
  }
  const dir = mkdtempSync(join(tmpdir(), 'peermap-bench-replay-'));
  let dash: Dashboard | undefined;
  try {
    let file = process.argv[2];
    if (!file) {
      console.log('bench:replay: recording web-ui/scenarios/ui-2500.yaml, 120 simulated s');
      const out = join(dir, 'run');
      if ((await runCommand(join(REPO, 'web-ui/scenarios/ui-2500.yaml'), { duration: 120, out, force: true, quiet: true, record: true })) !== 0) return 1;
      file = join(out, 'replay.ndjson.gz');
    }
    const data = readReplayFile(file);
    const spanS = (data.keys[data.keys.length - 1].tUs - data.keys[0].tUs) / 1e6;
    console.log('bench:replay: building the dashboard');
    dash = await startDashboard(dir);
    copyFileSync(file, join(dir, 'dist', 'bench.ndjson.gz'));
    const load1 = loadavg()[0];
    const { page, errors } = await openDashboard(dash, `?replay=bench.ndjson.gz&speed=${PLAY_SPEED}`);
    await waitForState(page, 's.replay !== null && s.painted[0] !== null');
    const peers = (await pageState(page)).peers[0];
    const seeks: { tS: number; ms: number }[] = [];
    for (const f of SEEK_FRACTIONS) {
      const tS = Math.round(f * spanS);
      seeks.push({ tS, ms: r1(await seekMs(page, tS)) });
    }
    await seekMs(page, 0);
    await page.getByTestId('play').click();
    await waitForState(page, 's.playing');
    const startS = (await pageState(page)).nowS;
    const fps: number[] = [];
    for (const ms of FPS_WINDOWS_MS) fps.push(r1((await page.evaluate((ms) => (window as unknown as { __peermap: { measureFps(ms: number): Promise<{ fps: number }> } }).__peermap.measureFps(ms), ms)).fps));
    const s = await pageState(page);
    if (errors.length > 0) throw new Error(`bench:replay: the page reported errors:\n${errors.join('\n')}`);
    const sorted = [...seeks.map((x) => x.ms)].sort((a, b) => a - b);
    const report = {
      replay: { file: basename(file), bytes: statSync(file).size, scenario: data.header.scenario, strategy: data.header.strategy, peers: data.header.peers, spanS, peersAtEnd: data.keys[data.keys.length - 1].addresses.length },
      peersShownAtStart: peers,
      seek: { medianMs: sorted[Math.floor(sorted.length / 2)], worstMs: sorted[sorted.length - 1], seeks },
      playing: { speed: PLAY_SPEED, fpsMedian: [...fps].sort((a, b) => a - b)[1], fpsWindows: fps, simulatedSecondsDuringMeasurement: r1(s.nowS - startS), peersUp: s.up[0], links: s.links[0] },
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', loadavg1AtStart: r1(load1), loadavg1AtEnd: r1(loadavg()[0]) },
      commit: gitCommit(),
      measuredAt: new Date().toISOString(),
    };
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, 'replay-bench.json'), JSON.stringify(report, null, 2) + '\n');
    console.log(
      `bench:replay: ${report.replay.peersAtEnd} peers, ${spanS} s recorded; seek median ${report.seek.medianMs} ms, worst ${report.seek.worstMs} ms; ` +
        `playing at ${PLAY_SPEED}×: ${report.playing.fpsMedian} fps median (windows ${fps.join(', ')}); load average ${report.machine.loadavg1AtStart} -> ${report.machine.loadavg1AtEnd}. Wrote results/replay-bench.json`,
    );
    await page.close();
    return 0;
  } finally {
    await dash?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
