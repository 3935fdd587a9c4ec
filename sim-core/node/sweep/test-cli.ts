/** Shared setup of the sweep and merge tests: a temp folder with a scenario file, the CLI as a child, and readers for its outputs. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withoutExecution, type SweepResult, type SweepRunFile } from './sweep.ts';

/** A new temp folder `peermap-<name>-…` holding `tiny.yaml` with `yaml`, and `cli(...args)` running bin/peermap.mjs. */
export function cliSetup(name: string, yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), `peermap-${name}-`));
  // No git for the children: every output records commit "unknown", so commits made while the tests run cannot make shards differ.
  const env = { ...process.env, GIT_DIR: join(dir, 'no-git') };
  const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/peermap.mjs', ...args], { encoding: 'utf8', env });
  const file = join(dir, 'tiny.yaml');
  writeFileSync(file, yaml);
  return { dir, cli, file };
}

export const readJson = <T>(p: string) => JSON.parse(readFileSync(p, 'utf8')) as T;

/** sweep.json with every `execution` (wall times, RSS, workers, shard, machine) removed, as text. */
export const deterministic = (d: string) => JSON.stringify(withoutExecution(readJson<SweepResult>(join(d, 'sweep.json'))), null, 2);

/** The run files of folder `d` by name, each without its `execution`, as text. */
export const runFiles = (d: string) =>
  Object.fromEntries(
    readdirSync(join(d, 'runs'))
      .sort()
      .map((f) => [f, JSON.stringify(withoutExecution(readJson<SweepRunFile>(join(d, 'runs', f))))]),
  );
