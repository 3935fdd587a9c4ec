import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompareResult } from './compare.ts';

const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/peermap.mjs', ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'peermap-compare-vary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 30 peer managers for 60 s: a second or so per run. */
const file = join(dir, 'tiny.yaml');
writeFileSync(file, 'name: tiny\ndurationS: 60\npeers: { count: 30, joinOverS: 10 }\nprotocol: { kind: node, strategy: none }\nmetrics: { sampleEveryS: 5 }\n');

const SEED = 'none [protocol.node.handshake=seed, protocol.node.maxOutbound=6]';
const BOUND = 'none [protocol.node.handshake=bound, protocol.node.maxOutbound=6]';

describe('peermap compare --vary', () => {
  const out = join(dir, 'c');
  let r: ReturnType<typeof cli>;
  let c: CompareResult;

  beforeAll(() => {
    r = cli('compare', file, '--strategies', 'none', '--vary', 'protocol.node.handshake=seed,bound', '--vary', 'protocol.node.maxOutbound=6,3', '--out', out, '--quiet');
    c = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')) as CompareResult;
  }, 300_000);

  it('runs every variant × strategy and keys each like sweep: "strategy [sets]", first --vary slowest', () => {
    expect(r.status, r.stderr).toBe(0);
    expect(Object.keys(c.strategies)).toEqual([SEED, 'none [protocol.node.handshake=seed, protocol.node.maxOutbound=3]', BOUND, 'none [protocol.node.handshake=bound, protocol.node.maxOutbound=3]']);
    expect(c.vary).toEqual([
      { path: 'protocol.node.handshake', values: ['seed', 'bound'] },
      { path: 'protocol.node.maxOutbound', values: ['6', '3'] },
    ]);
    expect(c.variants?.map((v) => v.index)).toEqual([1, 2, 3, 4]);
  });

  it("each variant's trace hash is that of `peermap run` with its sets", () => {
    for (const [key, hs, out] of [[BOUND, 'bound', '6'], ['none [protocol.node.handshake=bound, protocol.node.maxOutbound=3]', 'bound', '3']]) {
      const run = cli('run', file, '--set', `protocol.node.handshake=${hs}`, '--set', `protocol.node.maxOutbound=${out}`, '--quiet', '--out', join(dir, `run-${hs}-${out}`));
      expect(run.status, run.stderr).toBe(0);
      const trace = /trace: ([0-9a-f]{16})/.exec(run.stdout)?.[1];
      expect(c.strategies[key].runs.map((x) => x.traceHash), key).toEqual([trace]);
    }
    // A value that changes the run changes the trace (handshake binding alone does not alter timing or sizes).
    expect(c.strategies[SEED].runs[0].traceHash).not.toBe(c.strategies['none [protocol.node.handshake=seed, protocol.node.maxOutbound=3]'].runs[0].traceHash);
  }, 300_000);

  it('the run lines, the CSV and the report show every variant as its own column', () => {
    for (const key of Object.keys(c.strategies)) {
      expect(r.stdout).toContain(`${key}`);
      expect(readFileSync(join(out, 'compare.csv'), 'utf8')).toContain(`"${key}"`);
      expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain(key);
    }
  });

  it('a value the scenario refuses fails before any run, naming the variant (exit 2)', () => {
    const bad = cli('compare', file, '--strategies', 'none', '--vary', 'protocol.node.handshake=seed,noise', '--out', join(dir, 'bad'), '--quiet');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('peermap compare: --vary protocol.node.handshake=noise');
  });
});
