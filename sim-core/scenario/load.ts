import { scenarioSchema, type Scenario } from './schema/index.ts';
import { ScenarioError } from './errors.ts';
import { checkPlaceNames } from './places.ts';
import { lineOf, shown, toProblems, type Origin } from './describe.ts';
import { applyOverrides, type ScenarioOverrides } from './overrides.ts';
import { readYaml } from './yaml-text.ts';

export { MAX_SCENARIO_BYTES, MAX_SCENARIO_KEYS } from './yaml-text.ts';
export { MAX_SETS, MAX_SET_LENGTH, parseSetArg, type ScenarioOverrides, type SetArg } from './overrides.ts';

/**
 * Parses and validates scenario text (YAML 1.2). Total: returns a Scenario
 * or throws one ScenarioError listing every problem with its field path,
 * the value found, what is allowed and the line (or the flag that set it).
 */
export function parseScenario(text: string, source = 'scenario', overrides: ScenarioOverrides = {}): Scenario {
  const { doc, lines, value: raw } = readYaml(text, source);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ScenarioError(source, [{ path: '', got: shown(raw) ?? 'nothing', allowed: 'a mapping of scenario fields' }]);
  }
  const { value, flags } = applyOverrides(raw as Record<string, unknown>, overrides, source);
  return validate(value, source, { doc, lines, flags });
}

/** Validates an already-built object (from the UI or a test), with the same checks as a file. */
export function validateScenarioObject(value: unknown, source = 'scenario'): Scenario {
  return validate(value, source, {});
}

function validate(value: unknown, source: string, origin: Origin): Scenario {
  const result = scenarioSchema.safeParse(value);
  if (!result.success) throw new ScenarioError(source, toProblems(result.error.issues, value, origin));
  const places = checkPlaceNames(result.data);
  if (places.length > 0) {
    const { doc, lines } = origin;
    throw new ScenarioError(
      source,
      places.map((p) => ({ path: p.path.join('.'), got: shown(p.got), allowed: p.allowed, line: doc && lines ? lineOf(doc, lines, p.path.map(String)) : undefined })),
    );
  }
  return result.data;
}
