/**
 * `peermap merge` on folders that lie: every problem is exit 2 naming the
 * file, nothing is read or written outside the folders, and no error
 * echoes what a file outside holds.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { withStrategy } from '../compare/options.ts';
import { configHash } from './plan.ts';
import type { SweepResult, SweepRunFile } from './sweep.ts';
import { cliSetup, readJson } from './test-cli.ts';

const { dir, cli, file } = cliSetup(
  'merge',
  'name: tiny-merge\ndurationS: 30\npeers: { count: 30, joinOverS: 5 }\nprotocol: { kind: node, strategy: none }\nmetrics: { sampleEveryS: 5 }\n',
);

const good = join(dir, 'good');
const writeJson = (p: string, v: unknown) => writeFileSync(p, JSON.stringify(v, null, 2));

/** A copy of the good sweep folder under its own case folder, edited by `edit`. */
function hostile(name: string, edit: (d: string, s: SweepResult) => SweepResult | void): { caseDir: string; shard: string; out: string } {
  const caseDir = join(dir, name);
  const shard = join(caseDir, 'shard');
  mkdirSync(caseDir);
  cpSync(good, shard, { recursive: true });
  const s = readJson<SweepResult>(join(shard, 'sweep.json'));
  writeJson(join(shard, 'sweep.json'), edit(shard, s) ?? s);
  return { caseDir, shard, out: join(caseDir, 'out') };
}

/** Makes a run file agree with a changed plan, so only the change itself can be refused. */
function rehash(shard: string, s: SweepResult, strategy: string) {
  for (const seed of s.seeds) {
    const p = join(shard, 'runs', `random-seed${seed}.json`);
    const run = readJson<SweepRunFile>(p);
    run.strategy = strategy;
    run.configHash = configHash(withStrategy(s.scenario.config, strategy as 'random', seed));
    writeJson(p, run);
  }
}

describe('peermap merge trusts nothing in its inputs', () => {
  beforeAll(() => {
    const r = cli('sweep', file, '--strategies', 'random', '--seeds', '1..2', '--workers', '1', '--quiet', '--out', good);
    expect(r.status, r.stderr).toBe(0);
  });

  it('merges the untouched folder (the cases below differ from it in one thing each)', () => {
    const m = cli('merge', good, '--out', join(dir, 'good-out'), '--quiet');
    expect(m.status, m.stderr).toBe(0);
    expect(existsSync(join(dir, 'good-out', 'runs', 'random-seed2.json'))).toBe(true);
  });

  it('refuses a strategy named ../../x (exit 2 naming sweep.json) and writes nothing outside --out', () => {
    const { caseDir, shard, out } = hostile('traversal', (d, s) => {
      const evil = '../../x';
      rehash(d, s, evil);
      s.strategies = [evil];
      s.results = { [evil]: s.results.random };
    });
    const m = cli('merge', shard, '--out', out);
    expect(m.status).toBe(2);
    expect(m.stderr).toContain(join(shard, 'sweep.json'));
    expect(m.stderr).toContain('strategies');
    expect(existsSync(join(caseDir, 'x-seed1.json'))).toBe(false);
    expect(existsSync(out)).toBe(false);
  });

  it('never reads a run file from its `file` entry: a path outside is refused without echoing the file', () => {
    const secret = 'TOPSECRET-do-not-print';
    const { caseDir, shard, out } = hostile('outside', (_d, s) => {
      s.results.random.runs[0].file = '../secret.json';
    });
    writeFileSync(join(caseDir, 'secret.json'), `${secret} {"format":`);
    const m = cli('merge', shard, '--out', out);
    expect(m.stderr + m.stdout).not.toContain('TOPSECRET');
    expect(m.status).toBe(2);
    expect(m.stderr).toContain(join(shard, 'sweep.json'));
    expect(m.stderr).toContain('runs/random-seed1.json');
  });

  it('refuses a run file that is a link to a file outside the folder, without echoing it', () => {
    const { caseDir, shard, out } = hostile('symlink', () => {});
    writeFileSync(join(caseDir, 'secret.txt'), 'TOPSECRET-linked');
    rmSync(join(shard, 'runs', 'random-seed1.json'));
    symlinkSync(join(caseDir, 'secret.txt'), join(shard, 'runs', 'random-seed1.json'));
    const m = cli('merge', shard, '--out', out);
    expect(m.stderr + m.stdout).not.toContain('TOPSECRET');
    expect(m.status).toBe(2);
    expect(m.stderr).toContain(`${join(shard, 'runs', 'random-seed1.json')}: a link to a file outside`);
  });

  it('a sweep.json without results: exit 2 naming the file and the field', () => {
    const { shard, out } = hostile('no-results', (_d, s) => {
      delete (s as Partial<SweepResult>).results;
    });
    const m = cli('merge', shard, '--out', out);
    expect(m.status).toBe(2);
    expect(m.stderr).toContain(`${join(shard, 'sweep.json')}: not a valid sweep.json: results: missing`);
  });

  it('a field of the wrong type is named as such, not as missing', () => {
    const { shard, out } = hostile('wrong-type', (_d, s) => {
      (s as unknown as { jobs: string }).jobs = '4';
    });
    const m = cli('merge', shard, '--out', out);
    expect(m.status).toBe(2);
    expect(m.stderr).toContain('jobs: Invalid input: expected number, received string');
    expect(m.stderr).not.toContain('jobs: missing');
  });

  it('a plan of more jobs than it claims is refused before its jobs are built (a few KB may describe millions)', () => {
    const { shard, out } = hostile('huge-plan', (_d, s) => {
      s.seeds = Array.from({ length: 1000 }, (_, i) => i + 1);
    });
    const m = cli('merge', shard, '--out', out);
    expect(m.status).toBe(2);
    expect(m.stderr).toContain(`${join(shard, 'sweep.json')}: jobs is 2 but the plan has 1000`);
  });

  it('a scenario config that does not validate: exit 2 naming the file and the field', () => {
    const { shard, out } = hostile('bad-config', (d, s) => {
      s.scenario.config.peers.count = 0;
      rehash(d, s, 'random');
    });
    const m = cli('merge', shard, '--out', out);
    expect(m.status).toBe(2);
    expect(m.stderr).toContain(`${join(shard, 'sweep.json')}: scenario.config is not a valid scenario`);
    expect(m.stderr).toContain('peers.count');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses files that are not JSON without quoting them, and files over the size cap before reading them', () => {
    const { shard, out } = hostile('garbage', () => {});
    writeFileSync(join(shard, 'runs', 'random-seed2.json'), 'TOPSECRET garbage');
    const m = cli('merge', shard, '--out', out);
    expect(m.stderr).not.toContain('TOPSECRET');
    expect(m.status).toBe(2);
    expect(m.stderr).toContain(`${join(shard, 'runs', 'random-seed2.json')}: not a run file (not valid JSON)`);
    const big = hostile('big', () => {});
    truncateSync(join(big.shard, 'sweep.json'), 65 * 1024 * 1024); // sparse: costs no disk
    const b = cli('merge', big.shard, '--out', big.out);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/sweep\.json: 68157440 bytes; a sweep\.json may have at most \d+ bytes/);
  });

  it('refuses --out that is one of the inputs, or that already holds a sweep (unless --force)', () => {
    expect(cli('merge', good, '--out', good).status).toBe(2);
    const out = join(dir, 'held');
    expect(cli('merge', good, '--out', out, '--quiet').status).toBe(0);
    const again = cli('merge', good, '--out', out, '--quiet');
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('already holds results');
    expect(cli('merge', good, '--out', out, '--quiet', '--force').status).toBe(0);
  });
});
