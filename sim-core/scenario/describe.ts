import { isMap, type Document, type LineCounter } from 'yaml';
import type { z } from 'zod';
import type { ScenarioProblem } from './errors.ts';
import { flagFor, type FlagMap } from './overrides.ts';
import { scenarioSchema } from './schema/index.ts';

/** Bound on problems reported from one validation, so the report stays readable. */
const MAX_PROBLEMS = 100;
/** Unknown keys named in one problem. */
const MAX_KEYS_SHOWN = 10;

/** Where a validated value came from, to give each problem its line or its flag. */
export interface Origin {
  readonly doc?: Document;
  readonly lines?: LineCounter;
  readonly flags?: FlagMap;
}

/** Turns zod's issues into problems: one per field, the tightest bound when several apply, at most MAX_PROBLEMS. */
export function toProblems(issues: readonly z.core.$ZodIssue[], root: unknown, origin: Origin): ScenarioProblem[] {
  const kept = tightest(issues);
  const problems = kept.slice(0, MAX_PROBLEMS).map((i) => toProblem(i, root, origin));
  if (kept.length > MAX_PROBLEMS) problems.push({ path: '', got: undefined, allowed: `… and ${kept.length - MAX_PROBLEMS} more problems` });
  return problems;
}

/**
 * Zod's int() adds its own safe-integer bounds next to the schema's: a seed
 * of 1e20 broke both and the report gave two maxima. Keep the tightest.
 */
function tightest(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  /** Index in `out` of the issue kept for each code and path. */
  const best = new Map<string, number>();
  const out: z.core.$ZodIssue[] = [];
  for (const issue of issues) {
    if (issue.code !== 'too_big' && issue.code !== 'too_small') {
      out.push(issue);
      continue;
    }
    const key = `${issue.code}\u0000${issue.path.map(String).join('.')}`;
    const at = best.get(key);
    if (at === undefined) {
      best.set(key, out.length);
      out.push(issue);
    } else {
      const prev = out[at];
      const bound = (i: z.core.$ZodIssue) => Number(i.code === 'too_big' ? i.maximum : i.code === 'too_small' ? i.minimum : 0);
      const tighter = issue.code === 'too_big' ? bound(issue) < bound(prev) : bound(issue) > bound(prev);
      if (tighter) out[at] = issue;
    }
  }
  return out;
}

function toProblem(issue: z.core.$ZodIssue, root: unknown, origin: Origin): ScenarioProblem {
  let path = issue.path.map(String);
  let allowed = describeAllowed(issue);
  if (issue.code === 'unrecognized_keys') {
    path = [...path, issue.keys[0]];
    const shown = issue.keys.slice(0, MAX_KEYS_SHOWN).join(', ') + (issue.keys.length > MAX_KEYS_SHOWN ? `, … (${issue.keys.length} in all)` : '');
    const known = allowedKeys(root, issue.path);
    allowed = `unknown field${issue.keys.length > 1 ? 's ' + shown : ''}` + (known ? `; allowed here: ${known}` : '');
  }
  if (issue.code === 'invalid_union' && issue.discriminator !== undefined && path[path.length - 1] !== issue.discriminator) {
    path = [...path, issue.discriminator];
  }
  const dotted = path.join('.');
  const value = valueAt(root, path);
  if (issue.code === 'invalid_type' && typeof value === 'number' && !Number.isFinite(value)) allowed = 'must be a finite number';
  const { doc, lines } = origin;
  return { ...fieldOf(dotted, origin.flags, doc && lines ? lineOf(doc, lines, path) : undefined), got: value === undefined ? undefined : shown(value), allowed };
}

/** A problem's field: the flag that set it (then no line: the file did not say it) or the file's line. */
export function fieldOf(dotted: string, flags: FlagMap | undefined, line: number | undefined): { path: string; line?: number } {
  const hit = flags ? flagFor(flags, dotted) : undefined;
  if (hit === undefined) return { path: dotted, line };
  return { path: hit.flag === `--set ${dotted}` ? hit.flag : `${dotted} (from ${hit.flag})` };
}

