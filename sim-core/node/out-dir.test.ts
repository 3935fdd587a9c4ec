import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OutDirError, prepareOutDir, removeStaleTmpFiles } from './out-dir.ts';

const dir = mkdtempSync(join(tmpdir(), 'peermap-outdir-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const base = { force: false, defaultBase: join(dir, 'runs'), name: 'my scenario/1', markers: ['summary.json'] };
const at = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));

describe('prepareOutDir', () => {
  it('default: a new timestamped folder per call, never shared', () => {
    const a = prepareOutDir({ ...base, now: at });
    const b = prepareOutDir({ ...base, now: at });
    expect(a).toBe(join(dir, 'runs', 'my-scenario-1-20260102-030405'));
    expect(b).toBe(`${a}-2`);
    expect(existsSync(a) && existsSync(b)).toBe(true);
  });

  it('creates a missing --out folder with its parents', () => {
    const out = join(dir, 'x', 'y', 'z');
    expect(prepareOutDir({ ...base, out })).toBe(out);
    expect(existsSync(out)).toBe(true);
  });

  it('refuses /proc, /sys and /dev, also through a symlink', () => {
    for (const out of ['/proc/x', '/sys/kernel/x', '/dev/shm/x', '/proc']) {
      expect(() => prepareOutDir({ ...base, out })).toThrow(/refusing to write under \/(proc|sys|dev)/);
    }
    const link = join(dir, 'to-proc');
    symlinkSync('/proc', link);
    expect(() => prepareOutDir({ ...base, out: join(link, 'x') })).toThrow(OutDirError);
  });

  it('refuses a file, and a path through a file', () => {
    const file = join(dir, 'f');
    writeFileSync(file, '');
    expect(() => prepareOutDir({ ...base, out: file })).toThrow(`--out ${file}: is a file, not a folder`);
    expect(() => prepareOutDir({ ...base, out: join(file, 'sub') })).toThrow('is a file, not a folder');
  });

  it('refuses a folder holding results unless force, which removes the old results at once', () => {
    const out = join(dir, 'held');
    mkdirSync(out);
    writeFileSync(join(out, 'summary.json'), '{}');
    writeFileSync(join(out, 'notes.txt'), 'mine');
    expect(() => prepareOutDir({ ...base, out })).toThrow('already holds results (summary.json); use --force to overwrite or choose another folder');
    expect(prepareOutDir({ ...base, out, force: true })).toBe(out);
    expect(readdirSync(out)).toEqual(['notes.txt']);
  });

  it("force also removes the earlier run's replays and graphs it names, and nothing else of the folder", () => {
    const out = join(dir, 'held-artifacts');
    mkdirSync(out);
    for (const f of ['summary.json', 'replay.ndjson.gz', 'graph-30s.graphml', 'graph-12.5s.graphml', 'graph-end.graphml', 'notes.txt', 'graph-mynetwork.graphml', 'my-graph.graphml.bak']) writeFileSync(join(out, f), 'x');
    mkdirSync(join(out, 'graph-60s.graphml'));
    const artifacts = /^(replay\.ndjson\.gz|graph-(end|\d+(\.\d+)?s)\.graphml)$/;
    expect(() => prepareOutDir({ ...base, out, artifacts })).toThrow(/already holds results/);
    expect(readdirSync(out)).toHaveLength(9);
    prepareOutDir({ ...base, out, artifacts, force: true });
    expect(readdirSync(out).sort()).toEqual(['graph-60s.graphml', 'graph-mynetwork.graphml', 'my-graph.graphml.bak', 'notes.txt']);
  });

  it('force in a folder without earlier results removes nothing (the files are the user’s)', () => {
    const out = join(dir, 'no-results');
    mkdirSync(out);
    for (const f of ['replay.ndjson.gz', 'graph-end.graphml']) writeFileSync(join(out, f), 'x');
    prepareOutDir({ ...base, out, artifacts: /^(replay\.ndjson\.gz|graph-end\.graphml)$/, force: true });
    expect(readdirSync(out).sort()).toEqual(['graph-end.graphml', 'replay.ndjson.gz']);
  });

  it('names the flag it was given', () => {
    expect(() => prepareOutDir({ ...base, out: '/sys/x', flag: '--dir' })).toThrow(/^--dir \/sys\/x:/);
  });
});

describe('removeStaleTmpFiles', () => {
  it("removes temp files of dead pids only, keeping live processes' and other files", () => {
    const out = join(dir, 'tmpfiles');
    mkdirSync(out);
    const dead = `.summary.json.${2 ** 22 + 1}.tmp`;
    const live = `.summary.json.${process.pid}.tmp`;
    const other = 'keep.tmp';
    for (const f of [dead, live, other]) writeFileSync(join(out, f), '');
    expect(removeStaleTmpFiles(out)).toBe(1);
    expect(readdirSync(out).sort()).toEqual([live, other].sort());
  });
});
