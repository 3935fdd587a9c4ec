import { closeSync, openSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { MAX_SCENARIO_BYTES, parseScenario, type ScenarioOverrides } from '../scenario/load.ts';
import { ScenarioError } from '../scenario/errors.ts';
import { makeDirs } from './out-dir.ts';
import type { Scenario } from '../scenario/schema/index.ts';

/** Reads and validates a scenario file; every failure is a ScenarioError naming the file. */
export function loadScenarioFile(path: string, overrides: ScenarioOverrides = {}): Scenario {
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > MAX_SCENARIO_BYTES) throw tooBig(path, `${size} bytes`);
    text = readCapped(path, MAX_SCENARIO_BYTES);
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    throw new ScenarioError(path, [{ path: '', got: undefined, allowed: `a readable file (${(e as Error).message})` }]);
  }
  return parseScenario(text, path, overrides);
}

function tooBig(path: string, got: string): ScenarioError {
  return new ScenarioError(path, [{ path: '', got, allowed: `at most ${MAX_SCENARIO_BYTES} bytes` }]);
}

/**
 * The file as UTF-8, reading at most `max` + 1 bytes whatever it is: a
 * device or a pipe (/dev/zero, /dev/stdin) has no size to check first.
 */
function readCapped(path: string, max: number): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(Math.min(max + 1, 64 * 1024));
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > max) throw tooBig(path, `more than ${max} bytes`);
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Writes a file atomically: a temp file in the same folder, then rename over the target. */
export function writeFileAtomic(path: string, data: string): void {
  makeDirs(dirname(path), 'output');
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}
