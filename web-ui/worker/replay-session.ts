import { REPLAY_LIMITS } from '../../sim-core/record/format.ts';
import { readCapped } from '../client/read-capped.ts';
import { parseReplayText, ReplayFormatError } from '../../sim-core/record/reader.ts';
import { Replay, stateCsr, type ReplayState } from '../../sim-core/record/replay.ts';
import { ForceLayout } from './layout.ts';
import { MAX_REPLAY_LANES, MAX_REPLAY_MARKERS, MAX_REPLAY_TEXT_BYTES_TOTAL, type Frame, type LaneFrame, type LoadInfo, type SeriesPoint, type ViewOptions } from './protocol.ts';

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
  const tooLarge = () => new ReplayFormatError('file', `larger than ${maxTextBytes} bytes decompressed`);
  let text: Uint8Array;
  try {
    text = await readCapped(gz ? stream.pipeThrough(new DecompressionStream('gzip')) : stream, maxTextBytes, tooLarge);
  } catch (e) {
    if (e instanceof ReplayFormatError) throw e;
    throw new ReplayFormatError('file', `not a readable gzip file (${e instanceof Error ? e.message : String(e)})`);
  }
  return new TextDecoder().decode(text);
}

function checkLaneCount(n: number): void {
  if (n > MAX_REPLAY_LANES) throw new ReplayFormatError('file', `at most ${MAX_REPLAY_LANES} replays side by side, got ${n}`);
}

/**
 * The texts of the replay files opened together: counted before any is
 * decompressed, and sharing one budget (MAX_REPLAY_TEXT_BYTES_TOTAL), so
 * several small files cannot inflate into more than a tab holds.
 */
export async function replayTexts(files: readonly { bytes: ArrayBuffer | Uint8Array; source: string }[]): Promise<ReplayFile[]> {
  checkLaneCount(files.length);
  const maxTextBytes = Math.min(REPLAY_LIMITS.maxTextBytes, Math.floor(MAX_REPLAY_TEXT_BYTES_TOTAL / Math.max(1, files.length)));
  return Promise.all(
    files.map(async (f) => {
      try {
        return { text: await replayText(f.bytes, maxTextBytes), source: f.source };
      } catch (e) {
        if (files.length > 1 && e instanceof Error) e.message = `${f.source}: ${e.message}`;
        throw e;
      }
    }),
  );
}

/** One replay file's text and the name it is shown by. */
export interface ReplayFile {
  text: string;
  source: string;
}

export { MAX_REPLAY_LANES };

/** One replay file's playback: its state at the playhead, layout and series sent. */
class ReplayLane {
  readonly replay: Replay;
  cur: ReplayState;
  layout: ForceLayout | undefined;
  /** Series points already sent, and whether the next frame must replace the UI's series (after a seek back). */
  seriesSent = 0;
  seriesReset = true;

  constructor(
    readonly file: ReplayFile,
    public label: string,
  ) {
    this.replay = new Replay(parseReplayText(file.text));
    this.cur = this.replay.at(this.replay.startUs);
  }

  get endUs(): number {
    return this.replay.endUs;
  }

  get done(): boolean {
    return this.cur.tUs >= this.endUs;
  }

  seek(tUs: number): void {
    const t = Math.max(this.replay.startUs, Math.min(this.endUs, Math.round(tUs)));
    if (t >= this.cur.tUs) {
      // Forward: from a keyframe when one lies past the state at hand (the file's keyframes, not the header's
      // claim of their spacing), else on from here. The series sent so far stays valid either way.
      if (this.replay.keyframeAtOrBefore(t) > this.cur.tUs) this.cur = this.replay.at(t);
      else this.replay.advance(this.cur, t);
    } else {
      this.cur = this.replay.at(t);
      this.seriesSent = 0;
      this.seriesReset = true;
    }
  }

