import { DEFAULT_RECORD, Recorder } from '../../sim-core/record/recorder.ts';
import type { ReplayRecord } from '../../sim-core/record/format.ts';
import type { Simulation } from '../../sim-core/scenario/simulation.ts';

/**
 * NDJSON text a live lane keeps for "save replay" (one-byte strings: about
 * this many bytes of memory). Past it the recording stops and the saved file
 * ends there (its end record says so): 32 MB holds a 50-peer classroom run
 * for days and ui-2500 (2,500 peers) for tens of simulated minutes.
 */
export const MAX_RECORDING_CHARS = 32 << 20;

/** Why a saved file ends where it does. */
export const END_SAVED = 'saved-while-running';
export const END_BOUND = 'recording-bound';

/**
 * Records a live lane as `peermap run --record` would (the same Recorder:
 * captures every simulated second, a keyframe every minute), into memory as
 * NDJSON lines. Only reads the simulation, so a recorded lane keeps its trace.
 */
export class LaneRecording {
  readonly recorder: Recorder;
  /** Records after the header (the header is rebuilt when saving: actions added by fault buttons join it). */
  private readonly lines: string[] = [];
  private chars = 0;
  /** Set once the bound is reached: the simulated time of the last record kept. */
  stoppedAtUs: number | undefined;

  constructor(private readonly sim: Simulation) {
    let first = true;
    this.recorder = new Recorder(sim, DEFAULT_RECORD, (r) => {
      if (first) {
        first = false; // the header: rebuilt at save time
        return;
      }
      this.keep(r);
    });
  }

  get bytes(): number {
    return this.chars;
  }

  private keep(r: ReplayRecord): void {
    if (this.stoppedAtUs !== undefined) return;
    const line = JSON.stringify(r);
    if (this.chars + line.length + 1 > MAX_RECORDING_CHARS) {
      this.stoppedAtUs = this.lastUs();
      return;
    }
    this.lines.push(line);
    this.chars += line.length + 1;
  }

  private lastUs(): number {
    const last = this.lines[this.lines.length - 1];
    return last ? (JSON.parse(last) as { tUs: number }).tUs : 0;
  }

  /** Where the simulation's step stops for the next capture (never, once the recording has stopped). */
  get nextUs(): number {
    return this.stoppedAtUs === undefined ? this.recorder.nextUs : Number.POSITIVE_INFINITY;
  }

  /** Call after any step: records the capture that is due. */
  afterStep(): void {
    if (this.stoppedAtUs === undefined && this.recorder.due()) this.recorder.capture();
  }

  /**
   * The replay file's text as of now. While the bound has not been reached
   * the recorder checkpoints (changes so far and a keyframe) and the file
   * ends now; past it, the file ends at the last record kept (the keyframe
   * the reader needs is the last one recorded before, so the file still seeks).
   */
  text(): string {
    const end: ReplayRecord =
      this.stoppedAtUs === undefined ? this.recorder.checkpoint(END_SAVED) : { type: 'end', tUs: this.stoppedAtUs, traceHash: '', events: 0, endReason: END_BOUND };
    return [JSON.stringify(this.recorder.header()), ...this.lines, JSON.stringify(end), ''].join('\n');
  }
}

/** gzip through the platform's CompressionStream (browsers, workers, Node ≥ 18): what `peermap run --record` writes. */
export async function gzipText(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
