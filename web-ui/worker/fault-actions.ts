import type { ActionSpec } from '../../sim-core/scenario/schema/actions.ts';
import type { FaultRequest } from './protocol.ts';

/** A fault button's action, without its time (the session picks it). */
export type TimelessAction = { [K in ActionSpec['do']]: Omit<Extract<ActionSpec, { do: K }>, 'atS'> }[ActionSpec['do']];

/**
 * The scenario actions a fault button stands for (several for "heal all":
 * one heal per partition in force), named `ui-<k>-…` so they read in the
 * exported file; or why it cannot be done.
 */
export function faultActions(req: FaultRequest, k: number, partitionsInForce: readonly string[]): TimelessAction[] | string {
  switch (req.kind) {
    case 'kill-region':
      return [{ do: 'outage', name: `ui-${k}-${slug(req.continent)}-dark`, hosts: { continents: [req.continent] }, state: 'kept', ...(req.restartAfterS !== undefined && { restartAfterS: req.restartAfterS }) } as TimelessAction];
    case 'partition':
      if (req.a === req.b) return 'pick two different continents';
      return [{ do: 'partition', name: `ui-${k}-cut-${slug(req.a)}-${slug(req.b)}`, side: { continents: [req.a] }, other: { continents: [req.b] }, oneWay: false } as TimelessAction];
    case 'isolate':
      // No `other`: the region is cut off from every other host.
      return [{ do: 'partition', name: `ui-${k}-cut-off-${slug(req.continent)}`, side: { continents: [req.continent] }, oneWay: false } as TimelessAction];
    case 'heal': {
      const name = partitionsInForce[partitionsInForce.length - 1];
      return name === undefined ? 'no partition in force' : [{ do: 'heal', name }];
    }
    case 'heal-all':
      return partitionsInForce.length === 0 ? 'no partition in force' : partitionsInForce.map((name) => ({ do: 'heal', name }) as TimelessAction);
    case 'crash-peer':
      return [{ do: 'crash', peers: [req.peer] }];
    case 'announce':
      return [{ do: 'announce', peers: [req.peer] }];
  }
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}
