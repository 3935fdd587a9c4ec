/**
 * Quantile function of |N(0, 1)| by table lookup, so the per-packet path
 * needs one uniform and no log/cos. The table is built with detLog (the
 * same bits in every engine) and its entries quantised to 2^-20, so draws
 * use only IEEE arithmetic and are the same in Node and browsers.
 */

import { detLog } from '../../engine/det-math.ts';

export const QUANTILE_CELLS = 1024;
const QUANTUM = 2 ** 20;

/** Standard normal quantile, Acklam's rational approximation (relative error < 1.2e-9), for p in (0.5, 1). */
function normalQuantileUpper(p: number): number {
  if (p <= 0.97575) {
    const q = p - 0.5;
    const r = q * q;
    return (
      ((((((-3.969683028665376e1 * r + 2.209460984245205e2) * r - 2.759285104469687e2) * r + 1.38357751867269e2) * r - 3.066479806614716e1) * r + 2.506628277459239) * q) /
      (((((-5.447609879822406e1 * r + 1.615858368580409e2) * r - 1.556989798598866e2) * r + 6.680131188771972e1) * r - 1.328068155288572e1) * r + 1)
    );
  }
  const q = Math.sqrt(-2 * detLog(1 - p));
  return (
    -(((((-7.784894002430293e-3 * q - 3.223964580411365e-1) * q - 2.400758277161838) * q - 2.549732539343734) * q + 4.374664141464968) * q + 2.938163982698783) /
    ((((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q + 3.754408661907416) * q + 1)
  );
}

/**
 * HALF_NORMAL_TABLE[i] = quantile at i / QUANTILE_CELLS; node QUANTILE_CELLS closes the open
 * tail at 1 − 1/(4·QUANTILE_CELLS) (|z| ≈ 3.66) and is repeated once, so v = 1 from float
 * rounding still reads a number.
 */
export const HALF_NORMAL_TABLE = new Float64Array(QUANTILE_CELLS + 2);
for (let i = 1; i <= QUANTILE_CELLS; i++) {
  const v = i < QUANTILE_CELLS ? i / QUANTILE_CELLS : 1 - 0.25 / QUANTILE_CELLS;
  HALF_NORMAL_TABLE[i] = Math.round(normalQuantileUpper((1 + v) / 2) * QUANTUM) / QUANTUM;
}
HALF_NORMAL_TABLE[QUANTILE_CELLS + 1] = HALF_NORMAL_TABLE[QUANTILE_CELLS];

/** |Z| with P(|Z| ≤ x) = v, for v in [0, 1); linear between table nodes. GeoLatency inlines this lookup. */
export function halfNormalQuantile(v: number): number {
  const x = v * QUANTILE_CELLS;
  const i = x | 0;
  return HALF_NORMAL_TABLE[i] + (x - i) * (HALF_NORMAL_TABLE[i + 1] - HALF_NORMAL_TABLE[i]);
}
