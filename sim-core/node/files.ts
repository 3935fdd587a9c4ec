import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
    if (size > MAX_SCENARIO_BYTES) {
      throw new ScenarioError(path, [{ path: '', got: `${size} bytes`, allowed: `at most ${MAX_SCENARIO_BYTES} bytes` }]);
    }
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    throw new ScenarioError(path, [{ path: '', got: undefined, allowed: `a readable file (${(e as Error).message})` }]);
  }
  return parseScenario(text, path, overrides);
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
