import type { Simulation } from '../../sim-core/scenario/simulation.ts';
import { WaveFollower } from '../../sim-core/scenario/wave-follow.ts';
import type { FaultRequest, FaultResult, LaneFrame } from './protocol.ts';

/** What following a wave needs of a worker's Session: its lanes, and its fault buttons. */
export interface WaveSession {
  readonly lanes: readonly { readonly sim: Simulation; readonly strategy: string }[];
  fault(req: FaultRequest): FaultResult;
}

/** The wave each session follows (one at a time): its lane and follower. */
const following = new WeakMap<WaveSession, { lane: number; follower: WaveFollower }>();

/**
 * "Follow a gossip wave": watch the next event honest peer `peer` of lane
 * `lane` originates, and make it originate one now — the scenario action
 * `announce` (it re-announces its oldest link, as its periodic refresh
 * does), recorded like a fault button at a quiet millisecond so the exported
 * session and the page URL replay it. A previous wave stops being followed.
 */
export function followWave(session: WaveSession, lane: number, peer: number): FaultResult {
  const w = watchWave(session, lane, peer);
  if (!w.ok) return w;
  const r = session.fault({ kind: 'announce', peer });
  if (!r.ok) stopWave(session);
  return r;
}

/**
 * The first half of followWave: watch the next event `peer` originates,
 * without making it originate one (a lane pool adds the `announce` action
 * to every lane at one instant itself). A previous wave stops being followed.
 */
export function watchWave(session: WaveSession, lane: number, peer: number): { ok: true } | { ok: false; error: string } {
  stopWave(session);
  const sim = session.lanes[lane]?.sim;
  if (!sim) return { ok: false, error: `no lane ${lane}` };
  if (!sim.world.isUp(sim.population.addressOf[peer] ?? -1)) return { ok: false, error: `peer ${peer} is not up` };
  const follower = WaveFollower.follow(sim, peer);
  if (!follower) return { ok: false, error: `${session.lanes[lane].strategy} gossips no map: no wave to follow` };
  following.set(session, { lane, follower });
  return { ok: true };
}

export function stopWave(session: WaveSession): void {
  following.get(session)?.follower.stop();
  following.delete(session);
}

/** Adds the followed wave to its lane's frame (fresh arrays, transferred); returns `lanes`. */
export function withWave(session: WaveSession, lanes: LaneFrame[], transfer: ArrayBufferLike[]): LaneFrame[] {
  const f = following.get(session);
  const frame = f && lanes[f.lane];
  if (!f || !frame) return lanes;
  const w = f.follower.view();
  frame.wave = w;
  transfer.push(w.firstUs.buffer, w.via.buffer, w.hop.buffer, w.ttlLeft.buffer);
  return lanes;
}
