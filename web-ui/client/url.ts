import { isSeq, YAMLSeq } from 'yaml';
import { readYaml } from '../../sim-core/scenario/yaml-text.ts';

/**
 * The page URL as a shareable reproduction of a live run: the scenario (a
 * bundled name or a URL), the seed actually used, the duration, side by
 * side, and the fault actions recorded so far (`actions=` JSON). Opening
 * the URL loads the same scenario with those actions written in, which is
 * what "export session" writes: the same trace hash.
 */

/** What the loaded run was made from. */
export interface LoadedFrom {
  /** Bundled scenario name or scenario URL; undefined for text edited in the page (not in a URL). */
  scenario: string | undefined;
  seed: number;
  durationS: string;
  side: boolean;
  /** Actions that came with the URL (already in the scenario text). */
  actions: unknown[];
}

/** Most characters of the `actions` parameter read (a URL may come from anyone; the worker validates each action). */
export const MAX_ACTIONS_PARAM_CHARS = 100_000;
/** Deepest nesting of the `actions` parameter (an action is a few levels; writing a deeper one into YAML would recurse). */
export const MAX_ACTIONS_DEPTH = 16;

/** Whether `v` nests at most `max` arrays/objects deep (an explicit stack: no recursion on hostile input). */
function nestsWithin(v: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length > 0) {
    const [x, depth] = stack.pop()!;
    if (x === null || typeof x !== 'object') continue;
    if (depth >= max) return false;
    for (const y of Object.values(x)) stack.push([y, depth + 1]);
  }
  return true;
}

/** The `actions` parameter: a JSON array of scenario actions, or [] (absent, too long, too deep, or not an array of objects). */
export function actionsParam(raw: string | null): unknown[] {
  if (!raw || raw.length > MAX_ACTIONS_PARAM_CHARS) return [];
  try {
    const v: unknown = JSON.parse(raw);
    return Array.isArray(v) && v.every((a) => typeof a === 'object' && a !== null && !Array.isArray(a)) && nestsWithin(v, MAX_ACTIONS_DEPTH) ? v : [];
  } catch {
    return [];
  }
}

/**
 * The scenario text with `actions` appended to its `actions:` list (the text unchanged when there are none).
 * The text may come from any URL: it is read by the bounded reader the simulation uses (size, keys, depth,
 * aliases; a ScenarioError naming the line), never by the YAML library's defaults (its duplicate-key check
 * is quadratic: 40,000 keys froze the page for 34 s).
 */
export function withActions(text: string, actions: readonly unknown[], source = 'scenario'): string {
  if (actions.length === 0) return text;
  const { doc } = readYaml(text, source);
  let seq = doc.get('actions', true);
  if (!isSeq(seq)) {
    seq = new YAMLSeq();
    doc.set('actions', seq);
  }
  for (const a of actions) (seq as YAMLSeq).items.push(doc.createNode(a, { flow: true }));
  return doc.toString();
}

/** The page's query for a run loaded from `from` with `recorded` fault actions since; other parameters (view, speed…) kept. */
export function pageQuery(search: string, from: LoadedFrom, recorded: readonly unknown[]): string {
  const q = new URLSearchParams(search);
  q.delete('replay');
  if (from.scenario) q.set('scenario', from.scenario);
  else q.delete('scenario');
  q.set('seed', String(from.seed));
  if (from.durationS !== '') q.set('duration', from.durationS);
  else q.delete('duration');
  if (from.side) q.set('mode', 'side');
  else q.delete('mode');
  const actions = [...from.actions, ...recorded];
  if (actions.length > 0) q.set('actions', JSON.stringify(actions));
  else q.delete('actions');
  return q.toString();
}
