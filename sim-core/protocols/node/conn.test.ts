import { describe, expect, it } from 'vitest';
import { newConn, reuseConn, type Conn } from './conn.ts';

describe('reuseConn', () => {
  it('turns a used connection, every field changed, into exactly what newConn builds', () => {
    const used = newConn(7, 3, 'in', 10, 2) as unknown as Record<string, unknown>;
    // Every field (present and future) gets a value newConn never gives, so a field reuseConn forgets shows up.
    for (const k of Object.keys(used)) used[k] = { stale: k };
    const fresh = newConn(42, 9, 'out', 5_000, 11);
    const reused = reuseConn(used as unknown as Conn, 42, 9, 'out', 5_000, 11);
    expect(reused).toBe(used);
    expect(Object.keys(reused)).toEqual(Object.keys(fresh));
    expect(reused).toEqual(fresh);
  });
});
