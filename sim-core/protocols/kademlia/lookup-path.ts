import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { LookupEndReason, LookupObserver } from './lookup.ts';

/** One thing a lookup did, in the order it did it. */
export type LookupStep =
  | { kind: 'sent'; atUs: TimeUs; peer: PeerNum; round: number }
  | { kind: 'answered'; atUs: TimeUs; peer: PeerNum; nodes: PeerNum[] }
  | { kind: 'failed'; atUs: TimeUs; peer: PeerNum; unasked: boolean };

/**
 * The path of one lookup as it ran (the dashboard's lookup view): its target,
 * the starting shortlist, every FIND_NODE sent, answered or failed in order,
 * how it ended, and the observer's verdict for a workload lookup. Plain data.
 */
export interface LookupPath {
  initiator: PeerNum;
  /** The target id as 5 words, most significant first. */
  target: number[];
  startedAtUs: TimeUs;
  start: PeerNum[];
  steps: LookupStep[];
  endedAtUs?: TimeUs;
  reason?: LookupEndReason;
  /** Up to k peers that answered, closest first (the lookup's result). */
  result?: PeerNum[];
  /** Observer: the closest live server to the target when the lookup ended (-1 if none), and whether the lookup found it. */
  trueClosest?: PeerNum;
  success?: boolean;
}

/**
 * Records a lookup's path as a `LookupObserver`. Bounded by the lookup's own
 * budgets: at most maxLookupQueries sends, each with one outcome listing at
 * most maxNodesPerResponse peers.
 */
export class LookupPathRecorder implements LookupObserver {
  readonly path: LookupPath;

  constructor(initiator: PeerNum, target: ArrayLike<number>) {
    this.path = { initiator, target: Array.from(target), startedAtUs: 0, start: [], steps: [] };
  }

  started(now: TimeUs, candidates: readonly PeerNum[]): void {
    this.path.startedAtUs = now;
    this.path.start = candidates.slice();
  }

  sent(now: TimeUs, to: PeerNum, round: number): void {
    this.path.steps.push({ kind: 'sent', atUs: now, peer: to, round });
  }

  answered(now: TimeUs, from: PeerNum, nodes: PeerNum[]): void {
    this.path.steps.push({ kind: 'answered', atUs: now, peer: from, nodes });
  }

  failed(now: TimeUs, from: PeerNum, unasked: boolean): void {
    this.path.steps.push({ kind: 'failed', atUs: now, peer: from, unasked });
  }

  finished(now: TimeUs, reason: LookupEndReason, result: PeerNum[]): void {
    this.path.endedAtUs = now;
    this.path.reason = reason;
    this.path.result = result;
  }

  /** The observer's verdict (workload lookups). */
  verdict(trueClosest: PeerNum, success: boolean): void {
    this.path.trueClosest = trueClosest;
    this.path.success = success;
  }
}
