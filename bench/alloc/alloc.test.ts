import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AllocProfileError, allocTable, formatAllocTable, type HeapNode } from './alloc-sites.ts';

const node = (functionName: string, url: string, selfSize: number, children: HeapNode[] = []): HeapNode => ({
  callFrame: { functionName, url },
  selfSize,
  children,
});

/** (root) → run → send (allocates), run → receive → send (allocates again: another caller, another row). */
function sample(): HeapNode {
  const sendA = node('send', 'file:///repo/sim-core/net/world.ts?tsx=1', 300);
  const sendB = node('send', 'file:///repo/sim-core/net/world.ts', 100);
  const receive = node('receive', 'file:///repo/sim-core/protocols/node/peer-node.ts', 50, [sendB]);
  return node('(root)', '', 0, [node('run', 'file:///repo/sim-core/engine/scheduler.ts', 0, [sendA, receive])]);
}

describe('allocation sites', () => {
  it('adds bytes per function and caller, largest first, and totals them', () => {
    const t = allocTable(sample());
    expect(t.totalBytes).toBe(450);
    expect(t.rows).toEqual([
      { key: 'send sim-core/net/world.ts ← run sim-core/engine/scheduler.ts', bytes: 300 },
      { key: 'send sim-core/net/world.ts ← receive sim-core/protocols/node/peer-node.ts', bytes: 100 },
      { key: 'receive sim-core/protocols/node/peer-node.ts ← run sim-core/engine/scheduler.ts', bytes: 50 },
    ]);
    expect(formatAllocTable(t, 2)).toMatch(/66\.7% .*send sim-core\/net\/world\.ts ← run[\s\S]*… 1 more/);
  });

  it('any JSON either tables or is an AllocProfileError (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
        try {
          allocTable(v as unknown as HeapNode);
        } catch (e) {
          expect(e).toBeInstanceOf(AllocProfileError);
        }
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('npm run bench:alloc profiles a short run: the engine and the network allocate, the run keeps its trace', () => {
    const r = spawnSync(process.execPath, ['bin/tsx-run.mjs', 'bench/alloc/bench-alloc.ts', '--top', '400', '--', 'run', 'scenarios/default.yaml', '--peers', '20', '--duration', '60', '--quiet'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/trace: [0-9a-f]{16}/);
    expect(r.stdout).toMatch(/allocated \d+\.\d MiB \(sampled\), by site/);
    expect(r.stdout).toMatch(/sim-core\/(net|engine)\/[a-z-]+\.ts/);
  });

  it('refuses --out (the bench owns the run folder) with exit 2', () => {
    const r = spawnSync(process.execPath, ['bin/tsx-run.mjs', 'bench/alloc/bench-alloc.ts', '--', 'run', 'scenarios/default.yaml', '--out', '/tmp/x'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--out and --force are set by bench:alloc');
  });
});
