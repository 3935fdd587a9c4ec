import { isMap, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { scenarioSchema, type Scenario } from './schema/index.ts';
import { ScenarioError, type ScenarioProblem } from './errors.ts';
import { checkPlaceNames } from './places.ts';

/** Bound on scenario text, so a hostile file cannot make the parser allocate without limit. */
export const MAX_SCENARIO_BYTES = 1 << 20;

/** Command-line overrides, applied on top of the file before validation. */
export interface ScenarioOverrides {
  seed?: number;
  peers?: number;
  durationS?: number;
}

/**
 * Parses and validates scenario text (YAML 1.2). Total: returns a Scenario
 * or throws one ScenarioError listing every problem with its field path,
 * the value found, what is allowed and the line.
 */
export function parseScenario(text: string, source = 'scenario', overrides: ScenarioOverrides = {}): Scenario {
  if (text.length > MAX_SCENARIO_BYTES) {
    throw new ScenarioError(source, [{ path: '', got: `${text.length} bytes`, allowed: `at most ${MAX_SCENARIO_BYTES} bytes` }]);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      source,
      doc.errors.map((e) => ({ path: '', got: undefined, allowed: `YAML syntax: ${e.message.split('\n')[0]}`, line: lines.linePos(e.pos[0]).line })),
    );
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ScenarioError(source, [{ path: '', got: JSON.stringify(raw) ?? 'nothing', allowed: 'a mapping of scenario fields' }]);
  }
  const overridden = applyOverrides(raw as Record<string, unknown>, overrides);
  const result = scenarioSchema.safeParse(overridden.value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => toProblem(issue, overridden.value, doc, lines, overridden.flags));
    throw new ScenarioError(source, problems);
  }
  const places = checkPlaceNames(result.data);
  if (places.length > 0) {
    throw new ScenarioError(
      source,
      places.map((p) => ({ path: p.path.join('.'), got: JSON.stringify(p.got), allowed: p.allowed, line: lineOf(doc, lines, p.path.map(String)) })),
    );
  }
  return result.data;
}

/** Validates an already-built object (from the UI or a test). */
export function validateScenarioObject(value: unknown, source = 'scenario'): Scenario {
  const result = scenarioSchema.safeParse(value);
  if (!result.success) throw new ScenarioError(source, result.error.issues.map((i) => toProblem(i, value, undefined, undefined, {})));
  const places = checkPlaceNames(result.data);
  if (places.length > 0) throw new ScenarioError(source, places.map((p) => ({ path: p.path.join('.'), got: JSON.stringify(p.got), allowed: p.allowed })));
  return result.data;
}

function applyOverrides(raw: Record<string, unknown>, o: ScenarioOverrides) {
  const value: Record<string, unknown> = structuredClone(raw);
  const flags: Record<string, string> = {};
  if (o.seed !== undefined) {
    value.seed = o.seed;
    flags.seed = '--seed';
  }
  if (o.durationS !== undefined) {
    value.durationS = o.durationS;
    flags.durationS = '--duration';
  }
  if (o.peers !== undefined) {
    const peers = value.peers;
    value.peers = peers !== null && typeof peers === 'object' ? { ...(peers as object), count: o.peers } : { count: o.peers };
    flags['peers.count'] = '--peers';
  }
  return { value, flags };
}

function toProblem(
  issue: z.core.$ZodIssue,
  root: unknown,
  doc: Document | undefined,
  lines: LineCounter | undefined,
  flags: Record<string, string>,
): ScenarioProblem {
  let path = issue.path.map(String);
  let allowed = describeAllowed(issue);
  if (issue.code === 'unrecognized_keys') {
    path = [...path, issue.keys[0]];
    allowed = `unknown field${issue.keys.length > 1 ? 's ' + issue.keys.join(', ') : ''}; allowed here: ${allowedKeys(root, issue.path)}`;
  }
  if (issue.code === 'invalid_union' && issue.discriminator !== undefined && path[path.length - 1] !== issue.discriminator) {
    path = [...path, issue.discriminator];
  }
  const dotted = path.join('.');
  const value = valueAt(root, path);
  const flag = flags[dotted];
  return {
    path: flag ? `${dotted} (from ${flag})` : dotted,
    got: value === undefined ? undefined : truncate(JSON.stringify(value)),
    allowed,
    line: doc && lines && !flag ? lineOf(doc, lines, path) : undefined,
  };
}

