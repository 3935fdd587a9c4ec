import { isAlias, isCollection, isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ScenarioError, type ScenarioProblem } from './errors.ts';

/** Keys that would reach Object.prototype instead of the scenario. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Bound on scenario text, so a hostile file cannot make the parser allocate without limit. */
export const MAX_SCENARIO_BYTES = 1 << 20;
/** Bound on mapping keys in one file (shipped scenarios have a few hundred). */
export const MAX_SCENARIO_KEYS = 100_000;
/** Bound on nesting (scenarios nest about 6 deep). */
export const MAX_SCENARIO_DEPTH = 64;
/** Bound on aliases (`*name`): yaml resolves each by a scan of the document's anchors. */
export const MAX_SCENARIO_ALIASES = 100;
/** Bound on how many times aliases may expand in total (passed to yaml's toJS). */
const MAX_ALIAS_EXPANSIONS = 100;
/** Bound on problems gathered from one file, so the report stays readable. */
const MAX_PROBLEMS = 100;

/** Counts of the duplicate-key check: one comparison per key, so the cost is linear in the keys. */
export interface KeyCheckStats {
  keys: number;
  comparisons: number;
}

/** The last readYaml call's counts (read by tests to show the check is linear). */
export const lastKeyCheck: KeyCheckStats = { keys: 0, comparisons: 0 };

export interface YamlText {
  readonly doc: Document;
  readonly lines: LineCounter;
  readonly value: unknown;
}

/**
 * Parses YAML text with every cost bounded: size before parsing, then keys,
 * nesting and aliases counted in one pass over the syntax tree before the
 * tree becomes values. Every failure is a ScenarioError with a line.
 */
export function readYaml(text: string, source: string): YamlText {
  if (text.length > MAX_SCENARIO_BYTES) {
    throw new ScenarioError(source, [{ path: '', got: `${text.length} bytes`, allowed: `at most ${MAX_SCENARIO_BYTES} bytes` }]);
  }
  const lines = new LineCounter();
  const fail = (allowed: string, offset?: number): ScenarioError =>
    new ScenarioError(source, [{ path: '', got: undefined, allowed, line: offset === undefined ? undefined : lines.linePos(offset).line }]);
  let doc: Document;
  try {
    // uniqueKeys: false because yaml's own check compares each key with every earlier one (quadratic); checkTree does it with a Set.
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  } catch (e) {
    throw fail(`YAML could not be read: ${firstLine(e)}`);
  }
  if (doc.errors.length > 0) {
    // yaml reports its own stack overflow (deep flow nesting) as a syntax error; say what it means, once.
    const problems = new Map<string, ScenarioProblem>();
    for (const e of doc.errors.slice(0, MAX_PROBLEMS)) {
      const msg = firstLine(e);
      const allowed = isStackOverflow(msg)
        ? `YAML: nested too deep (at most ${MAX_SCENARIO_DEPTH} levels)`
        : e.code === 'MULTIPLE_DOCS'
          ? 'YAML: one document per file (this one has a second after ---)'
          : `YAML syntax: ${msg}`;
      const line = lines.linePos(e.pos[0]).line;
      problems.set(`${line}:${allowed}`, { path: '', got: undefined, allowed, line });
    }
    throw new ScenarioError(source, [...problems.values()]);
  }
  const tree = checkTree(doc, lines);
  if (tree.problems.length > 0) throw new ScenarioError(source, tree.problems);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS });
  } catch (e) {
    const msg = firstLine(e);
    if (/alias count/i.test(msg)) throw fail(`YAML aliases expand too much (more than ${MAX_ALIAS_EXPANSIONS} copies; an "alias bomb")`, tree.firstAlias);
    throw fail(`YAML could not be read: ${msg}`, tree.firstAlias);
  }
  if (isCyclic(value)) throw fail('YAML: an alias (*name) inside the node it names makes an endless value', tree.firstAlias);
  return { doc, lines, value };
}

