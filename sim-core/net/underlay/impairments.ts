import type { Rng } from '../../engine/rng.ts';

/** A loss rate or extra delay that applies between two continents (both directions). */
export interface ContinentPairValue {
  a: number;
  b: number;
  value: number;
}

export interface ImpairmentOptions {
  /** Continent index per host (-1 = unplaced: only the global values apply). */
  continentOf: Int32Array;
  continents: number;
  lossRate?: number;
  lossPairs?: readonly ContinentPairValue[];
  /** 'drop': a lost message is gone. 'retransmit': it arrives after one retransmission timeout per loss (doubling), dropped after `maxRetransmits`. */
  lossMode?: 'drop' | 'retransmit';
  retransmitUs?: number;
  maxRetransmits?: number;
  delayUs?: number;
  delayPairs?: readonly ContinentPairValue[];
  /** Stream of the loss draws (`net/loss`). */
  rng: Rng;
}

/**
 * Per-packet loss and extra delay: a global value, replaced for a continent
 * pair when the scenario lists one. Values live in a continents × continents
 * table, so a packet costs two array reads.
 */
export class Impairments {
  readonly hasLoss: boolean;
  readonly hasDelay: boolean;
  retransmits = 0;
  private readonly nc: number;
  private readonly continentOf: Int32Array;
  private readonly lossGlobal: number;
  private readonly delayGlobal: number;
  private readonly lossTable: Float64Array;
  private readonly delayTable: Int32Array;
  private readonly retransmit: boolean;
  private readonly rtoUs: number;
  private readonly maxRetransmits: number;
  private readonly rng: Rng;

  constructor(o: ImpairmentOptions) {
    const nc = (this.nc = o.continents);
    this.continentOf = o.continentOf;
    this.lossGlobal = check(o.lossRate ?? 0, 0, 1, 'loss rate');
    this.delayGlobal = Math.round(check(o.delayUs ?? 0, 0, 1e9, 'extra delay')) | 0;
    this.lossTable = new Float64Array(nc * nc).fill(this.lossGlobal);
    this.delayTable = new Int32Array(nc * nc).fill(this.delayGlobal);
    for (const p of o.lossPairs ?? []) setPair(this.lossTable, nc, p, check(p.value, 0, 1, 'loss rate'));
    for (const p of o.delayPairs ?? []) setPair(this.delayTable, nc, p, Math.round(check(p.value, 0, 1e9, 'extra delay')));
    this.hasLoss = this.lossGlobal > 0 || this.lossTable.some((x) => x > 0);
    this.hasDelay = this.delayGlobal > 0 || this.delayTable.some((x) => x > 0);
    this.retransmit = o.lossMode === 'retransmit';
    this.rtoUs = Math.round(o.retransmitUs ?? 200_000);
    this.maxRetransmits = o.maxRetransmits ?? 6;
    this.rng = o.rng;
  }

  private index(from: number, to: number): number {
    const a = this.continentOf[from];
    const b = this.continentOf[to];
    return a >= 0 && b >= 0 ? a * this.nc + b : -1;
  }

  lossRate(from: number, to: number): number {
    const k = this.index(from, to);
    return k < 0 ? this.lossGlobal : this.lossTable[k];
  }

  /** Time after loss: unchanged, later (retransmitted), or -1 (lost). */
  applyLoss(from: number, to: number, t: number): number {
    const p = this.lossRate(from, to);
    if (p <= 0) return t;
    if (!this.retransmit) return this.rng.next() < p ? -1 : t;
    // TCP-like: each loss costs one retransmission timeout, doubling (RFC 6298 backoff).
    let rto = this.rtoUs;
    for (let i = 0; i <= this.maxRetransmits; i++) {
      if (!(this.rng.next() < p)) return t;
      if (i === this.maxRetransmits) break;
      t += rto;
      rto *= 2;
      this.retransmits++;
    }
    return -1;
  }

  delayUs(from: number, to: number): number {
    const k = this.index(from, to);
    return k < 0 ? this.delayGlobal : this.delayTable[k];
  }
}

function setPair(table: Float64Array | Int32Array, nc: number, p: ContinentPairValue, v: number): void {
  if (!(p.a >= 0 && p.a < nc && p.b >= 0 && p.b < nc)) throw new RangeError(`continent pair (${p.a}, ${p.b}) out of range`);
  table[p.a * nc + p.b] = v;
  table[p.b * nc + p.a] = v;
}

function check(x: number, lo: number, hi: number, what: string): number {
  if (!(x >= lo && x <= hi)) throw new RangeError(`${what} must be in [${lo}, ${hi}], got ${x}`);
  return x;
}
