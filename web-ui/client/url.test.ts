import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ScenarioError } from '../../sim-core/scenario/errors.ts';
import { MAX_SCENARIO_KEYS } from '../../sim-core/scenario/yaml-text.ts';
import { actionsParam, MAX_ACTIONS_DEPTH, withActions } from './url.ts';

const CRASH = { atS: 1, do: 'crash', peers: [0] };

describe('a shared link: scenario text plus actions', () => {
  it('appends the actions to the scenario’s list, or starts one', () => {
    const listed = parse(withActions('name: x\nactions:\n  - { atS: 0.5, do: crash, peers: [1] }\n', [CRASH]));
    expect(listed.actions).toEqual([{ atS: 0.5, do: 'crash', peers: [1] }, CRASH]);
    expect(parse(withActions('name: x\n', [CRASH])).actions).toEqual([CRASH]);
    expect(withActions('name: x\n', [])).toBe('name: x\n');
  });

  it('reads the text with the simulation’s bounded reader: too many keys, too deep, cyclic aliases are a ScenarioError naming the source', () => {
    const manyKeys = Array.from({ length: MAX_SCENARIO_KEYS + 1 }, (_, i) => `k${i}: 1`).join('\n');
    const deep = `a: ${'['.repeat(200)}${']'.repeat(200)}\n`;
    for (const text of [manyKeys, deep, 'seed: &a [*a]\n']) {
      expect(() => withActions(text, [CRASH], 'shared.yaml')).toThrow(ScenarioError);
      expect(() => withActions(text, [CRASH], 'shared.yaml')).toThrow(/shared\.yaml/);
    }
  });

  it('drops an actions parameter nested past its bound (writing it into YAML would recurse), keeps a real one', () => {
    expect(actionsParam(JSON.stringify([CRASH]))).toEqual([CRASH]);
    const deep = `[{"do":"crash","atS":1,"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}]`;
    expect(actionsParam(deep)).toEqual([]);
    // The list and the action are two levels: MAX_ACTIONS_DEPTH containers in all.
    let nested: unknown = 1;
    for (let i = 0; i < MAX_ACTIONS_DEPTH - 2; i++) nested = [nested];
    expect(actionsParam(JSON.stringify([{ do: 'crash', x: nested }]))).toHaveLength(1);
    expect(actionsParam(JSON.stringify([{ do: 'crash', x: [nested] }]))).toEqual([]);
  });
});
