import { createWriteStream, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { createGzip, gunzipSync } from 'node:zlib';
import { REPLAY_LIMITS, type ReplayRecord } from '../record/format.ts';
import { parseReplayText, ReplayFormatError, type ReplayData } from '../record/reader.ts';
import { Recorder, stepRecorded, type RecordOptions } from '../record/recorder.ts';
import type { Simulation } from '../scenario/simulation.ts';

/**
 * Writes replay records to PATH as gzip'd NDJSON, through PATH.tmp renamed at
 * the end (a reader never sees half a file). The stream compresses as the run
 * goes, so memory stays flat however long the run.
 */
export class ReplayFileWriter {
  private readonly gzip = createGzip({ level: 6 });
  private readonly file;
  private readonly tmp: string;
  private closed = false;

  constructor(readonly path: string) {
    this.tmp = `${path}.tmp`;
    this.file = createWriteStream(this.tmp);
    this.gzip.pipe(this.file);
  }

  write(r: ReplayRecord): void {
    this.gzip.write(`${JSON.stringify(r)}\n`);
  }

  /** Resolves once the compressor has room again (call between chunks of the run). */
  async drain(): Promise<void> {
    if (this.gzip.writableNeedDrain) await once(this.gzip, 'drain');
  }

  /** Gives up (the run was cancelled): no file is left behind. */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    this.gzip.destroy();
    this.file.destroy();
    rmSync(this.tmp, { force: true });
  }

  /** Flushes, closes and renames into place; returns the file's size in bytes. */
  async close(): Promise<number> {
    if (!this.closed) {
      this.closed = true;
      const finished = once(this.file, 'close');
      this.gzip.end();
      await finished;
      renameSync(this.tmp, this.path);
    }
    return statSync(this.path).size;
  }
}

/** A recording attached to a run: the recorder and its file. */
export class RecordedRun {
  readonly writer: ReplayFileWriter;
  readonly recorder: Recorder;

  constructor(
    readonly sim: Simulation,
    path: string,
    opts: RecordOptions,
  ) {
    this.writer = new ReplayFileWriter(path);
    this.recorder = new Recorder(sim, opts, (r) => this.writer.write(r));
  }

  /** `Simulation.step` for a recorded run: stops at capture times too. */
  step(maxEvents: number, untilUs?: number): boolean {
    return stepRecorded(this.sim, this.recorder, maxEvents, untilUs);
  }

  /** Ends the recording (endReason as the summary gives it); returns the file's size. */
  async close(endReason: string): Promise<number> {
    this.recorder.finish(endReason);
    return this.writer.close();
  }
}

/** Reads and validates a replay file (bounded: a hostile file cannot inflate past the reader's limit). */
export function readReplayFile(path: string): ReplayData {
  let text: string;
  try {
    text = gunzipSync(readFileSync(path), { maxOutputLength: REPLAY_LIMITS.maxTextBytes }).toString('utf8');
  } catch (e) {
    throw new ReplayFormatError('file', `not a readable gzip file (${(e as Error).message})`);
  }
  return parseReplayText(text);
}
