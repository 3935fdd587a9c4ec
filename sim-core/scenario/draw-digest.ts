import { geometricTrials } from '../protocols/identity/pow.ts';
import { sessionLength } from './churn.ts';
import { drawsDigest } from '../engine/det-math-samples.ts';
import { Rng } from '../engine/rng.ts';

/**
 * The raw values of the simulator's own variate draws (exponential, normal,
 * Weibull and Pareto sessions and their residuals, proof-of-work grinds)
 * from one seeded stream, as a digest: what a browser must reproduce for
 * its runs to match `peermap run`.
 */
export function simulatorDrawsDigest(seed = 'draws', n = 20_000): string {
  const rng = new Rng(seed);
  const weibull = sessionLength({ dist: 'weibull', shape: 0.5, scaleS: 600 });
  const pareto = sessionLength({ dist: 'pareto', alpha: 1.5, minS: 60 });
  return drawsDigest(
    {
      exponential: (mean) => rng.exponential(mean),
      normal: () => rng.normal(),
      weibull: { draw: () => weibull.draw(rng), residual: () => weibull.residual(rng) },
      pareto: { draw: () => pareto.draw(rng), residual: () => pareto.residual(rng) },
      powTrials: (d) => geometricTrials(d, rng),
    },
    n,
  );
}