/** A value as the user wrote it: JSON, except the non-finite numbers JSON shows as null. */
export function shown(value: unknown): string | undefined {
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? '.nan' : value > 0 ? '.inf' : '-.inf';
  const s = JSON.stringify(value);
  if (s === undefined) return undefined;
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}

const article = (word: string) => (/^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`);

function describeAllowed(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small':
      return `must be ${issue.inclusive ? '≥' : '>'} ${Number(issue.minimum)}` + (issue.origin === 'string' ? ' characters long' : issue.origin === 'array' ? ' entries long' : '');
    case 'too_big':
      return `must be ${issue.inclusive ? '≤' : '<'} ${Number(issue.maximum)}` + (issue.origin === 'string' ? ' characters long' : issue.origin === 'array' ? ' entries long' : '');
    case 'invalid_type':
      return `must be ${issue.expected === 'int' ? 'an integer' : article(issue.expected)}`;
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

type AnySchema = {
  def?: { type?: string; innerType?: unknown; in?: unknown; element?: unknown; valueType?: unknown; getter?: () => unknown; options?: unknown[]; discriminator?: string; shape?: Record<string, unknown> };
};

/** The keys the (strict) schema allows in the object at `path`, or undefined when it cannot tell. */
function allowedKeys(root: unknown, path: readonly PropertyKey[]): string | undefined {
  let schema: unknown = scenarioSchema;
  let value: unknown = root;
  for (const key of path) {
    const s = unwrap(schema);
    const t = s?.def?.type;
    schema = t === 'array' ? s.def!.element : t === 'record' ? s.def!.valueType : shapeOf(s, value)?.[String(key)];
    value = valueAt(value, [String(key)]);
  }
  const shape = shapeOf(schema, value);
  return shape ? Object.keys(shape).join(', ') : undefined;
}

function unwrap(schema: unknown): AnySchema {
  let s = schema as AnySchema;
  for (let i = 0; i < 16 && s?.def; i++) {
    const t = s.def.type;
    if (t === 'default' || t === 'optional' || t === 'nullable' || t === 'prefault' || t === 'readonly' || t === 'catch' || t === 'nonoptional') s = s.def.innerType as AnySchema;
    else if (t === 'pipe') s = s.def.in as AnySchema;
    else if (t === 'lazy' && s.def.getter) s = s.def.getter() as AnySchema;
    else break;
  }
  return s;
}

/** The object shape of a schema; for a union, the option the value's discriminator (or, failing that, its keys) selects. */
function shapeOf(schema: unknown, value: unknown, depth = 0): Record<string, unknown> | undefined {
  const s = unwrap(schema);
  if (s?.def?.type === 'object') return s.def.shape;
  if (s?.def?.type !== 'union' || !s.def.options || depth > 8) return undefined;
  const v = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  const disc = s.def.discriminator;
  let best: Record<string, unknown> | undefined;
  let bestScore = -1;
  for (const opt of s.def.options) {
    const shape = shapeOf(opt, value, depth + 1);
    if (!shape) continue;
    const values = disc ? (unwrap(shape[disc]) as { def?: { values?: unknown[] } })?.def?.values : undefined;
    if (values && values.includes(v[disc!])) return shape;
    const score = Object.keys(v).filter((k) => k in shape).length;
    if (!disc && score > bestScore) [best, bestScore] = [shape, score];
  }
  return best;
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let v = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, k)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** The line of the deepest node of `path` present in the file (a missing key: the mapping that should hold it). */
export function lineOf(doc: Document, lines: LineCounter, path: readonly string[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const sub = path.slice(0, n);
    const node = doc.getIn(sub, true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lines.linePos(node.range[0]).line;
    const parent = n > 0 ? doc.getIn(sub.slice(0, -1), true) : doc.contents;
    if (isMap(parent) && n > 0) {
      const pair = parent.items.find((p) => (p.key as { value?: unknown })?.value === sub[n - 1]);
      const keyNode = pair?.key as { range?: [number, number, number] } | undefined;
      if (keyNode?.range) return lines.linePos(keyNode.range[0]).line;
    }
  }
  return undefined;
}
