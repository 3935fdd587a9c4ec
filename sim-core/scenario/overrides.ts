import { ScenarioError } from './errors.ts';
import { FORBIDDEN_KEYS, readYaml } from './yaml-text.ts';
import { MAX_PEERS } from './schema/common.ts';

/**
 * Command-line overrides, applied to the parsed file before validation, in
 * this order: the file, then each `sets` entry in order (a later one wins),
 * then `seed`, `durationS` and `peers` (the dedicated flags win over `--set`).
 */
export interface ScenarioOverrides {
  seed?: number;
  /** Sets peers.count; a `peers.waves` schedule is scaled to the new count, keeping its shape. */
  peers?: number;
  durationS?: number;
  /** `--set dotted.path=value` entries; the value is YAML (flow syntax allowed). */
  sets?: readonly string[];
}

/** Bounds on `--set`: how many, and how long each may be. */
export const MAX_SETS = 256;
export const MAX_SET_LENGTH = 4096;
/** Bound on an array index in a `--set` path (arrays in a scenario are shorter). */
const MAX_SET_INDEX = 100_000;
const MAX_SET_DEPTH = 32;

export interface SetArg {
  /** The path as written, e.g. `actions.0.atS`. */
  readonly path: string;
  readonly segments: readonly string[];
  readonly value: unknown;
}

const SET_FORM = 'dotted.path=value, e.g. protocol.globalmap.ttl=8 or network.latency={model: constant, ms: 50}';

function badSet(source: string, got: string, allowed: string): ScenarioError {
  const shown = got.length > 80 ? got.slice(0, 77) + '...' : got;
  return new ScenarioError(source, [{ path: '--set', got: JSON.stringify(shown), allowed }]);
}

/** Parses one `--set` argument; throws a ScenarioError naming `--set` when it is malformed. */
export function parseSetArg(s: string, source = 'command line'): SetArg {
  if (s.length > MAX_SET_LENGTH) throw badSet(source, s, `must be at most ${MAX_SET_LENGTH} characters`);
  const eq = s.indexOf('=');
  if (eq < 0) throw badSet(source, s, `must be ${SET_FORM}`);
  const path = s.slice(0, eq).trim();
  const valueText = s.slice(eq + 1);
  if (path === '') throw badSet(source, s, `needs a field path before "="; must be ${SET_FORM}`);
  const segments = path.split('.');
  if (segments.length > MAX_SET_DEPTH) throw badSet(source, s, `the path must have at most ${MAX_SET_DEPTH} parts`);
  for (const seg of segments) {
    if (seg === '') throw badSet(source, s, `the path has an empty part; must be ${SET_FORM}`);
    if (FORBIDDEN_KEYS.has(seg)) throw badSet(source, s, `the path may not contain "${seg}"`);
  }
  if (valueText.trim() === '') throw badSet(source, s, `needs a value after "=" (write ${path}='' for an empty string)`);
  let value: unknown;
  try {
    value = readYaml(valueText, `--set ${path}`).value;
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    const why = e.problems[0]?.allowed ?? 'unreadable';
    throw badSet(source, s, `the value must be YAML (${why})`);
  }
  return { path, segments, value };
}

/** Which flag set which field (dotted path → flag), for error messages. */
export type FlagMap = Map<string, string>;

/** The flag that set `dotted` or one of its parents, if any (the longest match wins). */
export function flagFor(flags: FlagMap, dotted: string): { flag: string; at: string } | undefined {
  const parts = dotted === '' ? [] : dotted.split('.');
  for (let n = parts.length; n >= 1; n--) {
    const at = parts.slice(0, n).join('.');
    const flag = flags.get(at);
    if (flag !== undefined) return { flag, at };
  }
  return undefined;
}

