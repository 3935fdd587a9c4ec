import { describe, expect, it } from 'vitest';
import { RpcKind, RpcState, RpcTable } from './rpc.ts';

describe('RpcTable', () => {
  it('makes a record only when that many requests are in flight at once, and reuses the lowest free slot', () => {
    const t = new RpcTable<string>(64);
    expect(t.slots.length).toBe(0);
    const a = t.alloc(RpcKind.FindNode, 1, 'x')!;
    const b = t.alloc(RpcKind.Ping, 2, undefined)!;
    expect([a.slot, b.slot, t.slots.length]).toEqual([0, 1, 2]);
    t.release(a);
    const c = t.alloc(RpcKind.FindNode, 3, 'y')!;
    expect([c.slot, t.slots.length, t.inUse]).toEqual([0, 2, 2]);
    expect(t.match(c.requestId, 3, RpcKind.FindNode)).toBe(c);
    expect(t.match(a.requestId, 1, RpcKind.FindNode)).toBeUndefined(); // the slot's old generation
    expect(t.match(40, 3, RpcKind.FindNode)).toBeUndefined(); // a slot never made
  });

  it('fills up to its capacity and then refuses; reset frees every record', () => {
    const t = new RpcTable<undefined>(4);
    const all = [1, 2, 3, 4].map((p) => t.alloc(RpcKind.Ping, p, undefined));
    expect(all.every((r) => r !== undefined)).toBe(true);
    expect(t.alloc(RpcKind.Ping, 5, undefined)).toBeUndefined();
    t.reset();
    expect(t.inUse).toBe(0);
    expect(t.slots.every((r) => r.state === RpcState.Free)).toBe(true);
    expect(t.alloc(RpcKind.Ping, 6, undefined)!.slot).toBe(0);
  });
});
