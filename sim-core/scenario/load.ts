import { scenarioSchema, type Scenario } from './schema/index.ts';
import { ScenarioError } from './errors.ts';
import { checkPlaceNames } from './places.ts';
import { fieldOf, lineOf, shown, toProblems, type Origin } from './describe.ts';
import { checkResources } from './resources.ts';
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
  const { doc, lines } = origin;
  const where = (path: readonly string[]) => (doc && lines ? lineOf(doc, lines, path) : undefined);
  const resources = checkResources(result.data);
  if (resources.length > 0) {
    throw new ScenarioError(source, resources.map((p) => ({ ...fieldOf(p.path.join('.'), origin.flags, where(p.path)), got: shown(p.got), allowed: p.allowed })));
  }
  const places = checkPlaceNames(result.data);
  if (places.length > 0) {
    throw new ScenarioError(
      source,
      places.map((p) => ({ ...fieldOf(p.path.join('.'), origin.flags, where(p.path.map(String))), got: shown(p.got), allowed: p.allowed })),
    );
  }
  return result.data;
}
