import { describe, expect, it } from 'vitest';
import { batchLine, BATCH_LINE_EVERY_S, etaSeconds, formatDuration, longRunNote, RunProgress, WARMUP_S } from './progress.ts';

describe('run progress off a terminal', () => {
  it('prints a line after the warm-up and then one per BATCH_LINE_EVERY_S of wall time, with ETA', () => {
    let nowMs = 0;
    const lines: string[] = [];
    const p = new RunProgress(false, 1000, { write: (l) => lines.push(l), nowMs: () => nowMs });
    const at = (wallS: number, simS: number) => {
      nowMs = wallS * 1000;
      p.update(simS, simS * 100);
    };
    at(1, 10);
    expect(lines).toEqual([]);
    at(WARMUP_S, 20);
    at(WARMUP_S + 1, 30);
    at(WARMUP_S + BATCH_LINE_EVERY_S, 120);
    p.stop();
    at(100, 900);
    expect(lines).toEqual([batchLine(20, 1000, 2000, WARMUP_S), batchLine(120, 1000, 12000, WARMUP_S + BATCH_LINE_EVERY_S)]);
    expect(lines[0]).toContain('sim 20.0/1000 s (2.0%)');
    expect(lines[0]).toContain('eta 1 min 38 s');
  });

  it('a run estimated over an hour says so once after the warm-up, even with --quiet', () => {
    let nowMs = 0;
    const lines: string[] = [];
    const p = new RunProgress(true, 2_592_000, { write: (l) => lines.push(l), nowMs: () => nowMs });
    nowMs = WARMUP_S * 1000;
    p.update(100, 1);
    nowMs = 20_000;
    p.update(1000, 2);
    expect(lines).toEqual([longRunNote(WARMUP_S * 25_920, 2_592_000)]);
    expect(lines[0]).toMatch(/^note: this run will take about 14\.4 h of wall time \(2592000 simulated s\); shorten it with --duration or --peers$/);
  });

  it('no note for a short run', () => {
    expect(longRunNote(3599, 100)).toBeUndefined();
    expect(longRunNote(3601, 100)).toContain('1.0 h');
  });
});

describe('formatting', () => {
  it('etaSeconds is unknown before simulated time passes, else proportional', () => {
    expect(etaSeconds(5, 0, 100)).toBeUndefined();
    expect(etaSeconds(10, 25, 100)).toBe(30);
    expect(etaSeconds(10, 100, 100)).toBe(0);
  });

  it('formatDuration', () => {
    expect([undefined, 42, 200, 7200, 3 * 86400].map(formatDuration)).toEqual(['?', '42 s', '3 min 20 s', '2.0 h', '3.0 days']);
  });
});
