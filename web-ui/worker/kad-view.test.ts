import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KAD_BUCKETS } from '../../sim-core/protocols/kademlia/constants.ts';
import { kadIdToHex } from '../../sim-core/protocols/kademlia/ids.ts';
import { parseScenario } from '../../sim-core/scenario/load.ts';
import { Simulation } from '../../sim-core/scenario/simulation.ts';
import { kadAppOf, KadInspector, type KadView } from './kad-view.ts';
import { Session } from './session.ts';

const CLASSROOM = readFileSync('scenarios/classroom.yaml', 'utf8');
const SEED = 4;
const DURATION_S = 240;
const PEER = 17;

/** Advances until the inspected peer has a finished recorded lookup (the workload draws one about every 60 s). */
function runUntilPath(session: Session, kad: KadInspector): KadView {
  let v = kad.view(session.lanes[0].sim, PEER)!;
  while (!session.done && v.path?.endedS == null) {
    session.advance(session.nowUs + 5_000_000, 1e9);
    v = kad.view(session.lanes[0].sim, PEER)!;
  }
  return v;
}

describe('Kademlia views (inspector): buckets and the last lookup path', { timeout: 300_000 }, () => {
  const session = new Session({ text: CLASSROOM, source: 'classroom.yaml', seed: SEED, durationS: DURATION_S, strategies: ['kademlia'] });
  const kad = new KadInspector();

  it("the buckets are the routing table's content, every contact in the bucket its XOR distance says", () => {
    session.advance(40_000_000, 1e9);
    const sim = session.lanes[0].sim;
    const v = kad.view(sim, PEER)!;
    const app = kadAppOf(sim, PEER)!;
    const table = app.table;
    // The expectation from the protocol object itself.
    const want = [];
    for (let b = KAD_BUCKETS - 1; b >= 0; b--) if (table.bucket(b).length > 0) want.push({ bucket: b, nums: [...table.bucket(b)] });
    expect(want.length).toBeGreaterThan(0);
    expect(v.buckets.map((b) => ({ bucket: b.bucket, nums: b.contacts.map((c) => c.num) }))).toEqual(want);
    expect(v.size).toBe(table.size);
    expect(v.k).toBe(8); // classroom.yaml's protocol.kademlia.k
    for (const b of v.buckets) {
      expect(b.contacts.length).toBeLessThanOrEqual(v.k);
      expect(b.sharedPrefixBits).toBe(159 - b.bucket);
      for (const c of b.contacts) {
        expect(app.ids.bucketIndex(app.peer, c.num)).toBe(b.bucket);
        expect(c.id).toBe(kadIdToHex(app.ids.copy(c.num)).slice(0, 8));
        expect(c.peer).toBeGreaterThanOrEqual(0); // classroom has no adversaries: every contact is an honest peer
        expect(kadAppOf(sim, c.peer)!.peer).toBe(c.num);
        expect(c.live).toBe(sim.world.isUp(sim.population.addressOf[c.peer]));
        expect(c.city.length).toBeGreaterThan(0);
        if (c.seenAgoS !== null) expect(c.seenAgoS).toBeGreaterThanOrEqual(0);
      }
    }
    // No globalmap app: no view.
    const other = new Session({ text: CLASSROOM, source: 'classroom.yaml', seed: SEED, durationS: 30 });
    other.advance(25_000_000, 1e9);
    expect(new KadInspector().view(other.lanes[0].sim, PEER)).toBeUndefined();
  });

  it('the last lookup: starts at the peer, queries only peers it was told of, gets closer each round, ends on its result', () => {
    const v = runUntilPath(session, kad);
    const p = v.path!;
    expect(p.endedS).not.toBeNull();
    const app = kadAppOf(session.lanes[0].sim, PEER)!;
    const raw = app.lastLookupPath!;
    const ids = app.ids;
    const target = Uint32Array.from(raw.target);
    expect(p.initiator).toBe(PEER);
    expect(p.rounds.length).toBeGreaterThanOrEqual(1);
    // Round 1 goes out from the peer itself, to its starting shortlist.
    for (const q of p.rounds[0].queries) {
      expect(q.via).toBe(PEER);
      expect(p.start).toContain(q.peer);
    }
    // Every queried peer was in the starting shortlist or named by an answer received before the query was sent.
    const told = new Set(raw.start);
    for (const s of raw.steps) {
      if (s.kind === 'sent') expect(told.has(s.peer)).toBe(true);
      if (s.kind === 'answered') for (const n of s.nodes) told.add(n);
    }
    // Every query of the view is a send of the record, with its round.
    const sends = raw.steps.filter((s) => s.kind === 'sent');
    expect(p.rounds.flatMap((r) => r.queries.map((q) => `${q.num}@${q.round}`)).sort()).toEqual(sends.map((s) => `${s.peer}@${s.round}`).sort());
    // The best contact per round gets no farther from the target.
    const bestNums = p.rounds.map((r) => (r.best < 0 ? -1 : kadAppOf(session.lanes[0].sim, r.best)!.peer)).filter((n) => n >= 0);
    for (let i = 1; i < bestNums.length; i++) expect(ids.compareDistance(bestNums[i], bestNums[i - 1], target)).toBeLessThanOrEqual(0);
    // The final best is the lookup's result: the closest peer that answered.
    const answered = raw.steps.filter((s) => s.kind === 'answered').map((s) => s.peer);
    const closest = answered.reduce((a, b) => (ids.compareDistance(b, a, target) < 0 ? b : a));
    expect(raw.result![0]).toBe(closest);
    expect(p.rounds[p.rounds.length - 1].best).toBe(p.result[0]);
    expect(p.result[0]).toBe(kadAppOf(session.lanes[0].sim, p.result[0])!.index);
    // The verdict is the observer's: converged on the closest live peer.
    expect(p.success).toBe(p.reason === 'converged' && (p.result[0] === p.trueClosest || p.trueClosest === PEER));
    // Hop edges: one per query, coloured by round, from whoever named the peer.
    expect(p.edges.length).toBe(3 * sends.length);
    expect(structuredClone(v)).toEqual(v);
  });

  it('recording paths is opt-in and changes nothing: the trace hash is the CLI run', () => {
    while (!session.done) {
      session.advance(session.nowUs + 7_000_000, 1e9);
      kad.view(session.lanes[0].sim, PEER);
    }
    const scenario = parseScenario(CLASSROOM.replace(/strategy: \w+/, 'strategy: kademlia'), 'cli', { seed: SEED, durationS: DURATION_S });
    expect(session.lanes[0].sim.traceHash).toBe(new Simulation(scenario).runToEnd().traceHash);
    // Switching to another peer stops the first one's recording and forgets its paths.
    kad.view(session.lanes[0].sim, PEER + 1);
    expect(kadAppOf(session.lanes[0].sim, PEER)!.lastLookupPath).toBeUndefined();
  });
});
