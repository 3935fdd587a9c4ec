import { z } from 'zod';
import { int, num } from '../../config/fields.ts';

/**
 * The Kademlia baseline (seed 002, issue 5 §1): `protocol.kademlia`, used when
 * `protocol.strategy` is `kademlia`. Times in seconds (the strategy converts
 * to µs). The strategy also overrides the peer manager's connection limits:
 * autoDial off, `maxOutbound` and `maxInbound` from here (the ones under
 * `protocol.node` are ignored for this strategy).
 */
export const kademliaSchema = z
  .strictObject({
    /** Bucket size and lookup result size (paper: 20). */
    k: int(1, 64).default(20),
    /** FIND_NODE requests one lookup keeps in flight (paper: 3). */
    alpha: int(1, 16).default(3),
    /** Persistent overlay links chosen from the routing table (compared with the global map's neighbours). */
    overlayLinks: int(1, 64).default(12),
    /** A bucket no lookup touched for this long gets a refresh lookup (paper: 1 h). */
    bucketRefreshS: num(1, 30 * 86_400).default(3600),
    /** A FIND_NODE or KadPing without an answer after this fails (includes connecting to the peer). */
    requestTimeoutS: num(0.01, 3600).default(5),
    /** A lookup connection (outbound, not an overlay link) idle this long is closed. */
    idleTimeoutS: num(0.1, 86_400).default(30),
    /** Period of the overlay-link choice (links are kept while still chosen; lost ones are redialled sooner). */
    linkRefreshS: num(0.1, 86_400).default(30),
    /** Workload: each peer looks up a random id every this many seconds on average (exponential), once joined; 0 = off. */
    lookupIntervalS: num(0, 86_400).default(60),
    /** Lookups (join, refresh, workload) a peer runs at once; more wait in a bounded queue. */
    maxConcurrentLookups: int(1, 16).default(3),
    /** Outbound connections; default overlayLinks + maxConcurrentLookups × alpha (links plus one connection per request in flight). */
    maxOutbound: int(1, 1024).optional(),
    /** A full bucket's least-recently-seen entry heard from within this long stays without a KadPing (BEP 5 "good" node: 15 min); 0 = always ping. */
    pingFreshS: num(0, 30 * 86_400).default(300),
    /** Inbound link slots: others' overlay links (and their lookup connections while there is room). */
    maxInbound: int(1, 1024).default(128),
    /** Inbound connections kept for others' lookups on top of maxInbound: links cannot take them, and they close after 5 s idle. */
    rpcInbound: int(0, 1024).default(32),
    /** Join retry period after a first quick (1 s) retry; doubles per failure, up to 60 s. */
    joinRetryS: num(0.1, 3600).default(5),
  })
  .superRefine((s, ctx) => {
    const floor = s.overlayLinks + s.alpha;
    if (s.maxOutbound !== undefined && Number.isInteger(s.overlayLinks) && Number.isInteger(s.alpha) && s.maxOutbound < floor) {
      ctx.addIssue({ code: 'custom', path: ['maxOutbound'], message: `must be ≥ overlayLinks + alpha (${floor}) so lookups can connect` });
    }
  });

export type KademliaSettings = z.infer<typeof kademliaSchema>;
