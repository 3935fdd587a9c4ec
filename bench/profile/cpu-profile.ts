import { z } from 'zod';

/** The parts of V8's `.cpuprofile` (Chrome DevTools' Profiler.Profile) that the tables read. */
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  /** µs since the previous sample, one per sample; V8 writes a small negative one now and then (samples slightly out of order). */
  timeDeltas: number[];
}

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** Bounds: a profile of an hour at 1 ms is 3.6 M samples; past these the file is not one of ours. */
export const MAX_PROFILE_NODES = 2_000_000;
export const MAX_PROFILE_SAMPLES = 50_000_000;
/** A gap between two samples beyond a day is not a profile of ours. */
const MAX_DELTA_US = 86_400e6;

/** A file that is not a usable CPU profile: `field` names what is wrong. */
export class ProfileError extends Error {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`cpu profile: ${field}: ${detail}`);
    this.name = 'ProfileError';
  }
}

const id = z.number().int().nonnegative();
const schema = z.object({
  nodes: z
    .array(
      z.object({
        id,
        callFrame: z.object({ functionName: z.string().max(4096), url: z.string().max(4096) }),
        children: z.array(id).optional(),
      }),
    )
    .min(1)
    .max(MAX_PROFILE_NODES),
  samples: z.array(id).max(MAX_PROFILE_SAMPLES),
  timeDeltas: z.array(z.number().finite().min(-MAX_DELTA_US).max(MAX_DELTA_US)).max(MAX_PROFILE_SAMPLES),
});

/** Parses and checks a profile: node ids unique, samples and children naming nodes, one delta per sample, one parent per node. */
export function parseCpuProfile(text: string): CpuProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ProfileError('(file)', `not JSON (${(e as Error).message})`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ProfileError(issue.path.join('.') || '(root)', issue.message);
  }
  const p = r.data;
  if (p.timeDeltas.length !== p.samples.length) throw new ProfileError('timeDeltas', `${p.timeDeltas.length} deltas for ${p.samples.length} samples`);
  const ids = new Set<number>();
  for (const [i, n] of p.nodes.entries()) {
    if (ids.has(n.id)) throw new ProfileError(`nodes.${i}.id`, `duplicate id ${n.id}`);
    ids.add(n.id);
  }
  const parented = new Set<number>();
  for (const [i, n] of p.nodes.entries()) {
    for (const c of n.children ?? []) {
      if (!ids.has(c)) throw new ProfileError(`nodes.${i}.children`, `no node ${c}`);
      if (parented.has(c)) throw new ProfileError(`nodes.${i}.children`, `node ${c} has two parents`);
      parented.add(c);
    }
  }
  for (const [i, s] of p.samples.entries()) if (!ids.has(s)) throw new ProfileError(`samples.${i}`, `no node ${s}`);
  checkNoLoop(p.nodes);
  return p;
}

/** Every node reaches a root going up (one parent each, checked above): no loop of children. */
function checkNoLoop(nodes: ProfileNode[]): void {
  const parent = parents(nodes);
  const state = new Map<number, 1 | 2>(); // 1: on the walk under way, 2: reaches a root
  for (const n of nodes) {
    const walk: number[] = [];
    let v: number | undefined = n.id;
    while (v !== undefined && state.get(v) !== 2) {
      if (state.get(v) === 1) throw new ProfileError('nodes', `the children of node ${v} loop back to it`);
      state.set(v, 1);
      walk.push(v);
      v = parent.get(v);
    }
    for (const w of walk) state.set(w, 2);
  }
}

/** Node id → its parent's id (roots have none). */
export function parents(nodes: readonly ProfileNode[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const n of nodes) for (const c of n.children ?? []) out.set(c, n.id);
  return out;
}
