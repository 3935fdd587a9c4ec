import { z } from 'zod';
import { int, num } from './common.ts';
import { bandwidthSchema, extraDelaySchema, lossSchema, natSchema, placementSchema } from './underlay.ts';

export const latencySchema = z.discriminatedUnion('model', [
  z.strictObject({
    model: z.literal('constant'),
    /** One-way delay of every packet, ms. */
    ms: num(0, 10_000).default(50),
  }),
  z.strictObject({
    model: z.literal('uniform'),
    minMs: num(0, 10_000).default(10),
    maxMs: num(0, 10_000).default(150),
    jitterMs: num(0, 10_000).default(0),
  }),
  /** Measured city-to-city pings (WonderNetwork 2018; see sim-core/net/geo/README.md). Hosts are placed per network.placement. */
  z.strictObject({
    model: z.literal('geo'),
    /** Per-packet jitter from the city pair's measured mdev. */
    jitter: z.boolean().default(true),
    /** Stable per-host-pair offset, as a fraction of the pair's room within the measured bounds (0 = off). */
    stableFraction: num(0, 1).default(0.5),
    /** Mean RTT between two hosts of the same city, ms (min half of it, max twice, mdev a quarter). */
    intraCityMs: num(0.01, 100).default(2),
  }),
]);

export const networkSchema = z.strictObject({
  latency: latencySchema.default({ model: 'uniform', minMs: 10, maxMs: 150, jitterMs: 0 }),
  /** Seconds before a dial to an address nobody holds fails. */
  dialTimeoutS: num(0.001, 600).default(5),
  /**
   * LAN segments for discovery beacons (seed 003; protocol.node.lanBeaconS
   * sends them): none; all (every host on one LAN, e.g. an office); city
   * (hosts of the same city share a segment; places hosts by city population
   * unless network.placement says otherwise). A beacon
   * reaches at most maxRecipients hosts of its segment.
   */
  lan: z
    .strictObject({
      segment: z.enum(['none', 'all', 'city']).default('none'),
      maxRecipients: int(1, 65_536).default(256),
    })
    .default({ segment: 'none', maxRecipients: 256 }),
  /** Where hosts live. Default: by city population, when anything needs a place (geo latency, per-continent settings, selectors). */
  placement: placementSchema.optional(),
  /** Access-link capacity and queues. Default: unlimited. */
  bandwidth: bandwidthSchema.optional(),
  /** NAT types, UPnP and relays. Default: every host public. */
  nat: natSchema.optional(),
  /** Packet loss. Default: none. */
  loss: lossSchema.optional(),
  /** Extra one-way delay. Default: none. */
  extraDelay: extraDelaySchema.optional(),
});

export type LatencyConfig = z.infer<typeof latencySchema>;
export type NetworkConfig = z.infer<typeof networkSchema>;
