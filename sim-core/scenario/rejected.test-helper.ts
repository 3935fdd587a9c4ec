import { expect } from 'vitest';
import { ScenarioError } from './errors.ts';
import { parseScenario, type ScenarioOverrides } from './load.ts';

/** The ScenarioError that parsing `text` (with `overrides`) throws; fails the test if it parses or throws anything else. */
export function rejected(text: string, overrides: ScenarioOverrides = {}, source = 'test.yaml'): ScenarioError {
  try {
    parseScenario(text, source, overrides);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return e as ScenarioError;
  }
  throw new Error('expected the scenario to be rejected');
}
