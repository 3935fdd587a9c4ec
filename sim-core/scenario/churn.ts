import type { Rng, RngStreams } from '../engine/rng.ts';
import { secondsToUs, type TimeUs } from '../engine/time.ts';
import type { World } from '../net/world.ts';
import type { ChurnConfig, SessionConfig } from './schema/underlay.ts';
import { detExp, detLog, detPow, detSin } from '../engine/det-math.ts';

/**
 * Session-length distributions: a draw for a fresh session, and a draw of the
 * time left in a session already under way at a random instant (the
 * residual life: U × a length-biased draw), which starts a run in steady
 * state. Seconds.
 */
export interface SessionLength {
  draw(rng: Rng): number;
  residual(rng: Rng): number;
  readonly meanS: number;
}

export function sessionLength(cfg: SessionConfig): SessionLength {
  switch (cfg.dist) {
    case 'exponential':
      // Memoryless: the residual is a fresh draw.
      return { meanS: cfg.meanS, draw: (r) => r.exponential(cfg.meanS), residual: (r) => r.exponential(cfg.meanS) };
    case 'pareto': {
      const { alpha, minS } = cfg;
      // Length-biased Pareto(alpha, xm) is Pareto(alpha - 1, xm).
      return {
        meanS: (alpha * minS) / (alpha - 1),
        draw: (r) => minS * detPow(1 - r.next(), -1 / alpha),
        residual: (r) => r.next() * minS * detPow(1 - r.next(), -1 / (alpha - 1)),
      };
    }
    case 'weibull': {
      const { shape: k, scaleS: lambda } = cfg;
      // Length-biased Weibull(k, λ): (L/λ)^k ~ Gamma(1 + 1/k, 1).
      return {
        meanS: lambda * gammaFn(1 + 1 / k),
        draw: (r) => lambda * detPow(-detLog(1 - r.next()), 1 / k),
        residual: (r) => r.next() * lambda * detPow(gammaDraw(1 + 1 / k, r), 1 / k),
      };
    }
  }
}

/** Weibull CDF, for tests and reports. */
export function weibullCdf(x: number, k: number, lambda: number): number {
  return x <= 0 ? 0 : 1 - detExp(-detPow(x / lambda, k));
}

/** Gamma(shape ≥ 1, 1) by Marsaglia & Tsang (2000); bounded loop (acceptance > 95 %). */
export function gammaDraw(shape: number, r: Rng): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (let i = 0; i < 1000; i++) {
    const x = r.normal();
    const v = detPow(1 + c * x, 3);
    if (v <= 0) continue;
    const u = 1 - r.next();
    if (detLog(u) < 0.5 * x * x + d - d * v + d * detLog(v)) return d * v;
  }
  return shape; // unreachable in practice: the mean
}

/** Γ(x) for x > 0 (Lanczos, g = 7): reports only, never a simulation decision. */
export function gammaFn(x: number): number {
  if (x < 0.5) return Math.PI / (detSin(Math.PI * x) * gammaFn(1 - x));
  const g = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  x -= 1;
  let a = g[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += g[i] / (x + i);
  return Math.sqrt(2 * Math.PI) * detPow(t, x + 0.5) * detExp(-t) * a;
}

export interface ChurnHooks {
  /** Adds and starts a new honest peer at `atUs`; returns its address, or -1 at capacity. */
  spawn(atUs: TimeUs): number;
  /** The host left for good (outages and upgrades must not bring it back). */
  departed(address: number): void;
}

/**
 * Churn: new peers arrive as a Poisson process (`arrivalsPerS`, stream
 * `scenario/churn/arrivals`, one pending arrival event at a time), each stays
 * for a session (`scenario/churn/sessions`) and leaves by a crash or a
 * graceful stop (`scenario/churn/departures`). Departed peers never return:
 * newcomers are new identities.
 */
export class Churn {
  arrivals = 0;
  crashes = 0;
  stops = 0;
  private sessionTotalS = 0;
  private sessions = 0;
  private readonly session: SessionLength;
  private readonly arrivalsRng: Rng;
  private readonly sessionsRng: Rng;
  private readonly departuresRng: Rng;

  constructor(
    private readonly world: World<unknown>,
    readonly cfg: ChurnConfig,
    private readonly endUs: TimeUs,
    rng: RngStreams,
    private readonly hooks: ChurnHooks,
  ) {
    this.session = sessionLength(cfg.session);
    this.arrivalsRng = rng.stream('scenario/churn/arrivals');
    this.sessionsRng = rng.stream('scenario/churn/sessions');
    this.departuresRng = rng.stream('scenario/churn/departures');
  }

  /** Departures of the initial peers (started at `starts[i]`) and the first arrival. */
  start(starts: readonly TimeUs[], bootstrapCount: number): void {
    const mode = this.cfg.initialPeers;
    if (mode !== 'forever') {
      starts.forEach((at, i) => {
        if (this.cfg.keepBootstrap && i < bootstrapCount) return;
        const s = mode === 'residual' ? this.session.residual(this.sessionsRng) : this.drawSession();
        this.scheduleDeparture(i, at + secondsToUs(s));
      });
    }
    if (this.cfg.arrivalsPerS > 0 && this.cfg.maxArrivals > 0) this.scheduleArrival(secondsToUs(this.cfg.startS));
  }

  private drawSession(): number {
    const s = this.session.draw(this.sessionsRng);
    this.sessionTotalS += s;
    this.sessions++;
    return s;
  }

  private scheduleArrival(fromUs: TimeUs): void {
    const at = fromUs + Math.max(1, secondsToUs(this.arrivalsRng.exponential(1 / this.cfg.arrivalsPerS)));
    if (at >= this.endUs) return;
    this.world.at(at, (w) => {
      const address = this.hooks.spawn(w.now);
      if (address < 0) return;
      this.arrivals++;
      this.scheduleDeparture(address, w.now + secondsToUs(this.drawSession()));
      if (this.arrivals < this.cfg.maxArrivals) this.scheduleArrival(w.now);
    });
  }

  private scheduleDeparture(address: number, at: TimeUs): void {
    const crash = this.departuresRng.next() < this.cfg.crashShare;
    if (at >= this.endUs) return;
    this.world.at(at, (w) => {
      if (crash) {
        if (w.isUp(address)) this.crashes++;
        w.crashHost(address);
      } else {
        if (w.isUp(address)) this.stops++;
        w.stopHost(address);
      }
      this.hooks.departed(address);
    });
  }

  metrics(): Record<string, number> {
    return {
      arrivals: this.arrivals,
      departuresCrash: this.crashes,
      departuresStop: this.stops,
      meanSessionS: this.session.meanS,
      meanDrawnSessionS: this.sessions > 0 ? this.sessionTotalS / this.sessions : 0,
      /** Little's law: arrivals per second × mean session. */
      steadyStatePeers: this.cfg.arrivalsPerS * this.session.meanS,
    };
  }
}
