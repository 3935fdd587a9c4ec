import { secondsToUs, US_PER_S, type TimeUs } from '../../engine/time.ts';
import type { KademliaSettings } from './config-schema.ts';
import { kademliaConfig, type KademliaConfig } from './constants.ts';

/** Everything a `KademliaApp` needs besides its peer: the core knobs plus the integration's. Times in µs. */
export interface KademliaAppConfig {
  /** The sans-IO core's knobs (k, α, refresh, request timeout, lookup budgets). */
  kad: KademliaConfig;
  /** Persistent overlay links kept (chosen from the routing table). */
  overlayLinks: number;
  /** Period of the overlay-link choice. */
  linkRefreshUs: TimeUs;
  /** A lookup connection we dialled, idle this long (and not an overlay link), is closed. */
  idleTimeoutUs: TimeUs;
  /** Period of the housekeeping sweep: idle connections, lost links, stale dials, waiting dials. */
  sweepUs: TimeUs;
  /** Period at which stale buckets are looked for. */
  refreshCheckUs: TimeUs;
  /** Mean interval of the workload lookups (exponential); 0 = no workload. */
  lookupIntervalUs: TimeUs;
  /** Lookups running at once. */
  maxConcurrentLookups: number;
  /** Lookups waiting to start; more are dropped (and counted). */
  maxQueuedLookups: number;
  /** Requests (FIND_NODE, KadPing) outstanding at once: the size of the request table. */
  maxPendingRpcs: number;
  /** A least-recently-seen entry heard from this recently is kept without a KadPing (0 = always ping). */
  pingFreshUs: TimeUs;
  /** Outbound connection limit the peer manager enforces (the app keeps its dials under it). */
  maxOutbound: number;
  /** Inbound link slots: others' persistent overlay links (and lookup connections while there is room). */
  maxInbound: number;
  /** Inbound connections admitted past `maxInbound` for lookups only (closed once idle); the peer manager admits the sum. */
  rpcInbound: number;
  /** A connection in that room closes after this long without a Kademlia message. */
  rpcIdleUs: TimeUs;
  /** First join retry; doubles per failure up to `joinRetryCapUs`. */
  joinRetryUs: TimeUs;
  joinRetryCapUs: TimeUs;
  /** A dial the peer manager never reported on (failed handshake) is forgotten after this. */
  dialForgetUs: TimeUs;
}

/** Request slots (timer tags) are bounded so tags stay inside a CompositeApp's 4,096-tag range. */
export const MAX_PENDING_RPCS = 1024;

export const DEFAULT_KADEMLIA_APP_CONFIG: Readonly<KademliaAppConfig> = Object.freeze(kademliaAppConfig());

/**
 * Defaults overridden by `partial`, checked: throws a RangeError naming the
 * field. `maxOutbound` defaults to overlayLinks + maxConcurrentLookups × α.
 */
