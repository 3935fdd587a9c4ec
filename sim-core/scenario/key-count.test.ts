import { describe, expect, it } from 'vitest';
import { ScenarioError } from './errors.ts';
import { parseScenario } from './load.ts';
import { lastKeyCheck } from './yaml-text.ts';

const base = 'name: k\ndurationS: 5\npeers: {count: 3}\nprotocol: {kind: flood}\n';

/** parseScenario's outcome: the Scenario's name or the error's first problem. */
function outcome(text: string): string {
  try {
    return parseScenario(text, 'k.yaml').name;
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as ScenarioError).problems[0].allowed;
  }
}

describe('the duplicate-key check is linear in the number of keys', () => {
  it('60,000 keys in one mapping (about 590 KB): one comparison per key', { timeout: 300_000 }, () => {
    const text = base + Array.from({ length: 60_000 }, (_, i) => `key${String(i).padStart(5, '0')}: 1`).join('\n') + '\n';
    expect(text.length).toBeGreaterThan(580_000);
    expect(outcome(text)).toContain('unknown fields key00000');
    expect(lastKeyCheck.keys).toBe(60_004 + 2);
    expect(lastKeyCheck.comparisons).toBeLessThanOrEqual(lastKeyCheck.keys);
  });

  it('60,000 keys spread over many small mappings: still one comparison per key', { timeout: 300_000 }, () => {
    const text = base + 'versions:\n' + Array.from({ length: 20_000 }, (_, i) => `  - {name: v${i}, share: 1, x: 1}`).join('\n') + '\n';
    outcome(text);
    expect(lastKeyCheck.keys).toBe(60_000 + 7);
    expect(lastKeyCheck.comparisons).toBeLessThanOrEqual(lastKeyCheck.keys);
  });

  it('duplicates are still found, each with the line of the first', () => {
    expect(outcome(base + 'seed: 1\nseed: 2\n')).toBe('YAML: duplicate key "seed" (first on line 5)');
    expect(outcome(base + 'network: {latency: {model: constant, ms: 1, ms: 2}}\n')).toBe('YAML: duplicate key "ms" (first on line 5)');
  });
});
