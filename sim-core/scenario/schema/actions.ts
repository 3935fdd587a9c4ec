import { z } from 'zod';
import { int, MAX_DURATION_S, MAX_PEERS, num } from './common.ts';
import { continentSchema, versionNameSchema } from './underlay.ts';

/** Simulated time of the action, s. */
const atS = num(0, MAX_DURATION_S);
/** Names an action in `metrics.underlay.timeline` (and a partition for its heal). */
const name = z.string().min(1).max(100);

/**
 * Which hosts an action concerns: the union of the listed criteria. Places
 * need a placement (by population if the scenario gives none). ASes are
 * "Country#rank" (rank 1 = the country's largest synthetic AS).
 */
export const selectorSchema = z
  .strictObject({
    /** Every host. */
    all: z.boolean().optional(),
    continents: z.array(continentSchema).min(1).max(5).optional(),
    /** City names of the geo dataset, e.g. "Tokyo". */
    cities: z.array(z.string().min(1).max(100)).min(1).max(1000).optional(),
    ases: z.array(z.string().regex(/^.+#[0-9]+$/, '"Country#rank", e.g. "Germany#1"')).min(1).max(1000).optional(),
    /** Hosts running these software versions when the action fires. */
    versions: z.array(versionNameSchema).min(1).max(256).optional(),
    /** Initial honest peers by index (0-based). */
    peers: z.array(int(0, MAX_PEERS)).min(1).max(100_000).optional(),
  })
  .refine((s) => Object.values(s).some((v) => v !== undefined && v !== false), 'must list at least one of all, continents, cities, ases, versions, peers');

const peersAction = <K extends string>(kind: K) =>
  z.strictObject({
    atS,
    do: z.literal(kind),
    /** Honest peer indices (0-based). */
    peers: z.array(int(0, 1_000_000)).min(1).max(100_000),
  });

/** How a host comes back: kept = the same protocol object restarts (onStart resets its links); lost = a fresh one from its factory. */
const restartState = z.enum(['kept', 'lost']).default('kept');

/** Scripted events. Partition, outage and upgrade times go to `metrics.underlay.timeline`. */
export const actionSchema = z.discriminatedUnion('do', [
  peersAction('crash'),
  peersAction('stop'),
  peersAction('restart'),
  /** Each listed peer (up, global map) re-announces its oldest link now: one gossip wave to watch. */
  peersAction('announce'),
  /** Cut `side` off from `other` (default: every other host); packets across are dropped, dials fail as unreachable. */
  z.strictObject({
    atS,
    do: z.literal('partition'),
    /** Names the cut for its heal (at most 32 in force at once). */
    name: name.default('partition'),
    side: selectorSchema,
    /** The hosts `side` is cut off from (default: every host not in `side`). */
    other: selectorSchema.optional(),
    /** Drop only packets from `side` to `other`. */
    oneWay: z.boolean().default(false),
  }),
  /** Ends the partition of that name. */
  z.strictObject({ atS, do: z.literal('heal'), name: name.default('partition') }),
  /** Every selected host crashes at once; optionally they restart later. */
  z.strictObject({
    atS,
    do: z.literal('outage'),
    name: name.default('outage'),
    hosts: selectorSchema,
    /** Seconds until the crashed hosts restart (absent: they stay down). */
    restartAfterS: num(0, MAX_DURATION_S).optional(),
    state: restartState,
  }),
  /** Rolling upgrade: hosts running `from` stop one by one every `everyS`, and restart `downtimeS` later running `to`. */
  z.strictObject({
    atS,
    do: z.literal('upgrade'),
    name: name.default('upgrade'),
    from: versionNameSchema,
    to: versionNameSchema,
    /** Seconds between two hosts' restarts (the pace). */
    everyS: num(0, MAX_DURATION_S).default(10),
    /** Seconds each host stays down. */
    downtimeS: num(0, MAX_DURATION_S).default(5),
    state: restartState,
  }),
]);

export type SelectorSpec = z.infer<typeof selectorSchema>;
export type ActionSpec = z.infer<typeof actionSchema>;
