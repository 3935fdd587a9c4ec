import { Rng } from '../engine/rng.ts';
import { wonderNetwork2018 } from '../net/geo/dataset.ts';
import { placeHosts } from '../net/geo/placement.ts';
import type { SelectorSpec } from './schema/actions.ts';
import type { Scenario } from './schema/index.ts';

/** A name the schema alone cannot check, at its field path. */
export interface PlaceProblem {
  path: (string | number)[];
  got: string;
  allowed: string;
}

/**
 * City and AS names used by the placement and the actions must exist in the
 * geo dataset. Checked after the schema (the dataset is decoded only when a
 * scenario names a city or an AS), so `validate` reports them with a line.
 */
export function checkPlaceNames(s: Scenario): PlaceProblem[] {
  const cities: { path: (string | number)[]; name: string }[] = [];
  const ases: { path: (string | number)[]; name: string }[] = [];
  const p = s.network.placement;
  if (p?.mode === 'cities') p.weights.forEach((w, i) => cities.push({ path: ['network', 'placement', 'weights', i, 'city'], name: w.city }));
  const collect = (sel: SelectorSpec | undefined, path: (string | number)[]) => {
    sel?.cities?.forEach((name, j) => cities.push({ path: [...path, 'cities', j], name }));
    sel?.ases?.forEach((name, j) => ases.push({ path: [...path, 'ases', j], name }));
  };
  s.actions.forEach((a, i) => {
    if (a.do === 'partition') {
      collect(a.side, ['actions', i, 'side']);
      collect(a.other, ['actions', i, 'other']);
    } else if (a.do === 'outage') collect(a.hosts, ['actions', i, 'hosts']);
  });
  if (cities.length === 0 && ases.length === 0) return [];
  const dataset = wonderNetwork2018();
  const problems: PlaceProblem[] = [];
  for (const c of cities) {
    if (dataset.cityIndex(c.name) < 0) problems.push({ path: c.path, got: c.name, allowed: `must be a city of the geo dataset (${dataset.name}), e.g. "Frankfurt", "Tokyo"` });
  }
  if (ases.length > 0) {
    // AS names do not depend on the seed: count the ASes per country with an empty placement.
    const table = placeHosts(dataset, 0, new Rng('as-names'));
    const count = new Map<string, number>();
    for (let a = 0; a < table.asn.length; a++) {
      const country = dataset.countries[table.asCountry[a]];
      count.set(country, (count.get(country) ?? 0) + 1);
    }
    for (const a of ases) {
      const m = /^(.+)#([0-9]+)$/.exec(a.name);
      const n = m ? count.get(m[1]) : undefined;
      if (!m || n === undefined) problems.push({ path: a.path, got: a.name, allowed: '"Country#rank" with a country of the geo dataset, e.g. "Germany#1"' });
      else if (!(Number(m[2]) >= 1 && Number(m[2]) <= n)) problems.push({ path: a.path, got: a.name, allowed: `${m[1]} has ASes #1..#${n}` });
    }
  }
  return problems;
}
