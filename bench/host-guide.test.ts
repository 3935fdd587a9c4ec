import { describe, expect, it } from 'vitest';
import { hostGuide } from './host-guide.ts';

const speed = (memoryNsPerLoad: number) => ({ memoryNsPerLoad, computeNsPerOp: 1 });

describe('hostGuide', () => {
  it('divides the wall ratio by the host memory ratio between rows of one CPU model', () => {
    const line = hostGuide('globalmap', { wallSeconds: 330, hostSpeed: speed(110), cpuModel: 'X' }, { wallSeconds: 300, hostSpeed: speed(100), cpuModel: 'X' });
    expect(line).toContain('×1.000'); // 10% slower on a host 10% slower
  });

  it('gives no ratio between two CPU models, and names both', () => {
    const line = hostGuide('kademlia', { wallSeconds: 500, hostSpeed: speed(90), cpuModel: 'AMD EPYC' }, { wallSeconds: 300, hostSpeed: speed(100), cpuModel: 'Intel(R) Xeon(R) Processor' });
    expect(line).toContain('AMD EPYC');
    expect(line).toContain('Intel(R) Xeon(R) Processor');
    expect(line).not.toMatch(/×\d/);
  });

  it('treats an unrecorded CPU as another model, and says nothing without both probes', () => {
    expect(hostGuide('random', { wallSeconds: 60, hostSpeed: speed(100), cpuModel: 'X' }, { wallSeconds: 58, hostSpeed: speed(100) })).toContain('unrecorded CPU');
    expect(hostGuide('random', { wallSeconds: 60, cpuModel: 'X' }, { wallSeconds: 58, hostSpeed: speed(100), cpuModel: 'X' })).toBeUndefined();
    expect(hostGuide('random', { wallSeconds: 60, hostSpeed: speed(100), cpuModel: 'X' }, undefined)).toBeUndefined();
  });
});
