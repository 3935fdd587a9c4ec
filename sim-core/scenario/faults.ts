import type { RngStreams } from '../engine/rng.ts';
import { secondsToUs, usToSeconds } from '../engine/time.ts';
import type { World } from '../net/world.ts';
import { waveSourceOf } from '../protocols/globalmap/wave.ts';
import type { ActionSpec } from './schema/actions.ts';
import type { Scenario } from './schema/index.ts';
import type { ScenarioUnderlay } from './underlay.ts';

type W = World<unknown>;

/**
 * Schedules the scenario's actions on the World: crash / stop / restart of
 * honest peers, partitions and heals, correlated outages (a region, an AS,
 * a version…) and rolling upgrades. Partition, outage and upgrade times are
 * recorded in the underlay's timeline, so overlay metrics can measure time
 * to heal and recovery.
 */
export function scheduleActions(world: W, scenario: Scenario, underlay: ScenarioUnderlay, rng: RngStreams, appOf?: (index: number) => unknown): void {
  scenario.actions.forEach((action, i) => {
    world.at(secondsToUs(action.atS), (w) => run(w, action, i, underlay, rng, appOf));
  });
}

function run(w: W, a: ActionSpec, index: number, u: ScenarioUnderlay, rng: RngStreams, appOf?: (index: number) => unknown): void {
  const tS = usToSeconds(w.now);
  switch (a.do) {
    case 'announce':
      // Honest peer i is host i; a peer that is down or keeps no map originates nothing.
      for (const p of a.peers) if (w.isUp(p)) waveSourceOf(appOf?.(p))?.announceNow(w.now);
      return;
    case 'crash':
    case 'stop':
    case 'restart':
      for (const p of a.peers) {
        if (a.do === 'crash') w.crashHost(p);
        else if (a.do === 'stop') w.stopHost(p);
        else w.startAt(p, w.now);
      }
      return;
    case 'partition': {
      const side = u.select(a.side);
      const other = a.other ? u.select(a.other) : invert(side);
      const sizes = u.transit.partitions.add(a.name, side, other, a.oneWay);
      u.timeline.push({ tS, event: 'partition', name: a.name, hosts: sizes.a, otherHosts: sizes.b });
      return;
    }
    case 'heal':
      u.transit.partitions.heal(a.name);
      u.timeline.push({ tS, event: 'heal', name: a.name, hosts: 0 });
      return;
    case 'outage': {
      const mask = u.select(a.hosts);
      const down: number[] = [];
      for (let h = 0; h < w.hostCount; h++) {
        if (mask[h] === 1 && w.isUp(h)) {
          w.crashHost(h);
          down.push(h);
        }
      }
      u.timeline.push({ tS, event: 'outage', name: a.name, hosts: down.length });
      if (a.restartAfterS !== undefined) {
        w.at(w.now + secondsToUs(a.restartAfterS), (w2) => {
          let back = 0;
          for (const h of down) if (restart(w2, h, a.state, u)) back++;
          u.timeline.push({ tS: usToSeconds(w2.now), event: 'restore', name: a.name, hosts: back });
        });
      }
      return;
    }
    case 'upgrade':
      return upgrade(w, a, index, u, rng);
  }
}

/** Brings a host back (unless it left for good); false if it did not come back. */
function restart(w: W, h: number, state: 'kept' | 'lost', u: ScenarioUnderlay): boolean {
  if (u.departed[h] === 1 || w.isUp(h)) return false;
  if (state === 'lost') w.resetHost(h);
  w.startAt(h, w.now);
  return true;
}

/**
 * Hosts running `from` (present now, in an order shuffled by stream
 * `scenario/upgrade/<action index>`) stop gracefully one every `everyS` and
 * restart `downtimeS` later running `to`. Hosts that arrive later with
 * `from` come up running `to`.
 */
function upgrade(w: W, a: Extract<ActionSpec, { do: 'upgrade' }>, index: number, u: ScenarioUnderlay, rng: RngStreams): void {
  const hosts = u.hosts;
  const from = hosts.versionCode(a.from);
  const to = hosts.versionCode(a.to);
  u.versionRemap.set(from, to);
  const order: number[] = [];
  for (let h = 0; h < w.hostCount; h++) if (hosts.version[h] === from && u.departed[h] === 0) order.push(h);
  rng.stream(`scenario/upgrade/${index}`).shuffle(order);
  const startUs = w.now;
  const everyUs = secondsToUs(a.everyS);
  const downUs = secondsToUs(a.downtimeS);
  u.timeline.push({ tS: usToSeconds(startUs), event: 'upgrade-start', name: a.name, hosts: order.length });
  order.forEach((h, k) => {
    w.at(startUs + k * everyUs, (w2) => {
      const wasUp = w2.isUp(h);
      hosts.version[h] = to;
      if (!wasUp) return; // down (crashed, departed): it runs `to` whenever it comes back
      w2.stopHost(h);
      w2.at(w2.now + downUs, (w3) => restart(w3, h, a.state, u));
    });
  });
  const endUs = startUs + Math.max(0, order.length - 1) * everyUs + downUs;
  w.at(endUs, (w2) => u.timeline.push({ tS: usToSeconds(w2.now), event: 'upgrade-end', name: a.name, hosts: order.length }));
}

function invert(mask: Uint8Array): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) out[i] = mask[i] ^ 1;
  return out;
}
