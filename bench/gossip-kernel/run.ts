import { Driver, type Workload } from './driver.ts';
import { randomRegularGraph, type Graph } from './graph.ts';
import { GossipKernel, type KernelCapacities } from './kernel.ts';
import { DEFAULT_GOSSIP, type GossipModel, type GossipParams } from './model.ts';
import { ReferenceModel, type Dedupe } from './reference.ts';
import { WindowShadowKernel } from './window-shadow.ts';

export type ModelKind = 'kernel' | 'kernel-window-shadow' | 'reference' | 'reference-windowed';

export interface RunSpec {
  peers: number;
  degree: number;
  workload: Workload;
  params?: GossipParams;
  caps?: Partial<KernelCapacities>;
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Hashes of the windowed seen-cache (reference-windowed, kernel-window-shadow); today's default 2048. */
  windowCapacity?: number;
}

export function defaultWorkload(seed: string, durationS: number): Workload {
  return { durationS, joinS: 120, refreshS: 600, flapsPerPeerHour: 6, reconnectS: 5, flushS: 1, seed, maxPending: 1 << 22 };
}

export function buildGraph(spec: RunSpec): Graph {
  return randomRegularGraph(spec.peers, spec.degree, spec.workload.seed, (spec.minDelayMs ?? 10) * 1000, (spec.maxDelayMs ?? 150) * 1000);
}

/** Runs one model over the workload; the graph is rebuilt from the seed so every model sees the same one. */
export function runModel(kind: ModelKind, spec: RunSpec): { model: GossipModel; driver: Driver; graph: Graph } {
  const graph = buildGraph(spec);
  const driver = new Driver(graph, spec.workload);
  const params = spec.params ?? DEFAULT_GOSSIP;
  const caps = { ...defaultCaps(spec.peers), ...spec.caps };
  const model =
    kind === 'kernel'
      ? new GossipKernel(graph, driver, params, caps)
      : kind === 'kernel-window-shadow'
        ? new WindowShadowKernel(graph, driver, params, caps, spec.windowCapacity)
        : new ReferenceModel(graph, driver, params, dedupeOf(kind), spec.windowCapacity);
  driver.run(model);
  return { model, driver, graph };
}

export function defaultCaps(peers: number): KernelCapacities {
  return { events: 1 << 13, versions: Math.max(1 << 14, 8 * peers), arenaSlots: Math.max(1 << 20, 4096 * peers), messages: 1 << 18 };
}

function dedupeOf(kind: ModelKind): Dedupe {
  return kind === 'reference-windowed' ? 'windowed' : 'exact';
}
