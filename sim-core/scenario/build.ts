import { RngStreams } from '../engine/rng.ts';
import { ConstantLatency, UniformLatency, type LatencyModel } from '../net/latency.ts';
import type { LatencyConfig } from './schema/network.ts';

/** The latency model a scenario asks for. */
export function buildLatency(cfg: LatencyConfig, rng: RngStreams): LatencyModel {
  switch (cfg.model) {
    case 'constant':
      return new ConstantLatency(cfg.ms);
    case 'uniform':
      return new UniformLatency(cfg.minMs, cfg.maxMs, cfg.jitterMs, rng.stream('net/latency-salt').uint32());
  }
}
