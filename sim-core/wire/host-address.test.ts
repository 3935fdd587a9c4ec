import { describe, expect, it } from 'vitest';
import { hostAddress } from './host-address.ts';

describe('hostAddress', () => {
  it('is { host, port: 0 }, frozen, and the same object for the same simulated host', () => {
    const a = hostAddress(7);
    expect(a).toEqual({ host: 7, port: 0 });
    expect(Object.isFrozen(a)).toBe(true);
    expect(hostAddress(7)).toBe(a);
    expect(hostAddress(8)).not.toBe(a);
  });

  it('still answers for numbers past the kept range or not integers, with a fresh object', () => {
    for (const host of [2 ** 22, 2 ** 31, -1, 1.5]) {
      const a = hostAddress(host);
      expect(a).toEqual({ host, port: 0 });
      expect(hostAddress(host)).not.toBe(a);
    }
  });
});
