import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../scenario/errors.ts';
import { MAX_SCENARIO_BYTES } from '../scenario/load.ts';
import { loadScenarioFile } from './files.ts';

describe('loadScenarioFile', () => {
  it.skipIf(!existsSync('/dev/zero'))('reads at most the size cap from a file with no size (a device, a pipe), then names the cap', () => {
    let err: unknown;
    try {
      loadScenarioFile('/dev/zero');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as ScenarioError).message).toContain(`more than ${MAX_SCENARIO_BYTES} bytes`);
  });

  it('a folder or a missing file is a ScenarioError naming it; a scenario loads', () => {
    expect(() => loadScenarioFile('scenarios')).toThrow(/scenarios: a readable file/);
    expect(() => loadScenarioFile('no/such.yaml')).toThrow(ScenarioError);
    expect(loadScenarioFile('scenarios/default.yaml').peers.count).toBe(200);
  });
});
