import type { z } from 'zod';
import type { ActionSpec, SelectorSpec } from './actions.ts';
import { MAX_ACTIVE_PARTITIONS } from '../../net/underlay/partitions.ts';

/** The parts of a parsed scenario the action checks read. */
interface Checked {
  peers: { count: number };
  actions: ActionSpec[];
  versions: { name: string }[];
}

/**
 * Cross-field rules of `actions`: peer indices exist, a heal names a
 * partition in force, partitions in force stay within the bound and do not
 * reuse a name, versions named were declared (or introduced by an upgrade).
 */
export function checkActions(s: Checked, countOk: boolean, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path: ['actions', ...path], message });
  const versions = new Set(s.versions.map((v) => v.name));
  for (const a of s.actions) if (a.do === 'upgrade') versions.add(a.to);
  const checkPeers = (peers: readonly number[] | undefined, path: (string | number)[]) =>
    peers?.forEach((p, j) => {
      if (countOk && p >= s.peers.count) issue([...path, j], `must be < peers.count (${s.peers.count})`);
    });
  const checkSelector = (sel: SelectorSpec | undefined, path: (string | number)[]) => {
    if (!sel) return;
    checkPeers(sel.peers, [...path, 'peers']);
    sel.versions?.forEach((v, j) => {
      if (!versions.has(v)) issue([...path, 'versions', j], `unknown version; declared: ${[...versions].join(', ')}`);
    });
  };
  // Partitions in force, replayed in time order (ties: file order, as the run does).
  const order = s.actions.map((a, i) => ({ a, i })).sort((x, y) => x.a.atS - y.a.atS || x.i - y.i);
  const inForce = new Set<string>();
  for (const { a, i } of order) {
    if (a.do === 'crash' || a.do === 'stop' || a.do === 'restart' || a.do === 'announce') checkPeers(a.peers, [i, 'peers']);
    else if (a.do === 'partition') {
      checkSelector(a.side, [i, 'side']);
      checkSelector(a.other, [i, 'other']);
      if (inForce.has(a.name)) issue([i, 'name'], `partition ${JSON.stringify(a.name)} is already in force; heal it first or use another name`);
      else if (inForce.size >= MAX_ACTIVE_PARTITIONS) issue([i], `at most ${MAX_ACTIVE_PARTITIONS} partitions in force at once`);
      else inForce.add(a.name);
    } else if (a.do === 'heal') {
      if (!inForce.delete(a.name)) issue([i, 'name'], `no partition named ${JSON.stringify(a.name)} is in force at ${a.atS} s`);
    } else if (a.do === 'outage') checkSelector(a.hosts, [i, 'hosts']);
    else if (a.do === 'upgrade' && !versions.has(a.from)) issue([i, 'from'], `unknown version; declared: ${[...versions].join(', ')}`);
  }
}
