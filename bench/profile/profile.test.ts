import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { aggregate, sourceOf } from './aggregate.ts';
import { causeOf } from './causes.ts';
import { parseCpuProfile, ProfileError, type CpuProfile } from './cpu-profile.ts';

const FILE = 'file:///repo/sim-core/';
const frame = (functionName: string, url: string) => ({ functionName, url });

/**
 * (root) → run (engine) → receiveEvents (gossip) → applyLink (store) → receiveEvents again (recursion);
 * run → gc (store); (garbage collector) on its own.
 */
function sample(): CpuProfile {
  return {
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), children: [2, 7] },
      { id: 2, callFrame: frame('run', `${FILE}engine/scheduler.ts?tsx-namespace=x`), children: [3, 6] },
      { id: 3, callFrame: frame('receiveEvents', `${FILE}protocols/globalmap/app.ts`), children: [4] },
      { id: 4, callFrame: frame('applyLink', `${FILE}protocols/globalmap/peer-store.ts`), children: [5] },
      { id: 5, callFrame: frame('receiveEvents', `${FILE}protocols/globalmap/app.ts`) },
      { id: 6, callFrame: frame('gc', `${FILE}protocols/globalmap/peer-store.ts`) },
      { id: 7, callFrame: frame('(garbage collector)', '') },
    ],
    samples: [2, 3, 4, 5, 5, 6, 7, 3],
    timeDeltas: [10, 20, 30, 40, 40, 50, 60, 20],
  };
}

describe('profile tables', () => {
  it('self time per function, and inclusive time counting a recursive function once per sample', () => {
    const t = aggregate(sample(), 'fn');
    expect(t.totalUs).toBe(270);
    const row = (k: string) => t.rows.find((r) => r.key === k);
    expect(row('receiveEvents sim-core/protocols/globalmap/app.ts')).toEqual({ key: 'receiveEvents sim-core/protocols/globalmap/app.ts', selfUs: 120, totalUs: 150 });
    expect(row('applyLink sim-core/protocols/globalmap/peer-store.ts')).toMatchObject({ selfUs: 30, totalUs: 110 });
    expect(row('run sim-core/engine/scheduler.ts')).toMatchObject({ selfUs: 10, totalUs: 210 });
    expect(row('(garbage collector)')).toMatchObject({ selfUs: 60, totalUs: 60 });
    expect(row('(root)')).toBeUndefined();
    expect(t.rows.map((r) => r.selfUs)).toEqual([...t.rows.map((r) => r.selfUs)].sort((a, b) => b - a));
  });

  it('a negative delta (V8 writes one when samples come slightly out of order) counts for nothing', () => {
    const p = sample();
    p.timeDeltas[6] = -5; // the garbage collector's sample
    const t = aggregate(parseCpuProfile(JSON.stringify(p)), 'fn');
    expect(t.totalUs).toBe(210);
    expect(t.rows.find((r) => r.key === '(garbage collector)')).toMatchObject({ selfUs: 0, totalUs: 0 });
  });

  it('by file and by cause: the store GC apart from the store applies, in the same file', () => {
    const byFile = aggregate(sample(), 'file');
    expect(byFile.rows.find((r) => r.key === 'sim-core/protocols/globalmap/peer-store.ts')).toMatchObject({ selfUs: 80, totalUs: 160 });
    const byCause = aggregate(sample(), 'cause');
    const cause = (k: string) => byCause.rows.find((r) => r.key === k);
    expect(cause('global map: store GC')).toMatchObject({ selfUs: 50, totalUs: 50 });
    expect(cause('global map: store applies')).toMatchObject({ selfUs: 30, totalUs: 110 });
    expect(cause('global map: receiving gm-events')).toMatchObject({ selfUs: 120, totalUs: 150 });
    expect(cause('V8 garbage collector')).toMatchObject({ selfUs: 60 });
    expect(byCause.rows.reduce((s, r) => s + r.selfUs, 0)).toBe(byCause.totalUs);
  });

  it('names sources relative to the repository', () => {
    expect(sourceOf('file:///a/b/sim-core/net/world.ts?tsx-namespace=1')).toBe('sim-core/net/world.ts');
    expect(sourceOf('file:///a/node_modules/@noble/curves/ed25519.js')).toBe('node_modules/@noble/curves');
    expect(sourceOf('file:///a/node_modules/tsx/dist/x.mjs')).toBe('node_modules/tsx');
    expect(sourceOf('node:internal/modules/run_main')).toBe('(Node)');
    expect(sourceOf('')).toBe('(V8)');
    expect(causeOf('sim-core/protocols/node/addrman.ts', 'add')).toBe('address book and addr gossip');
    expect(causeOf('sim-core/protocols/node/peer-conns.ts', 'forget')).toBe('peer manager (connections, keepalive, limits, bans)');
    expect(causeOf('sim-core/protocols/kademlia/routing-table.ts', 'closest')).toBe('Kademlia: routing table and ids');
    expect(causeOf('somewhere/else.ts', 'f')).toBe('other');
  });
});

