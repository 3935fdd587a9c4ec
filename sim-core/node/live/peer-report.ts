import { csrFromEdges } from '../../metrics/graph/csr.ts';
import { MAX_MESSAGE_TYPES, NetCounters } from '../../net/counters.ts';
import type { NodeApp } from '../../protocols/node/app.ts';
import { overlayConnectivity } from '../../protocols/node/metrics.ts';
import type { OverlaySnapshot } from '../../protocols/node/overlay-graph.ts';
import type { PeerNode } from '../../protocols/node/peer-node.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { LiveRun } from './live-run.ts';

/**
 * With peers spread over workers no thread holds every peer, so the
 * driver's metrics (which read each peer's objects) cannot run anywhere.
 * Each worker reports its own peers as plain data (overlay links and the
 * peers each one knows, by honest index), and the coordinator computes the
 * figures compare-live reads from the union, with the simulator's
 * definitions: overlay graph over live honest peers (LCC, components,
 * degree, paths), and coverage = live others known / (peers.count − 1).
 */

/** One honest peer of a worker, up at report time. */
export interface PeerReport {
  i: number;
  /** Overlay neighbours, by honest index. */
  overlay: number[];
  /** Honest peers it knows (in its map; the address book without one), by honest index. */
  known: number[];
  mapSize: number;
  /** At the end only: the peer manager's counters. */
  stats?: { handshakes: Record<string, number>; offences: Record<string, number>; bans: number; dials: number; links: number };
}

/** NetCounters as structured-clone data (only the types in use are non-zero; all are sent, 6 kB). */
export interface CountersData {
  sentCount: Float64Array;
  sentBytes: Float64Array;
  deliveredCount: Float64Array;
  scalars: Record<'droppedClosed' | 'droppedInTransit' | 'dials' | 'dialFailures' | 'connectionsOpened' | 'connectionsClosed', number>;
}

type Store = { isKnown(p: PeerNum): boolean; known: number };

/** The worker's own live honest peers as reports; `final` adds the counters. Reads only. */
export function reportPeers(run: LiveRun, final = false): PeerReport[] {
  const world = run.world;
  const node = (a: number) => world.protocolOf(a) as unknown as PeerNode;
  // Every worker built every peer (same seeded identities), so peer numbers map to indices here too.
  const indexOf = new Map<PeerNum, number>();
  const selfs = run.addresses.map((a, i) => (indexOf.set(node(a).self, i), node(a).self));
  const out: PeerReport[] = [];
  run.addresses.forEach((a, i) => {
    if (!run.owns(a) || !world.isUp(a)) return;
    const n = node(a);
    // The overlay app is the peer manager's private field: read, never called into beyond its read-only views.
    const app = (n as unknown as { app?: NodeApp & { store?: Store } }).app;
    const overlay: number[] = [];
    for (const p of app?.overlay ? app.overlay() : n.peers().keys()) {
      const j = indexOf.get(p);
      if (j !== undefined && j !== i) overlay.push(j);
    }
    const store = app?.store;
    const known: number[] = [];
    selfs.forEach((p, j) => j !== i && (store ? store.isKnown(p) : n.addressOf(p) !== undefined) && known.push(j));
    const r: PeerReport = { i, overlay, known, mapSize: store?.known ?? 0 };
    if (final) {
      const st = n.stats;
      r.stats = { handshakes: { ...st.handshakes }, offences: { ...st.offences }, bans: st.bansIssued, dials: st.dialAttempts, links: n.peers().size };
    }
    out.push(r);
  });
  return out;
}

export function countersData(c: NetCounters): CountersData {
  return {
    sentCount: c.sentCount.slice(),
    sentBytes: c.sentBytes.slice(),
    deliveredCount: c.deliveredCount.slice(),
    scalars: { droppedClosed: c.droppedClosed, droppedInTransit: c.droppedInTransit, dials: c.dials, dialFailures: c.dialFailures, connectionsOpened: c.connectionsOpened, connectionsClosed: c.connectionsClosed },
  };
}

/** Counters of several workers as one. */
export function sumCounters(parts: readonly CountersData[]): NetCounters {
  const c = new NetCounters();
  for (const p of parts) {
    for (let t = 0; t < MAX_MESSAGE_TYPES; t++) {
      c.sentCount[t] += p.sentCount[t];
      c.sentBytes[t] += p.sentBytes[t];
      c.deliveredCount[t] += p.deliveredCount[t];
    }
    for (const [k, v] of Object.entries(p.scalars)) (c as unknown as Record<string, number>)[k] += v;
  }
  return c;
}

/** The overlay over live honest peers (n = peers.count), from every worker's reports. */
export function snapshotOf(reports: readonly PeerReport[], n: number): OverlaySnapshot {
  const alive = new Uint8Array(n);
  for (const r of reports) alive[r.i] = 1;
  const ea: number[] = [];
  const eb: number[] = [];
  for (const r of reports) {
    for (const j of r.overlay) {
      if (alive[j] === 1) {
        ea.push(r.i);
        eb.push(j);
      }
    }
  }
  return { graph: csrFromEdges(n, Int32Array.from(ea), Int32Array.from(eb), ea.length, alive), addresses: Array.from({ length: n }, (_, i) => i) };
}

/** Coverage of each reporting peer: live others it knows over the planned network (as globalmap's metrics). */
export function coverages(reports: readonly PeerReport[], plannedPeers: number): number[] {
  const alive = new Set(reports.map((r) => r.i));
  const others = Math.max(1, Math.max(plannedPeers, reports.length) - 1);
  return reports.map((r) => Math.min(1, r.known.filter((j) => alive.has(j)).length / others));
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/** The time-series figures of one sample (the driver's node + globalmap sample keys). */
export function sampleFigures(reports: readonly PeerReport[], plannedPeers: number): Record<string, number> {
  const snap = snapshotOf(reports, plannedPeers);
  const conn = overlayConnectivity(snap);
  const cov = coverages(reports, plannedPeers);
  return {
    livePeers: conn.live,
    meanOverlayDegree: conn.live > 0 ? snap.graph.targets.length / conn.live : 0,
    lccFraction: conn.lccFraction,
    components: conn.components,
    coverageMean: mean(cov),
    coverageP10: quantile(cov, 0.1),
    mapEntriesMean: mean(reports.map((r) => r.mapSize)),
    overlayDegreeMean: mean(reports.map((r) => r.overlay.length)),
  };
}

/** The peer manager's end-of-run figures summed over peers (a subset of metrics.node). */
export function nodeFigures(reports: readonly PeerReport[], plannedPeers: number): Record<string, unknown> {
  const handshakes: Record<string, number> = {};
  const offences: Record<string, number> = {};
  let bans = 0;
  let dials = 0;
  let links = 0;
  for (const r of reports) {
    if (!r.stats) continue;
    for (const [k, v] of Object.entries(r.stats.handshakes)) handshakes[k] = (handshakes[k] ?? 0) + v;
    for (const [k, v] of Object.entries(r.stats.offences)) offences[k] = (offences[k] ?? 0) + v;
    bans += r.stats.bans;
    dials += r.stats.dials;
    links += r.stats.links;
  }
  return { honestPeers: plannedPeers, meanPeers: plannedPeers > 0 ? links / plannedPeers : 0, ...overlayConnectivity(snapshotOf(reports, plannedPeers)), handshakes, offences, bansIssued: bans, dialAttempts: dials };
}