function describeAllowed(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small': {
      const b = Number(issue.minimum);
      return `must be ${issue.inclusive ? '≥' : '>'} ${b}` + (issue.origin === 'string' ? ' characters long' : '');
    }
    case 'too_big': {
      const b = Number(issue.maximum);
      return `must be ${issue.inclusive ? '≤' : '<'} ${b}` + (issue.origin === 'string' ? ' characters long' : '');
    }
    case 'invalid_type':
      return `must be ${issue.expected === 'int' ? 'an integer' : `a ${issue.expected}`}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      return options ? `must be one of ${options.map((v) => JSON.stringify(v)).join(', ')}` : 'matches no allowed form';
    }
    case 'invalid_format':
      return `must match ${issue.format}` + (issue.message ? ` (${issue.message})` : '');
    default:
      return issue.message;
  }
}

function allowedKeys(root: unknown, path: readonly PropertyKey[]): string {
  // Walk the (strict) schema alongside the value to the object that held the unknown key.
  let schema: unknown = scenarioSchema;
  let value: unknown = root;
  for (const key of path) {
    schema = shapeOf(schema, value)?.[String(key)];
    value = valueAt(value, [String(key)]);
  }
  const shape = shapeOf(schema, value);
  return shape ? Object.keys(shape).join(', ') : '(see the README)';
}

type AnySchema = { def?: { type?: string; innerType?: unknown; in?: unknown; schema?: unknown; options?: unknown[]; discriminator?: string; shape?: Record<string, unknown> }; shape?: Record<string, unknown> };

function unwrap(schema: unknown): AnySchema {
  let s = schema as AnySchema;
  for (let i = 0; i < 16 && s?.def; i++) {
    const t = s.def.type;
    if (t === 'default' || t === 'optional' || t === 'nullable' || t === 'prefault') s = s.def.innerType as AnySchema;
    else if (t === 'pipe') s = s.def.in as AnySchema;
    else break;
  }
  return s;
}

function shapeOf(schema: unknown, value: unknown): Record<string, unknown> | undefined {
  const s = unwrap(schema);
  if (s?.def?.type === 'object') return s.def.shape;
  if (s?.def?.type === 'union' && s.def.options) {
    const disc = s.def.discriminator;
    const v = value as Record<string, unknown> | undefined;
    for (const opt of s.def.options) {
      const shape = shapeOf(opt, undefined);
      const lit = shape && disc ? unwrap(shape[disc]) : undefined;
      const values = (lit as { def?: { values?: unknown[] } })?.def?.values;
      if (!disc || (values && v && values.includes(v[disc]))) return shape;
    }
  }
  return undefined;
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let v = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

function lineOf(doc: Document, lines: LineCounter, path: readonly string[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const sub = path.slice(0, n);
    const node = doc.getIn(sub, true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lines.linePos(node.range[0]).line;
    // A missing key: point at the mapping that should hold it.
    const parent = n > 0 ? doc.getIn(sub.slice(0, -1), true) : doc.contents;
    if (isMap(parent) && n > 0) {
      const pair = parent.items.find((p) => (p.key as { value?: unknown })?.value === sub[n - 1]);
      const keyNode = pair?.key as { range?: [number, number, number] } | undefined;
      if (keyNode?.range) return lines.linePos(keyNode.range[0]).line;
    }
  }
  return undefined;
}

function truncate(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}
