/**
 * `--vary path=v1,v2,…` for `peermap sweep`.
 *
 * A variant is a list of sets ("path=value", applied to the scenario file
 * like `--set`, after the command's own --set flags). `--vary` may be given
 * several times: the variants are every combination, the first --vary
 * changing slowest. Values are split on commas outside [], {} and quotes,
 * so flow YAML works: `--vary 'network.latency={kind: constant, ms: 5},{kind: constant, ms: 50}'`.
 */
import { InvalidArgumentError } from 'commander';
import { MAX_SET_LENGTH } from '../../scenario/overrides.ts';
import { FORBIDDEN_KEYS } from '../../scenario/yaml-text.ts';
import type { Scenario } from '../../scenario/schema/index.ts';

export interface VarySpec {
  path: string;
  values: string[];
}

/** A --vary is as long as a --set may be. */
export const MAX_SET_CHARS = MAX_SET_LENGTH;
export const MAX_VARY_FLAGS = 8;
export const MAX_VARY_VALUES = 1000;
export const MAX_VALUE_CHARS = 200;
/** Bound on the product of all --vary lists. */
export const MAX_VARIANTS = 1000;

const SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;
/** These have their own axes; varying them through --vary would collide with the job matrix. */
const OWN_AXIS: Record<string, string> = { seed: '--seeds', 'protocol.strategy': '--strategies' };

function checkPath(flag: string, path: string, text: string): void {
  const segments = path.split('.');
  if (path === '' || segments.length > 16 || !segments.every((s) => SEGMENT.test(s) && !FORBIDDEN_KEYS.has(s))) {
    throw new InvalidArgumentError(`${flag} needs a dotted field path before "=" (letters, digits, _ and -), got "${text.slice(0, 80)}"`);
  }
}

/** Splits on commas that are not inside [], {} or quotes; throws on unbalanced brackets or quotes. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  const stack: string[] = [];
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[' || ch === '{') stack.push(ch === '[' ? ']' : '}');
    else if (ch === ']' || ch === '}') {
      if (stack.pop() !== ch) throw new Error(`unbalanced "${ch}"`);
    } else if (ch === ',' && stack.length === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (quote) throw new Error(`unclosed ${quote}`);
  if (stack.length > 0) throw new Error(`unclosed "${stack[0] === ']' ? '[' : '{'}"`);
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

/** `--vary path=v1,v2,…` as a VarySpec; syntax only (values are validated with the scenario). */
export function parseVary(text: string): VarySpec {
  const bad = (why: string) => new InvalidArgumentError(`--vary ${why}, got "${text.slice(0, 80)}" (e.g. --vary protocol.globalmap.ttl=2,4,8)`);
  if (text.length > MAX_SET_CHARS) throw bad(`must be at most ${MAX_SET_CHARS} characters`);
  const eq = text.indexOf('=');
  if (eq < 0) throw bad('must be path=v1,v2,...');
  const path = text.slice(0, eq).trim();
  checkPath('--vary', path, text);
  if (OWN_AXIS[path]) throw bad(`cannot vary ${path}: use ${OWN_AXIS[path]}`);
  let values: string[];
  try {
    values = splitTopLevel(text.slice(eq + 1));
  } catch (e) {
    throw bad(`has ${(e as Error).message} in its values`);
  }
  if (values.some((v) => v === '')) throw bad('has an empty value');
  if (values.length > MAX_VARY_VALUES) throw bad(`must list at most ${MAX_VARY_VALUES} values`);
  const long = values.find((v) => v.length > MAX_VALUE_CHARS);
  if (long !== undefined) throw bad(`values must be at most ${MAX_VALUE_CHARS} characters`);
  const dup = values.find((v, i) => values.indexOf(v) !== i);
  if (dup !== undefined) throw bad(`lists ${dup} twice`);
  return { path, values };
}

/** Commander collector for repeatable `--vary`. */
export function collectVary(text: string, previous: VarySpec[] = []): VarySpec[] {
  const spec = parseVary(text);
  if (previous.some((p) => p.path === spec.path)) throw new InvalidArgumentError(`--vary ${spec.path} is given twice; list all its values in one --vary`);
  if (previous.length >= MAX_VARY_FLAGS) throw new InvalidArgumentError(`--vary may be given at most ${MAX_VARY_FLAGS} times`);
  const total = [...previous, spec].reduce((n, v) => n * v.values.length, 1);
  if (total > MAX_VARIANTS) throw new InvalidArgumentError(`--vary makes ${total} combinations; at most ${MAX_VARIANTS}`);
  return [...previous, spec];
}

/** Every combination of the --vary values as lists of sets, the first --vary changing slowest; [[]] without --vary. */
export function variantSets(vary: readonly VarySpec[]): string[][] {
  let out: string[][] = [[]];
  for (const { path, values } of vary) {
    out = out.flatMap((sets) => values.map((v) => [...sets, `${path}=${v}`]));
    if (out.length > MAX_VARIANTS) throw new RangeError(`--vary makes more than ${MAX_VARIANTS} combinations`);
  }
  return out;
}

/** How a variant is shown and keyed: its sets, e.g. "protocol.globalmap.ttl=2, peers.count=50". */
export function variantLabel(sets: readonly string[]): string {
  return sets.join(', ');
}

/** One combination of --vary values: the sets applied to the file, and the scenario they give. */
export interface Variant {
  /** 1-based, in --vary order. */
  index: number;
  sets: readonly string[];
  scenario: Scenario;
}

/** The key of a strategy's (and variant's) entry in sweep.json's `results`: the strategy, plus the variant's sets with --vary. */
export function resultKey(strategy: string, variant: Pick<Variant, 'sets'> | null): string {
  return variant === null ? strategy : `${strategy} [${variantLabel(variant.sets)}]`;
}