describe('reading a profile file', () => {
  const fails = (p: unknown, field: string) => {
    expect(() => parseCpuProfile(JSON.stringify(p))).toThrow(ProfileError);
    try {
      parseCpuProfile(JSON.stringify(p));
    } catch (e) {
      expect((e as ProfileError).field).toBe(field);
    }
  };

  it('names the field that is wrong', () => {
    const p = sample();
    fails({ ...p, timeDeltas: p.timeDeltas.slice(1) }, 'timeDeltas');
    fails({ ...p, samples: [...p.samples.slice(1), 99] }, 'samples.7');
    fails({ ...p, nodes: [...p.nodes, { ...p.nodes[3] }] }, 'nodes.7.id');
    fails({ ...p, nodes: p.nodes.map((n) => (n.id === 6 ? { ...n, children: [2] } : n)) }, 'nodes.5.children');
    fails({ ...p, nodes: p.nodes.map((n) => (n.id === 1 ? { ...n, children: [7] } : n.id === 6 ? { ...n, children: [2] } : n)) }, 'nodes'); // 2 → 6 → 2
    fails({ ...p, timeDeltas: [...p.timeDeltas.slice(0, 7), 'x'] }, 'timeDeltas.7');
    fails({ ...p, timeDeltas: [...p.timeDeltas.slice(0, 7), 1e15] }, 'timeDeltas.7');
    expect(() => parseCpuProfile('{')).toThrow(ProfileError);
  });

  it('any JSON, and any damage to a good profile, either reads or is a ProfileError (fast-check)', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        try {
          parseCpuProfile(text);
        } catch (e) {
          if (!(e instanceof ProfileError)) throw e;
        }
      }),
      { numRuns: 500 },
    );
    const good = JSON.stringify(sample());
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.string({ maxLength: 4 }), (at, insert) => {
        const text = good.slice(0, at) + insert + good.slice(at + 1);
        try {
          const p = parseCpuProfile(text);
          aggregate(p, 'cause'); // a profile that reads also aggregates
        } catch (e) {
          if (!(e instanceof ProfileError)) throw e;
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('npm run bench:profile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'profile-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cli = (args: string[]) => spawnSync(process.execPath, ['bin/tsx-run.mjs', 'bench/profile/bench-profile.ts', ...args], { encoding: 'utf8' });

  it('--from reads a saved profile and prints the tables asked for', () => {
    const file = join(dir, 'p.cpuprofile');
    writeFileSync(file, JSON.stringify(sample()));
    const r = cli(['--from', file, '--by', 'cause', '--top', '3']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('by cause, 0.0 s sampled');
    expect(r.stdout).toContain('global map: receiving gm-events');
    expect(r.stdout).toContain('… 2 more');
  });

  it('refuses a damaged file with exit 2, naming the field', () => {
    const file = join(dir, 'bad.cpuprofile');
    writeFileSync(file, JSON.stringify({ ...sample(), timeDeltas: [1] }));
    const r = cli(['--from', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('timeDeltas');
  });

  it('profiles a short run: the engine and the network are among the causes', () => {
    const out = execFileSync(
      process.execPath,
      ['bin/tsx-run.mjs', 'bench/profile/bench-profile.ts', '--by', 'cause', '--top', '40', '--interval-us', '200', '--', 'run', 'scenarios/default.yaml', '--peers', '20', '--duration', '60', '--quiet'],
      { encoding: 'utf8' },
    );
    expect(out).toMatch(/trace: [0-9a-f]{16}/);
    expect(out).toContain('engine (event queue, run loop, streams)');
    expect(out).toContain('network (connections, delivery, latency)');
  });
});
