import { RngStreams } from '../engine/rng.ts';
import type { GeoDataset } from '../net/geo/dataset.ts';
import { GeoLatency } from '../net/geo/geo-latency.ts';
import { ConstantLatency, UniformLatency, type LatencyModel } from '../net/latency.ts';
import type { LatencyConfig } from './schema/network.ts';

/**
 * The latency model a scenario asks for. The salt of the stable per-pair
 * part is the first draw of `net/latency-salt`. The geo model needs the
 * dataset and a city per host (every host the run may create: see
 * scenario/underlay.ts).
 */
export function buildLatency(cfg: LatencyConfig, rng: RngStreams, geo?: { dataset: GeoDataset; hostCity: Int32Array }): LatencyModel {
  switch (cfg.model) {
    case 'constant':
      return new ConstantLatency(cfg.ms);
    case 'uniform':
      return new UniformLatency(cfg.minMs, cfg.maxMs, cfg.jitterMs, rng.stream('net/latency-salt').uint32());
    case 'geo':
      if (!geo) throw new Error('geo latency needs placed hosts');
      return new GeoLatency(geo.dataset, geo.hostCity, {
        salt: rng.stream('net/latency-salt').uint32(),
        stableFraction: cfg.stableFraction,
        jitter: cfg.jitter,
      });
  }
}

/** Same-city RTT for an `intraCityMs` mean: min half of it, max twice, mdev a quarter (2 ms gives the dataset default). */
export function intraCityFor(avgMs: number) {
  return { avgMs, minMs: avgMs / 2, maxMs: avgMs * 2, mdevMs: avgMs / 4 };
}

/** The latency settings as one line, for the run header. */
export function describeLatencyConfig(cfg: LatencyConfig): string {
  switch (cfg.model) {
    case 'constant':
      return `constant ${cfg.ms} ms`;
    case 'uniform':
      return `uniform ${cfg.minMs}–${cfg.maxMs} ms, jitter ${cfg.jitterMs} ms`;
    case 'geo':
      return `geo (WonderNetwork 2018), jitter ${cfg.jitter ? 'on' : 'off'}, stable offset ±${cfg.stableFraction} of room, intra-city ${cfg.intraCityMs} ms`;
  }
}
