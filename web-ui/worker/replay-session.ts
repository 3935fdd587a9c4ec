import { REPLAY_LIMITS } from '../../sim-core/record/format.ts';
import { parseReplayText, ReplayFormatError } from '../../sim-core/record/reader.ts';
import { Replay, stateCsr, type ReplayState } from '../../sim-core/record/replay.ts';
import { ForceLayout } from './layout.ts';
import type { Frame, LaneFrame, LoadInfo, SeriesPoint, ViewOptions } from './protocol.ts';

/**
 * Reads a replay file's bytes: gzip (detected by its magic bytes) through the
 * platform's DecompressionStream, or plain NDJSON; stops with a typed error
 * past the reader's size limit, so a small hostile file cannot inflate
 * without bound.
 */
export async function replayText(bytes: ArrayBuffer | Uint8Array, maxTextBytes: number = REPLAY_LIMITS.maxTextBytes): Promise<string> {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const gz = u8.length >= 2 && u8[0] === 0x1f && u8[1] === 0x8b;
  const stream = new Blob([u8 as Uint8Array<ArrayBuffer>]).stream();
  const reader = (gz ? stream.pipeThrough(new DecompressionStream('gzip')) : stream).getReader();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxTextBytes) {
        await reader.cancel();
        throw new ReplayFormatError('file', `larger than ${maxTextBytes} bytes decompressed`);
      }
      parts.push(decoder.decode(value, { stream: true }));
    }
  } catch (e) {
    if (e instanceof ReplayFormatError) throw e;
    throw new ReplayFormatError('file', `not a readable gzip file (${e instanceof Error ? e.message : String(e)})`);
  }
  parts.push(decoder.decode());
  return parts.join('');
}

/**
 * A recorded run played back in the dashboard: the same Frame objects as a
 * live Session, built from the replay's keyframes and deltas instead of a
 * simulation. `advance` moves the playhead (forward: apply deltas; backward:
 * seek from a keyframe), so the worker's play loop drives both alike.
 */
export class ReplaySession {
  readonly replay: Replay;
  private cur: ReplayState;
  private layout: ForceLayout | undefined;
  /** Series points already sent, and whether the next frame must replace the UI's series (after a seek back). */
  private seriesSent = 0;
  private seriesReset = true;

  constructor(
    text: string,
    readonly source: string,
  ) {
    this.replay = new Replay(parseReplayText(text));
    this.cur = this.replay.at(this.replay.startUs);
  }

  get endUs(): number {
    return this.replay.endUs;
  }

  get nowUs(): number {
    return this.cur.tUs;
  }

  get done(): boolean {
    return this.cur.tUs >= this.endUs;
  }

  /** Replays run no events; the status bar shows the recorded run's count at the end. */
  get events(): number {
    return this.done ? (this.replay.data.end?.events ?? 0) : 0;
  }

  /** Moves the playhead to `tUs` (clamped): forward by deltas, backwards from the keyframe before it. */
  seek(tUs: number): void {
    const t = Math.max(this.replay.startUs, Math.min(this.endUs, Math.round(tUs)));
    if (t >= this.cur.tUs && t - this.cur.tUs <= this.replay.data.header.keyframeEveryUs) this.replay.advance(this.cur, t);
    else {
      this.cur = this.replay.at(t);
      this.seriesSent = 0;
      this.seriesReset = true;
    }
  }

  /** The play loop's step: there is nothing to compute, so the goal is always reached. */
  advance(goalUs: number): boolean {
    this.seek(goalUs);
    return true;
  }

  info(): LoadInfo {
    const h = this.replay.data.header;
    const p = h.places;
    const continentsPresent = p ? [...new Set(this.cur.addresses.map((a) => p.continent[a]))].sort((a, b) => a - b).map((c) => h.continents[c]) : [];
    return {
      name: h.scenario,
      description: h.description,
      seed: h.seed,
      durationS: h.durationS,
      peers: h.peers,
      strategies: [h.strategy],
      roundS: 1,
      places: p && { lat: Float32Array.from(p.lat), lon: Float32Array.from(p.lon), continent: Int8Array.from(p.continent), continents: h.continents, cities: [] },
      continents: continentsPresent,
      typeNames: Object.fromEntries(Object.entries(h.typeNames).map(([k, v]) => [Number(k), v])),
      replay: {
        source: this.source,
        startS: this.replay.startUs / 1e6,
        endS: this.endUs / 1e6,
        markers: this.replay.markers,
        traceHash: this.replay.data.end?.traceHash ?? '',
      },
    };
  }

  frame(view: ViewOptions, seq: number, playing: boolean, eventsPerS: number): { frame: Frame; transfer: ArrayBufferLike[] } {
    const s = this.cur;
    const csr = stateCsr(s);
    const { n } = csr;
    // Copies are transferred; the layout keeps the originals.
    const offsets = csr.offsets.slice();
    const targets = csr.targets.slice();
    const state = Uint8Array.from(s.state);
    const addresses = Int32Array.from(s.addresses);
    const series = this.seriesUpTo(s.tUs) as SeriesPoint[];
    const end = this.replay.data.end;
    const lane: LaneFrame = {
      strategy: this.replay.data.header.strategy,
      nowUs: s.tUs,
      events: this.events,
      traceHash: this.done && end ? end.traceHash : '(replay)',
      done: this.done,
      endReason: this.done ? end?.endReason : undefined,
      n,
      offsets,
      targets,
      state,
      addresses,
      series,
      ...(this.seriesReset && { seriesReset: true }),
    };
    this.seriesReset = false;
    const transfer: ArrayBufferLike[] = [offsets.buffer, targets.buffer, state.buffer, addresses.buffer];
    if (view.layout) {
      this.layout ??= new ForceLayout(() => performance.now());
      this.layout.update(n, csr.offsets, csr.targets, Uint8Array.from(s.state));
      this.layout.tick();
      lane.positions = this.layout.positions(n);
      transfer.push(lane.positions.buffer);
    }
    const frame: Frame = { seq, nowUs: s.tUs, endUs: this.endUs, playing, done: this.done, lanes: [lane], recorded: [], eventsPerS };
    return { frame, transfer };
  }

  /** Series points at or before `tUs` not sent yet. */
  private seriesUpTo(tUs: number): Record<string, number>[] {
    const all = this.replay.series;
    let k = this.seriesSent;
    while (k < all.length && Math.round(all[k].tS * 1e6) <= tUs) k++;
    const out = all.slice(this.seriesSent, k);
    this.seriesSent = k;
    return out;
  }
}
