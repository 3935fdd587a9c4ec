import type { TimeUs } from '../../engine/time.ts';
import type { BlockObserver, RelayEvent, RelayMode } from './relay-app.ts';
import type { MiningSchedule } from './schedule.ts';
import { minOf } from '../../engine/extremes.ts';

/** Per-block rows listed in the report (the aggregates cover every block). */
const MAX_BLOCK_ROWS = 100;

interface BlockStat {
  readonly slot: number;
  readonly miner: number;
  readonly minedUs: TimeUs;
  /** Peers live and connected at mining time, the miner included. */
  readonly targets: number;
  readonly isolated: number;
  readonly need50: number;
  readonly need90: number;
  height: number;
  reached: number;
  t50Us: number;
  t90Us: number;
  t100Us: number;
  /** Bitsets over honest indices, freed once every target has the block. */
  isTarget: Uint8Array | undefined;
  got: Uint8Array | undefined;
  /** First receipts by peers that were not targets (joined, or isolated, at mining time). */
  lateDeliveries: number;
  duplicateBodies: number;
  redundantInvs: number;
}

export interface Summary {
  n: number;
  mean: number;
  median: number;
  p90: number;
}

/** Mean, median and p90 (nearest rank) of `xs`; zeros for an empty list. */
export function summarize(xs: readonly number[]): Summary {
  if (xs.length === 0) return { n: 0, mean: 0, median: 0, p90: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  const mean = s.reduce((a, b) => a + b, 0) / n;
  const median = n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  const p90 = s[Math.max(0, Math.ceil(0.9 * n) - 1)];
  return { n, mean, median, p90 };
}

const setBit = (bits: Uint8Array, i: number) => (bits[i >> 3] |= 1 << (i & 7));
const hasBit = (bits: Uint8Array, i: number) => (bits[i >> 3] & (1 << (i & 7))) !== 0;

/**
 * Observer of one simulation's block workload, shared by every peer's relay
 * app (created by the runtime, not protocol state). For each block: when it
 * reached 50 %, 90 % and 100 % of the peers that were live and connected
 * when it was mined, its reach at the end, duplicate bodies and redundant
 * invs. Memory: two bitsets of peers/8 bytes per block until it is fully
 * propagated.
 */
export class BlockTracker implements BlockObserver {
  private readonly bySlot = new Map<number, BlockStat>();
  private readonly byKey = new Map<string, BlockStat>();
  private readonly blocks: BlockStat[] = [];
  private readonly counts: Record<RelayEvent, number> = {
    'inv-sent': 0,
    'getdata-sent': 0,
    'block-sent': 0,
    'getdata-timeout': 0,
    unsolicited: 0,
    invalid: 0,
    'in-flight-full': 0,
  };
  private slotsWithoutMiner = 0;
  private fullyPropagated = 0;
  /** Duplicates and invs for hashes no block of the schedule has (forged or corrupted). */
  private unknownHashEvents = 0;

  constructor(
    private readonly schedule: MiningSchedule,
    private readonly peers: number,
    private readonly mode: RelayMode,
  ) {
    schedule.onResolve((slot, timeUs, miner, targets, isolated) => {
      if (miner < 0) {
        this.slotsWithoutMiner++;
        return;
      }
      const isTarget = new Uint8Array((peers + 7) >> 3);
      for (const i of targets) setBit(isTarget, i);
      this.bySlot.set(slot, {
        slot,
        miner,
        minedUs: timeUs,
        targets: targets.length,
        isolated,
        need50: Math.ceil(0.5 * targets.length),
        need90: Math.ceil(0.9 * targets.length),
        height: 0,
        reached: 0,
        t50Us: -1,
        t90Us: -1,
        t100Us: -1,
        isTarget,
        got: new Uint8Array((peers + 7) >> 3),
        lateDeliveries: 0,
        duplicateBodies: 0,
        redundantInvs: 0,
      });
    });
  }

  // ---- BlockObserver ----

  mined(key: string, slot: number, index: number, height: number, now: TimeUs): void {
    const st = this.bySlot.get(slot);
    if (!st || st.miner !== index) return;
    this.bySlot.delete(slot);
    st.height = height;
    this.byKey.set(key, st);
    this.blocks.push(st);
    this.accepted(key, index, now);
  }

  accepted(key: string, index: number, now: TimeUs): void {
    const st = this.byKey.get(key);
    if (!st) return;
    if (!st.got || !st.isTarget) {
      st.lateDeliveries++; // every target already has it
      return;
    }
    if (hasBit(st.got, index)) return; // stored again after being forgotten
    setBit(st.got, index);
    if (!hasBit(st.isTarget, index)) {
      st.lateDeliveries++;
      return;
    }
    st.reached++;
    const dt = now - st.minedUs;
    if (st.t50Us < 0 && st.reached >= st.need50) st.t50Us = dt;
    if (st.t90Us < 0 && st.reached >= st.need90) st.t90Us = dt;
    if (st.reached === st.targets) {
      st.t100Us = dt;
      st.got = st.isTarget = undefined;
      this.fullyPropagated++;
    }
  }

  duplicateBody(key: string): void {
    const st = this.byKey.get(key);
    if (st) st.duplicateBodies++;
    else this.unknownHashEvents++;
  }

  redundantInv(key: string): void {
    const st = this.byKey.get(key);
    if (st) st.redundantInvs++;
    else this.unknownHashEvents++;
  }

  event(kind: RelayEvent): void {
    this.counts[kind]++;
  }

  // ---- reports ----

  /** Cheap figures for the time series. */
  sample(): Record<string, number> {
    return { blocksMined: this.blocks.length, blocksFullyPropagated: this.fullyPropagated };
  }

  /** The `metrics.blocks` section. */
  report(): Record<string, unknown> {
    const b = this.blocks;
    const n = b.length;
    const ms = (us: number) => us / 1000;
    const reach = b.map((s) => (s.targets > 0 ? s.reached / s.targets : 1));
    const t50 = summarize(b.filter((s) => s.t50Us >= 0).map((s) => ms(s.t50Us)));
    const t90 = summarize(b.filter((s) => s.t90Us >= 0).map((s) => ms(s.t90Us)));
    const t100 = summarize(b.filter((s) => s.t100Us >= 0).map((s) => ms(s.t100Us)));
    const per = (x: number) => (n > 0 ? x / n : 0);
    const sum = (f: (s: BlockStat) => number) => b.reduce((a, s) => a + f(s), 0);
    return {
      mode: this.mode,
      slotsScheduled: this.schedule.slots,
      blocksMined: n,
      slotsWithoutMiner: this.slotsWithoutMiner,
      blocksFullyPropagated: this.fullyPropagated,
      meanReachAtEnd: n > 0 ? reach.reduce((a, x) => a + x, 0) / n : 0,
      minReachAtEnd: n > 0 ? minOf(reach) : 0,
      meanTargets: per(sum((s) => s.targets)),
      meanIsolatedAtMining: per(sum((s) => s.isolated)),
      t50MsMean: t50.mean,
      t50MsMedian: t50.median,
      t50MsP90: t50.p90,
      t90MsMean: t90.mean,
      t90MsMedian: t90.median,
      t90MsP90: t90.p90,
      t100MsMean: t100.mean,
      t100MsMedian: t100.median,
      t100MsP90: t100.p90,
      blocksReaching50: t50.n,
      blocksReaching90: t90.n,
      duplicateBodiesPerBlock: per(sum((s) => s.duplicateBodies)),
      redundantInvsPerBlock: per(sum((s) => s.redundantInvs)),
      bodiesSentPerBlock: per(this.counts['block-sent']),
      lateDeliveries: sum((s) => s.lateDeliveries),
      invsSent: this.counts['inv-sent'],
      getdataSent: this.counts['getdata-sent'],
      bodiesSent: this.counts['block-sent'],
      getdataTimeouts: this.counts['getdata-timeout'],
      unsolicited: this.counts.unsolicited,
      invalidBlocks: this.counts.invalid,
      inFlightFull: this.counts['in-flight-full'],
      unknownHashEvents: this.unknownHashEvents,
      perBlock: b.slice(0, MAX_BLOCK_ROWS).map((s) => ({
        slot: s.slot,
        height: s.height,
        miner: s.miner,
        minedS: s.minedUs / 1e6,
        targets: s.targets,
        reach: s.targets > 0 ? s.reached / s.targets : 1,
        t50Ms: s.t50Us >= 0 ? ms(s.t50Us) : null,
        t90Ms: s.t90Us >= 0 ? ms(s.t90Us) : null,
        t100Ms: s.t100Us >= 0 ? ms(s.t100Us) : null,
        duplicateBodies: s.duplicateBodies,
        redundantInvs: s.redundantInvs,
      })),
    };
  }
}