/**
 * Whether a value holds itself (`a: &x [*x]`): yaml builds such an alias as
 * a cycle, which no scenario field can take and every printer loops on.
 * Shared aliases (the same node twice, side by side) are fine. Iterative, so
 * depth is no risk; the value is already bounded in keys and expansions.
 */
function isCyclic(root: unknown): boolean {
  if (root === null || typeof root !== 'object') return false;
  const onPath = new Set<object>();
  const stack: { v: object; leaving: boolean }[] = [{ v: root, leaving: false }];
  while (stack.length > 0) {
    const { v, leaving } = stack.pop()!;
    if (leaving) {
      onPath.delete(v);
      continue;
    }
    onPath.add(v);
    stack.push({ v, leaving: true });
    for (const c of Object.values(v)) {
      if (c === null || typeof c !== 'object') continue;
      if (onPath.has(c)) return true;
      stack.push({ v: c, leaving: false });
    }
  }
  return false;
}

/** A stack overflow's message, in the engine's words: V8 and JavaScriptCore say "call stack", SpiderMonkey "too much recursion". */
export function isStackOverflow(message: string): boolean {
  return /call stack|too much recursion/i.test(message);
}

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0];
}

function offsetOf(node: unknown): number | undefined {
  return (node as { range?: [number, number, number] } | null)?.range?.[0];
}

/**
 * One pass over the syntax tree (iterative, so deep nesting cannot overflow
 * the stack): counts keys, depth and aliases against their bounds and finds
 * duplicate, non-scalar and prototype-reaching keys with one Set per mapping.
 */
function checkTree(doc: Document, lines: LineCounter): { problems: ScenarioProblem[]; firstAlias?: number } {
  const problems: ScenarioProblem[] = [];
  const at = (offset: number | undefined) => (offset === undefined ? undefined : lines.linePos(offset).line);
  const add = (allowed: string, offset: number | undefined) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ path: '', got: undefined, allowed, line: at(offset) });
  };
  lastKeyCheck.keys = 0;
  lastKeyCheck.comparisons = 0;
  let aliases = 0;
  let firstAlias: number | undefined;
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (isAlias(node)) {
      firstAlias ??= offsetOf(node);
      if (++aliases > MAX_SCENARIO_ALIASES) return { problems: [{ path: '', got: undefined, allowed: `YAML: at most ${MAX_SCENARIO_ALIASES} aliases (*name) per file`, line: at(offsetOf(node)) }] };
      continue;
    }
    if (!isCollection(node)) continue;
    if (depth >= MAX_SCENARIO_DEPTH) return { problems: [{ path: '', got: undefined, allowed: `YAML: nested too deep (at most ${MAX_SCENARIO_DEPTH} levels)`, line: at(offsetOf(node)) }] };
    const seen = new Map<string, number | undefined>();
    for (const item of node.items) {
      if (!isPair(item)) {
        stack.push({ node: item, depth: depth + 1 });
        continue;
      }
      // A pair in a sequence (`[a: 1]`) becomes a one-key mapping.
      const keys = isMap(node) ? seen : new Map<string, number | undefined>();
      if (++lastKeyCheck.keys > MAX_SCENARIO_KEYS) {
        return { problems: [{ path: '', got: undefined, allowed: `YAML: at most ${MAX_SCENARIO_KEYS} mapping keys per file`, line: at(offsetOf(item.key)) }] };
      }
      const key = item.key as Node | null;
      const offset = offsetOf(key);
      if (!isScalar(key) || (key.value !== null && typeof key.value === 'object')) {
        add('YAML: a mapping key must be plain text or a number', offset);
      } else {
        const name = String(key.value);
        lastKeyCheck.comparisons++;
        if (keys.has(name)) add(`YAML: duplicate key ${JSON.stringify(name)} (first on line ${at(keys.get(name))})`, offset);
        else keys.set(name, offset);
        if (FORBIDDEN_KEYS.has(name)) add(`YAML: ${JSON.stringify(name)} cannot be a key (no scenario field has this name)`, offset);
      }
      stack.push({ node: item.value, depth: depth + 1 });
    }
  }
  return { problems, firstAlias };
}
