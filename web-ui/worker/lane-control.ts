import { validateScenarioObject } from '../../sim-core/scenario/load.ts';
import { actionSchema, type ActionSpec } from '../../sim-core/scenario/schema/actions.ts';
import type { LaneClock } from './protocol.ts';
import type { Session } from './session.ts';

/**
 * What the lane pool (client/lane-pool.ts) asks of a worker's session when
 * the lanes of one view live in separate workers: run to a given instant,
 * say what is pending, check and add actions at a time the pool picked. No
 * DOM, no comlink: tested in Node through the pool with in-memory lanes.
 */

/** Most events run by one runTo call: it only ever closes the gap to another lane (a fault's instant, a stepped event). */
const MAX_RUN_TO_EVENTS = 50_000_000;

/** Runs every lane of `s` until all its events at or before `tUs` have run (nothing when already there); says where it stands. */
export function runTo(s: Session, tUs: number): LaneClock {
  let left = MAX_RUN_TO_EVENTS;
  const t = Math.floor(Math.min(tUs, s.endUs));
  for (const lane of s.lanes) {
    while (left > 0 && !lane.reached(t)) {
      const before = lane.sim.world.scheduler.eventsProcessed;
      lane.step(Math.min(left, 1 << 16), t);
      left -= Math.max(1, lane.sim.world.scheduler.eventsProcessed - before);
    }
  }
  return clock(s);
}

/** The session's clock, the time of its next pending event (Infinity: none) and whether it is over. */
export function clock(s: Session): LaneClock {
  let nextUs = Number.POSITIVE_INFINITY;
  for (const l of s.lanes) {
    if (l.sim.done) continue;
    const n = l.sim.world.scheduler.nextTime();
    if (n !== undefined) nextUs = Math.min(nextUs, n);
  }
  return { nowUs: s.nowUs, maxNowUs: s.lanes.reduce((m, l) => Math.max(m, l.nowUs), 0), nextUs, done: s.done, endUs: s.endUs };
}

/** Parses fault actions (as a fault button writes them, `atS` included) and checks every lane's scenario would accept them; the actions, or why not. */
export function checkActions(s: Session, raws: Record<string, unknown>[]): ActionSpec[] | string {
  try {
    const actions = raws.map((raw) => actionSchema.parse(raw));
    for (const lane of s.lanes) {
      const atUs = Math.min(...actions.map((a) => Math.round(a.atS * 1e6)));
      if (!(atUs > lane.nowUs) && !lane.sim.done) return `action at ${atUs / 1e6} s is not after the lane's clock (${lane.nowUs / 1e6} s)`;
      validateScenarioObject({ ...lane.sim.scenario, actions: [...lane.sim.scenario.actions, ...actions] }, 'session');
    }
    return actions;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Checks, then schedules the actions in every lane (through Simulation.addAction) and records them for the export; the actions, or why not. */
export function addActions(s: Session, raws: Record<string, unknown>[]): ActionSpec[] | string {
  const actions = checkActions(s, raws);
  if (typeof actions === 'string') return actions;
  if (s.done) return 'the run is over';
  for (const action of actions) for (const lane of s.lanes) lane.sim.addAction(structuredClone(action));
  s.recorded.push(...raws);
  return actions;
}