  frame(view: ViewOptions, transfer: ArrayBufferLike[]): LaneFrame {
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
      strategy: this.label,
      nowUs: s.tUs,
      events: this.done ? (end?.events ?? 0) : 0,
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
    transfer.push(offsets.buffer, targets.buffer, state.buffer, addresses.buffer);
    const cut = this.replay.partitionAt(s.tUs);
    if (cut.names.length > 0) {
      const sides = new Uint8Array(n);
      for (let i = 0; i < n; i++) sides[i] = cut.sides.get(s.addresses[i]) ?? 0;
      lane.partition = { names: cut.names, sides };
      transfer.push(sides.buffer);
    }
    if (view.layout) {
      this.layout ??= new ForceLayout(() => performance.now());
      this.layout.update(n, csr.offsets, csr.targets, Uint8Array.from(s.state));
      this.layout.tick();
      lane.positions = this.layout.positions(n);
      transfer.push(lane.positions.buffer);
    }
    return lane;
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

/**
 * Recorded runs played back in the dashboard: the same Frame objects as a
 * live Session, built from the replays' keyframes and deltas instead of a
 * simulation. Several replays (the runs of one `peermap compare --record`)
 * are lanes on one timeline: one playhead, a seek moves every lane (a lane
 * whose recording ends earlier stays at its end). `advance` moves the
 * playhead, so the worker's play loop drives replays and live runs alike.
 */
export class ReplaySession {
  readonly lanes: ReplayLane[];
  private tUs: number;

  constructor(files: string | readonly ReplayFile[], source = 'replay') {
    const list = typeof files === 'string' ? [{ text: files, source }] : files;
    if (list.length === 0) throw new ReplayFormatError('file', 'no replay file given');
    checkLaneCount(list.length);
    this.lanes = list.map((f) => {
      try {
        return new ReplayLane(f, '');
      } catch (e) {
        // Say which file, when there are several.
        if (list.length > 1 && e instanceof Error) e.message = `${f.source}: ${e.message}`;
        throw e;
      }
    });
    // Lanes are named by strategy; by strategy and seed when that is ambiguous.
    const strategies = this.lanes.map((l) => l.replay.data.header.strategy);
    const unique = new Set(strategies).size === strategies.length;
    this.lanes.forEach((l, i) => (l.label = unique ? strategies[i] : `${strategies[i]} seed ${l.replay.data.header.seed}`));
    this.tUs = this.startUs;
  }

  /** The first lane's replay (the only one, for a single file). */
  get replay(): Replay {
    return this.lanes[0].replay;
  }

  get startUs(): number {
    return this.lanes.reduce((m, l) => Math.min(m, l.replay.startUs), Number.POSITIVE_INFINITY);
  }

  get endUs(): number {
    return this.lanes.reduce((m, l) => Math.max(m, l.endUs), 0);
  }

  get nowUs(): number {
    return this.tUs;
  }

  get done(): boolean {
    return this.tUs >= this.endUs;
  }

  /** Replays run no events; the status bar shows the recorded runs' counts at their ends. */
  get events(): number {
    return this.lanes.reduce((s, l) => s + (l.done ? (l.replay.data.end?.events ?? 0) : 0), 0);
  }

  /** Moves the playhead to `tUs` (clamped) in every lane: forward by deltas, backwards from the keyframe before it. */
  seek(tUs: number): void {
    this.tUs = Math.max(this.startUs, Math.min(this.endUs, Math.round(tUs)));
    for (const l of this.lanes) l.seek(this.tUs);
  }

  /** The play loop's step: there is nothing to compute, so the goal is always reached. */
  advance(goalUs: number): boolean {
    this.seek(goalUs);
    return true;
  }

  info(): LoadInfo {
    const h = this.replay.data.header;
    const p = h.places;
    const continentsPresent = p ? [...new Set(this.lanes[0].cur.addresses.map((a) => p.continent[a]))].sort((a, b) => a - b).map((c) => h.continents[c]) : [];
    // Every lane's markers; the same action or fault in several lanes (a compare run) shows once.
    const seen = new Set<string>();
    const all = this.lanes
      .flatMap((l) => l.replay.markers)
      .filter((m) => {
        const k = `${m.tS}|${m.kind}|${m.label}`;
        return !seen.has(k) && !!seen.add(k);
      })
      .sort((a, b) => a.tS - b.tS);
    // Each marker is a button on the timeline: a file listing 300,000 faults froze the page.
    const markers = all.slice(0, MAX_REPLAY_MARKERS);
    return {
      name: h.scenario,
      description: h.description,
      seed: h.seed,
      durationS: Math.max(...this.lanes.map((l) => l.replay.data.header.durationS)),
      peers: h.peers,
      strategies: this.lanes.map((l) => l.label),
      roundS: 1,
      places: p && { lat: Float32Array.from(p.lat), lon: Float32Array.from(p.lon), continent: Int8Array.from(p.continent), continents: h.continents, cities: [] },
      continents: continentsPresent,
      typeNames: Object.fromEntries(Object.entries(h.typeNames).map(([k, v]) => [Number(k), v])),
      replay: {
        source: this.lanes.map((l) => l.file.source).join(' + '),
        startS: this.startUs / 1e6,
        endS: this.endUs / 1e6,
        markers,
        markersDropped: all.length - markers.length,
        traceHash: this.replay.data.end?.traceHash ?? '',
        sources: this.lanes.map((l) => l.file.source),
      },
    };
  }

  frame(view: ViewOptions, seq: number, playing: boolean, eventsPerS: number): { frame: Frame; transfer: ArrayBufferLike[] } {
    const transfer: ArrayBufferLike[] = [];
    const lanes = this.lanes.map((l) => l.frame(view, transfer));
    const frame: Frame = { seq, nowUs: this.tUs, endUs: this.endUs, playing, done: this.done, lanes, recorded: [], eventsPerS };
    return { frame, transfer };
  }
}