export function kademliaAppConfig(partial: Partial<KademliaAppConfig> = {}): KademliaAppConfig {
  const kad = partial.kad ?? kademliaConfig();
  const overlayLinks = partial.overlayLinks ?? 12;
  const maxConcurrentLookups = partial.maxConcurrentLookups ?? 3;
  const cfg: KademliaAppConfig = {
    kad,
    overlayLinks,
    linkRefreshUs: 30 * US_PER_S,
    idleTimeoutUs: 30 * US_PER_S,
    sweepUs: 5 * US_PER_S,
    refreshCheckUs: Math.min(kad.bucketRefreshUs, 60 * US_PER_S),
    lookupIntervalUs: 60 * US_PER_S,
    maxQueuedLookups: 32,
    maxPendingRpcs: Math.min(MAX_PENDING_RPCS, Math.max(64, 2 * maxConcurrentLookups * kad.alpha + 16)),
    maxOutbound: overlayLinks + maxConcurrentLookups * kad.alpha,
    maxInbound: 128,
    rpcInbound: 32,
    rpcIdleUs: 5 * US_PER_S,
    pingFreshUs: 5 * 60 * US_PER_S,
    joinRetryUs: 5 * US_PER_S,
    joinRetryCapUs: 60 * US_PER_S,
    dialForgetUs: 30 * US_PER_S,
    ...partial,
    maxConcurrentLookups,
  };
  const check = (name: keyof KademliaAppConfig, v: number, lo: number, hi: number) => {
    if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`kademlia app config ${name}: got ${v}; must be an integer in [${lo}, ${hi}]`);
  };
  const DAY = 86_400 * US_PER_S;
  check('overlayLinks', cfg.overlayLinks, 0, 1024);
  check('linkRefreshUs', cfg.linkRefreshUs, 1, 30 * DAY);
  check('idleTimeoutUs', cfg.idleTimeoutUs, 1, 30 * DAY);
  check('sweepUs', cfg.sweepUs, 1, DAY);
  check('refreshCheckUs', cfg.refreshCheckUs, 1, 30 * DAY);
  check('lookupIntervalUs', cfg.lookupIntervalUs, 0, 30 * DAY);
  check('maxConcurrentLookups', cfg.maxConcurrentLookups, 1, 64);
  check('maxQueuedLookups', cfg.maxQueuedLookups, 0, 4096);
  check('maxPendingRpcs', cfg.maxPendingRpcs, cfg.kad.alpha, MAX_PENDING_RPCS);
  check('maxOutbound', cfg.maxOutbound, 1, 65_536);
  check('maxInbound', cfg.maxInbound, 0, 65_536);
  check('rpcInbound', cfg.rpcInbound, 0, 65_536);
  check('rpcIdleUs', cfg.rpcIdleUs, 1, DAY);
  check('pingFreshUs', cfg.pingFreshUs, 0, 30 * DAY);
  check('joinRetryUs', cfg.joinRetryUs, 1, DAY);
  check('joinRetryCapUs', cfg.joinRetryCapUs, cfg.joinRetryUs, 30 * DAY);
  check('dialForgetUs', cfg.dialForgetUs, 1, DAY);
  return cfg;
}

/** The app config from the scenario's `protocol.kademlia` section. */
export function kademliaAppConfigFrom(s: KademliaSettings): KademliaAppConfig {
  const kad = kademliaConfig({
    k: s.k,
    alpha: s.alpha,
    bucketRefreshUs: secondsToUs(s.bucketRefreshS),
    requestTimeoutUs: secondsToUs(s.requestTimeoutS),
    // the shortlist must hold at least k (the core checks it); 3k as by default
    lookupShortlistSize: Math.max(60, 3 * s.k),
    maxNodesPerResponse: s.k,
  });
  const idleTimeoutUs = secondsToUs(s.idleTimeoutS);
  return kademliaAppConfig({
    kad,
    overlayLinks: s.overlayLinks,
    linkRefreshUs: secondsToUs(s.linkRefreshS),
    idleTimeoutUs,
    sweepUs: Math.max(1, Math.min(5 * US_PER_S, Math.floor(idleTimeoutUs / 2))),
    refreshCheckUs: Math.min(kad.bucketRefreshUs, 60 * US_PER_S),
    lookupIntervalUs: secondsToUs(s.lookupIntervalS),
    maxConcurrentLookups: s.maxConcurrentLookups,
    maxOutbound: s.maxOutbound ?? s.overlayLinks + s.maxConcurrentLookups * s.alpha,
    maxInbound: s.maxInbound,
    rpcInbound: s.rpcInbound,
    rpcIdleUs: Math.min(5 * US_PER_S, idleTimeoutUs),
    pingFreshUs: secondsToUs(s.pingFreshS),
    joinRetryUs: secondsToUs(s.joinRetryS),
    joinRetryCapUs: Math.max(secondsToUs(s.joinRetryS), 60 * US_PER_S),
  });
}
