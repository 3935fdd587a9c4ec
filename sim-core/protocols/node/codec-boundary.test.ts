import { describe, expect, it } from 'vitest';
import { Rng } from '../../engine/rng.ts';
import { WireError } from '../../wire/codec.ts';
import { MsgType, type Message } from '../../wire/messages.ts';
import { EventRefsMsg, packRef } from '../globalmap/event-refs.ts';
import { EventTable } from '../globalmap/event-table.ts';
import { IdentityRegistry } from '../identity/registry.ts';
import { modelSigner } from '../identity/signer.ts';
import { sizerFor } from './codec-boundary.ts';

describe('the sizer: where message objects meet the codec', () => {
  const registry = new IdentityRegistry(modelSigner);
  const rng = new Rng('sizer');
  const a = registry.mint(rng).num;
  const b = registry.mint(rng).num;
  const sizer = sizerFor(65_536, registry);
  const event = { kind: 1, direction: 2, origin: a, peer: b, timestampUs: 5, ttl: 3 };

  it('refuses an object with a peer number the run has no id for, as encodeFrame would (the receiver never sees it)', () => {
    const ok: Message = { type: MsgType.GmEvents, events: [event] };
    expect(() => sizer.check!(ok)).not.toThrow();
    for (const origin of [registry.size, -1, 2 ** 40, 0.5]) {
      let err: unknown;
      try {
        sizer.check!({ type: MsgType.GmEvents, events: [{ ...event, origin }] });
      } catch (e) {
        err = e;
      }
      expect(err, `origin ${origin}`).toBeInstanceOf(WireError);
      expect((err as WireError).kind).toBe('out-of-range');
      expect((err as WireError).detail).toMatch(/event\.origin/);
    }
  });

  it('checks the other fields too (a u8 of 300), and leaves gm-events carried as table refs alone', () => {
    expect(() => sizer.check!({ type: MsgType.GmEvents, events: [{ ...event, ttl: 300 }] })).toThrow(WireError);
    const table = new EventTable(16, 60_000_000);
    const serial = table.lookupOrIntern(a, b, 1, 5, 5);
    const refs = new EventRefsMsg(table, Uint32Array.of(packRef(serial, 3)));
    expect(() => sizer.check!(refs)).not.toThrow();
    expect(sizer.sizeOf(refs)).toBe(sizerFor(65_536).sizeOf(refs));
  });

  it('without the run ids (sizes only), there is no field check: only counts, strings and the frame limit', () => {
    expect(sizerFor(65_536).check).toBeUndefined();
    expect(sizerFor(65_536).sizeOf({ type: MsgType.GmEvents, events: [{ ...event, origin: 2 ** 40 }] })).toBeGreaterThan(0);
  });
});
