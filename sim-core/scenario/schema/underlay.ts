import { z } from 'zod';
import { int, MAX_DURATION_S, MAX_PEERS, num } from './common.ts';

/**
 * The realistic, hostile underlay: where hosts live, their access links,
 * NATs and relays, loss and extra delay (all under `network`), plus churn
 * and software versions (top level). Every section is optional: without it
 * the network behaves as before (no placement, unlimited links, no NAT).
 */

/** Continents of the geo dataset (WonderNetwork's labels; a test checks they match). */
export const GEO_CONTINENTS = ['Africa', 'Eurasia', 'North America', 'Oceania', 'South America'] as const;
export const continentSchema = z.enum(GEO_CONTINENTS);
export type Continent = z.infer<typeof continentSchema>;

/** A strict object with one optional key per continent, so a misspelt continent lists the allowed ones. */
function perContinent<T extends z.ZodType>(value: T) {
  return z.strictObject(Object.fromEntries(GEO_CONTINENTS.map((c) => [c, value.optional()])) as Record<Continent, z.ZodOptional<T>>);
}

export const versionNameSchema = z.string().min(1).max(40).regex(/^[A-Za-z0-9._+-]+$/, 'letters, digits, ".", "_", "+" or "-"');

/** Where hosts live (stream `scenario/placement`); used when the latency model is geo or anything selects by place. */
export const placementSchema = z.discriminatedUnion('mode', [
  /** Cities drawn by population. */
  z.strictObject({ mode: z.literal('population') }),
  /** Share per continent (normalised; unlisted continents get none), population-weighted within it. */
  z.strictObject({ mode: z.literal('continents'), shares: perContinent(num(0, 1e9)) }),
  /** Explicit cities (dataset names, e.g. "Frankfurt") with weights. */
  z.strictObject({
    mode: z.literal('cities'),
    weights: z.array(z.strictObject({ city: z.string().min(1).max(100), weight: num(0, 1e9) })).min(1).max(1000),
  }),
]);

/** A continent's rates; an omitted one keeps the global default. */
const linkRates = z.strictObject({
  uploadMbps: num(0.001, 1e6).optional(),
  downloadMbps: num(0.001, 1e6).optional(),
});

/** Access-link capacity: FIFO queues at the sender (upload) and receiver (download), serialisation = size / rate. */
export const bandwidthSchema = z.strictObject({
  /** Upload capacity of every host, Mbit/s (a residential uplink). */
  uploadMbps: num(0.001, 1e6).default(20),
  /** Download capacity of every host, Mbit/s. */
  downloadMbps: num(0.001, 1e6).default(100),
  /** Drop-tail bound of each queue, KiB; an overflowing message is dropped (counted as uploadQueue / downloadQueue). */
  queueKiB: num(1, 1e7).default(2048),
  /** Rates for hosts of a continent (needs a placement; placed by population if none is given). */
  continents: perContinent(linkRates).default({}),
});

export const NAT_TYPE_NAMES = ['public', 'full-cone', 'restricted-cone', 'port-restricted-cone', 'symmetric'] as const;

/** NATs (stream `scenario/nat`), UPnP (`scenario/upnp`) and relays (`scenario/relays`); punches draw from `net/punch`. */
export const natSchema = z.strictObject({
  /**
   * Share of hosts per NAT type (normalised; unlisted types get none). Default:
   * 70 % NATed — public 0.3, full-cone 0.1, restricted-cone 0.15,
   * port-restricted-cone 0.35, symmetric 0.1.
   */
  mix: z
    .strictObject(Object.fromEntries(NAT_TYPE_NAMES.map((t) => [t, num(0, 1e9).default(0)])) as Record<(typeof NAT_TYPE_NAMES)[number], z.ZodDefault<z.ZodNumber>>)
    .default({ public: 0.3, 'full-cone': 0.1, 'restricted-cone': 0.15, 'port-restricted-cone': 0.35, symmetric: 0.1 }),
  /** Share of NATed hosts with a UPnP / NAT-PMP port mapping, reachable like public ones (an assumption; measure yours). */
  upnpShare: num(0, 1).default(0.1),
  relays: z
    .strictObject({
      /** Share of reachable hosts that also relay for others. */
      share: num(0, 1).default(0.1),
      /** Concurrent circuits per relay (go-libp2p's relay v2 default: 16). */
      slots: int(0, 1_000_000).default(16),
    })
    .default({ share: 0.1, slots: 16 }),
});

