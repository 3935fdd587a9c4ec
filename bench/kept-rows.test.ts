import { describe, expect, it } from 'vitest';
import { keptRows, type RowsResult } from './kept-rows.ts';

type Row = { strategy: string; commit?: string; cpuModel?: string; wallSeconds: number };
const size = { file: 'scenarios/convergence-2500.yaml', peers: 2500, durationS: 1800, joinOverS: 300 };
const result = (commit: string, rows: Row[], scenario: unknown = size): RowsResult<Row> => ({ commit, scenario, results: rows });

describe('keptRows (rows of the strategies a bench run did not re-run)', () => {
  const committed = result('aaa', [
    { strategy: 'globalmap', wallSeconds: 380 },
    { strategy: 'kademlia', wallSeconds: 412 },
    { strategy: 'random', commit: 'old', wallSeconds: 59 },
  ]);

  it('keeps the rows of the file being replaced, so two subset runs in a row lose nothing', () => {
    // `--strategies globalmap` wrote a new globalmap row (not committed yet); now `--strategies kademlia` runs.
    const onDisk = result('bbb', [{ strategy: 'globalmap', commit: 'bbb', wallSeconds: 364 }, ...committed.results.slice(1)]);
    const kept = keptRows(['kademlia'], size, onDisk, committed);
    expect(kept.map((r) => [r.strategy, r.wallSeconds, r.commit])).toEqual([
      ['globalmap', 364, 'bbb'],
      ['random', 59, 'old'],
    ]);
  });

  it('falls back on the committed result when there is no file, naming each row’s commit', () => {
    expect(keptRows(['globalmap'], size, undefined, committed).map((r) => [r.strategy, r.commit])).toEqual([
      ['kademlia', 'aaa'],
      ['random', 'old'],
    ]);
  });

  it('keeps nothing from a result of another size; the file on disk of another size gives way to the committed one', () => {
    const quick = result('ccc', [{ strategy: 'random', wallSeconds: 3 }], { ...size, peers: 500 });
    expect(keptRows(['globalmap'], size, quick, undefined)).toEqual([]);
    expect(keptRows(['globalmap'], size, quick, committed).map((r) => r.strategy)).toEqual(['kademlia', 'random']);
    expect(keptRows(['globalmap', 'kademlia', 'random'], size, undefined, committed)).toEqual([]);
  });

  it('names the CPU of a kept row: its own, else its file’s machine', () => {
    const file = { ...result('ddd', [{ strategy: 'kademlia', wallSeconds: 412 }, { strategy: 'random', wallSeconds: 59, cpuModel: 'Intel' }]), machine: { cpuModel: 'AMD' } };
    expect(keptRows(['globalmap'], size, file, undefined).map((r) => [r.strategy, r.cpuModel])).toEqual([
      ['kademlia', 'AMD'],
      ['random', 'Intel'],
    ]);
    expect(keptRows(['globalmap'], size, undefined, committed).every((r) => r.cpuModel === undefined)).toBe(true);
  });
});
