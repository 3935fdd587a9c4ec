import { forceLink, forceManyBody, forceSimulation, forceX, forceY, type Simulation, type SimulationLinkDatum, type SimulationNodeDatum } from 'd3';
import { PEER_WAITING } from './protocol.ts';

interface Node extends SimulationNodeDatum {
  index: number;
}
type Link = SimulationLinkDatum<Node>;

/** Above this many peers the layout runs one tick per frame, and skips frames when a tick gets expensive. */
const BIG = 1000;
/** A tick costing more than this (ms) makes the next frame skip its tick. */
const TICK_BUDGET_MS = 10;

/**
 * Incremental d3-force layout of the overlay, run in the simulation worker:
 * each frame feeds the current CSR graph (relinking only when it changed)
 * and advances the layout a tick or two. Peers that have not started yet
 * stay out of the force simulation (they have no links) and enter it next
 * to their first neighbour. It reads the snapshot's arrays only, never the
 * simulation. d3-force's own jiggle is a seeded LCG, so the same run draws
 * the same picture.
 */
export class ForceLayout {
  private readonly all: Node[] = [];
  private readonly active: Node[] = [];
  /** 1 for peers in the force simulation. */
  private mask: Uint8Array = new Uint8Array(0);
  private readonly sim: Simulation<Node, Link>;
  private readonly links = forceLink<Node, Link>([]).distance(30).strength(0.6);
  private signature = -1;
  private skip = false;

  constructor(private readonly clock: () => number = () => 0) {
    this.sim = forceSimulation<Node, Link>([])
      .force('charge', forceManyBody<Node>().strength(-40).theta(0.95).distanceMax(300))
      .force('link', this.links)
      .force('x', forceX<Node>(0).strength(0.05))
      .force('y', forceY<Node>(0).strength(0.05))
      .alphaDecay(0.01)
      .stop();
  }

  /** Brings the layout to the graph: new peers, peers that started, changed links (which reheat it). */
  update(n: number, offsets: Int32Array, targets: Int32Array, state: Uint8Array): void {
    for (let i = this.all.length; i < n; i++) {
      const r = 10 * Math.sqrt(0.5 + i);
      const a = i * Math.PI * (3 - Math.sqrt(5));
      this.all.push({ index: i, x: r * Math.cos(a), y: r * Math.sin(a) });
    }
    if (this.mask.length < n) {
      const m = new Uint8Array(Math.max(n, this.mask.length * 2));
      m.set(this.mask);
      this.mask = m;
    }
    const mask = this.mask;
    let joined = false;
    for (let i = 0; i < n; i++) {
      if (mask[i] === 1 || state[i] === PEER_WAITING) continue;
      mask[i] = 1;
      const node = this.all[i];
      // Enter beside a neighbour already laid out, if any; else near the middle.
      const r = 15 + (i % 37);
      const a = i * 2.399963;
      node.x = r * Math.cos(a);
      node.y = r * Math.sin(a);
      for (let k = offsets[i]; k < offsets[i + 1]; k++) {
        const j = targets[k];
        if (mask[j] === 1 && j !== i) {
          node.x = (this.all[j].x ?? 0) + ((i * 7) % 11) - 5;
          node.y = (this.all[j].y ?? 0) + ((i * 13) % 11) - 5;
          break;
        }
      }
      this.active.push(node);
      joined = true;
    }
    if (joined) this.sim.nodes(this.active);
    const sig = signatureOf(offsets, targets);
    if (sig === this.signature && !joined) return;
    this.signature = sig;
    const links: Link[] = [];
    for (let i = 0; i < n; i++) {
      if (mask[i] !== 1) continue;
      for (let k = offsets[i]; k < offsets[i + 1]; k++) {
        const j = targets[k];
        if (j > i && mask[j] === 1) links.push({ source: this.all[i], target: this.all[j] });
      }
    }
    this.links.links(links);
    this.sim.alpha(Math.max(this.sim.alpha(), 0.25));
  }

  /** Advances the layout (one or two ticks; none once cooled, or right after an expensive tick on a big graph). */
  tick(): void {
    if (this.sim.alpha() < this.sim.alphaMin()) return;
    const big = this.active.length > BIG;
    if (big && this.skip) {
      this.skip = false;
      return;
    }
    const t0 = this.clock();
    this.sim.tick(big ? 1 : 2);
    this.skip = big && this.clock() - t0 > TICK_BUDGET_MS;
  }

  /** x, y interleaved for peers 0..n-1 (a fresh array the caller may transfer). */
  positions(n: number): Float32Array {
    const out = new Float32Array(2 * n);
    for (let i = 0; i < n && i < this.all.length; i++) {
      out[2 * i] = this.all[i].x ?? 0;
      out[2 * i + 1] = this.all[i].y ?? 0;
    }
    return out;
  }
}

/** A cheap fingerprint of the edge set (CSR lists are sorted, so equal graphs give equal arrays). */
function signatureOf(offsets: Int32Array, targets: Int32Array): number {
  let h = 0x811c9dc5 ^ offsets.length;
  for (let i = 0; i < offsets.length; i++) h = Math.imul(h ^ offsets[i], 0x01000193);
  for (let i = 0; i < targets.length; i++) h = Math.imul(h ^ targets[i], 0x01000193);
  return h >>> 0;
}