/** Packet loss (stream `net/loss`): a global rate, replaced for listed continent pairs. */
export const lossSchema = z.strictObject({
  /** Probability that a message is lost. */
  rate: num(0, 1).default(0),
  /** drop: a lost message is gone. retransmit: it arrives one retransmission timeout later per loss (doubling; lost after 6). */
  mode: z.enum(['drop', 'retransmit']).default('drop'),
  /** First retransmission timeout, ms (Linux's minimum RTO is 200 ms). */
  retransmitMs: num(1, 60_000).default(200),
  /** Rates between two continents (both directions). */
  pairs: z.array(z.strictObject({ a: continentSchema, b: continentSchema, rate: num(0, 1) })).max(25).default([]),
});

/** Extra one-way delay on top of the latency model: global, replaced for listed continent pairs. */
export const extraDelaySchema = z.strictObject({
  /** Added to every packet, ms. */
  ms: num(0, 60_000).default(0),
  /** Added between two continents instead (both directions), ms. */
  pairs: z.array(z.strictObject({ a: continentSchema, b: continentSchema, ms: num(0, 60_000) })).max(25).default([]),
});

/**
 * Session lengths. Weibull by default: Stutzbach & Rejaie ("Understanding
 * Churn in Peer-to-Peer Networks", IMC 2006) found Weibull fits session
 * lengths in Gnutella, Kad and BitTorrent better than exponential or Pareto,
 * with shape well below 1 (about 0.3–0.6: many short sessions, a few very
 * long ones) and medians of tens of minutes.
 */
export const sessionSchema = z.discriminatedUnion('dist', [
  /** P(S > x) = exp(−(x / scaleS)^shape); mean = scaleS · Γ(1 + 1/shape). */
  z.strictObject({ dist: z.literal('weibull'), shape: num(0.05, 20).default(0.5), scaleS: num(0.001, MAX_DURATION_S).default(1800) }),
  /** P(S > x) = (minS / x)^alpha for x ≥ minS; alpha > 1 so the mean (and the steady state) exists. */
  z.strictObject({ dist: z.literal('pareto'), alpha: num(1.01, 20).default(2), minS: num(0.001, MAX_DURATION_S).default(600) }),
  z.strictObject({ dist: z.literal('exponential'), meanS: num(0.001, MAX_DURATION_S).default(3600) }),
]);

/** Peers arriving and leaving during the run (streams `scenario/churn/*`). */
export const churnSchema = z.strictObject({
  /** New peers per second: a Poisson process; each is a new identity (a new host). */
  arrivalsPerS: num(0, 10_000).default(0),
  /** Bound on the peers churn may create in a run. */
  maxArrivals: int(0, MAX_PEERS).default(10_000),
  /** Arrivals begin at this time, s. */
  startS: num(0, MAX_DURATION_S).default(0),
  session: sessionSchema.default({ dist: 'weibull', shape: 0.5, scaleS: 1800 }),
  /**
   * How long the initial peers stay. residual: the remaining part of a session
   * already under way (length-biased), so the run starts in steady state;
   * fresh: a whole session from their start; forever: they never leave.
   */
  initialPeers: z.enum(['residual', 'fresh', 'forever']).default('residual'),
  /** Share of departures that are crashes; the rest are graceful stops. */
  crashShare: num(0, 1).default(0.5),
  /** The bootstrap peers never leave (they are the seeds every newcomer dials). */
  keepBootstrap: z.boolean().default(true),
});

/** Software versions and their shares (stream `scenario/versions`); outages and upgrades select by version. */
export const versionsSchema = z
  /** name: letters, digits, ".", "_", "+", "-"; share: relative weight (normalised). */
  .array(z.strictObject({ name: versionNameSchema, share: num(0, 1e9).default(1) }))
  .min(1)
  .max(256);

export type PlacementConfig = z.infer<typeof placementSchema>;
export type BandwidthConfig = z.infer<typeof bandwidthSchema>;
export type NatConfig = z.infer<typeof natSchema>;
export type LossConfig = z.infer<typeof lossSchema>;
export type ExtraDelayConfig = z.infer<typeof extraDelaySchema>;
export type SessionConfig = z.infer<typeof sessionSchema>;
export type ChurnConfig = z.infer<typeof churnSchema>;
export type VersionsConfig = z.infer<typeof versionsSchema>;