/** Applies the overrides to a copy of the parsed file. Throws a ScenarioError naming the flag on a malformed one. */
export function applyOverrides(raw: Record<string, unknown>, o: ScenarioOverrides, source: string): { value: Record<string, unknown>; flags: FlagMap } {
  const value: Record<string, unknown> = structuredClone(raw);
  const flags: FlagMap = new Map();
  const sets = o.sets ?? [];
  if (sets.length > MAX_SETS) throw badSet(source, `${sets.length} settings`, `at most ${MAX_SETS} --set flags`);
  for (const s of sets) {
    const arg = parseSetArg(s, source);
    // Parents the set created are the flag's doing too.
    for (const at of setAt(value, arg, source)) flags.set(at, `--set ${arg.path}`);
    flags.set(arg.segments.join('.'), `--set ${arg.path}`);
  }
  if (o.seed !== undefined) {
    value.seed = o.seed;
    flags.set('seed', '--seed');
  }
  if (o.durationS !== undefined) {
    value.durationS = o.durationS;
    flags.set('durationS', '--duration');
  }
  if (o.peers !== undefined) {
    const peers = value.peers;
    const next: Record<string, unknown> = isRecord(peers) ? { ...peers, count: o.peers } : { count: o.peers };
    if (Array.isArray(next.waves)) {
      next.waves = scaleWaves(next.waves, o.peers, source);
      flags.set('peers.waves', '--peers');
    }
    value.peers = next;
    flags.set('peers.count', '--peers');
  }
  return { value, flags };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Sets the value; returns the paths of the parents it had to create. */
function setAt(root: Record<string, unknown>, arg: SetArg, source: string): string[] {
  const created: string[] = [];
  let node: unknown = root;
  const segs = arg.segments;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    const last = i === segs.length - 1;
    const here = segs.slice(0, i).join('.') || '(the file)';
    let key: string | number = seg;
    if (Array.isArray(node)) {
      if (!/^(0|[1-9][0-9]{0,5})$/.test(seg) || Number(seg) > Math.min(node.length, MAX_SET_INDEX)) {
        throw badSet(source, `${arg.path}=…`, `${here} is a list of ${node.length}; "${seg}" must be an index from 0 to ${node.length}`);
      }
      key = Number(seg);
    } else if (!isRecord(node)) {
      throw badSet(source, `${arg.path}=…`, `${here} is ${JSON.stringify(node)}, not a mapping or list; set ${here} itself instead`);
    }
    const container = node as Record<string | number, unknown>;
    if (last) {
      container[key] = arg.value;
      return created;
    }
    if (container[key] === undefined || container[key] === null) {
      container[key] = /^(0|[1-9][0-9]*)$/.test(segs[i + 1]) ? [] : {};
      created.push(segs.slice(0, i + 1).join('.'));
    }
    node = container[key];
  }
  return created;
}

/**
 * `--peers N` on a scenario with `peers.waves`: each wave gets its share of N
 * (largest remainder, at least 1 each), so the schedule keeps its shape and
 * the counts still sum to peers.count. Waves that are not yet valid are left
 * for the schema to report.
 */
function scaleWaves(waves: unknown[], n: number, source: string): unknown[] {
  // Out of range: left to the schema, which names the field (past 2^53 the loops below could never end).
  if (waves.length === 0 || waves.length > 1000 || !Number.isInteger(n) || n < 1 || n > MAX_PEERS) return waves;
  const counts = waves.map((w) => (isRecord(w) ? w.count : undefined));
  if (!counts.every((c): c is number => typeof c === 'number' && Number.isInteger(c) && c >= 1)) return waves;
  const total = counts.reduce((a, c) => a + c, 0);
  if (total === n) return waves;
  if (n < waves.length) {
    throw new ScenarioError(source, [
      { path: 'peers.count (from --peers)', got: String(n), allowed: `must be ≥ ${waves.length}, the number of peers.waves (each wave keeps at least one peer)` },
    ]);
  }
  const ideal = counts.map((c) => (c * n) / total);
  const out = ideal.map((x) => Math.max(1, Math.floor(x)));
  let sum = out.reduce((a, c) => a + c, 0);
  // Hand out the rest by largest remainder (ties: file order); take back excess from the largest waves.
  const byRemainder = out.map((_, i) => i).sort((a, b) => ideal[b] - out[b] - (ideal[a] - out[a]) || a - b);
  for (let k = 0; sum < n; k = (k + 1) % out.length, sum++) out[byRemainder[k]]++;
  const bySize = out.map((_, i) => i).sort((a, b) => out[b] - out[a] || a - b);
  for (let k = 0; sum > n; k = (k + 1) % out.length) {
    if (out[bySize[k]] > 1) {
      out[bySize[k]]--;
      sum--;
    }
  }
  return waves.map((w, i) => ({ ...(w as Record<string, unknown>), count: out[i] }));
}
