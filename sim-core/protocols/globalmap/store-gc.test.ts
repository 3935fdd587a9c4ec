import { describe, expect, it } from 'vitest';
import { PeerStore } from './peer-store.ts';
import { RecordPool } from './record-pool.ts';
import { F_CONNECT, F_OUT } from './record.ts';

const limits = { maxClaims: 32, maxEntries: 64, maxSkewUs: 60e6 };
const TTL = 1e9;
const CONFIRM = 1e6;
const [Q, R, X] = [1, 2, 3];

/**
 * q and r confirm each other's claim; x claimed q and took it back (a
 * tombstone for q). x's record comes first, so GC (last origin first)
 * reaches it after q's.
 */
function store(): PeerStore {
  const s = new PeerStore(new RecordPool(), limits);
  s.applyLink(X, Q, F_CONNECT | F_OUT, 0, 0);
  s.applyLink(X, Q, F_OUT, 1, 1);
  s.applyLink(Q, R, F_CONNECT | F_OUT, 0, 0);
  s.applyLink(R, Q, F_CONNECT, 0, 0);
  return s;
}

describe('map GC looks a claim up again only when something it rests on changed', () => {
  it('a tombstone forgotten (it confirmed nothing) leaves the claims of the peer it named verified', () => {
    const s = store();
    const first = s.gc(CONFIRM + 10, TTL, CONFIRM);
    expect(first.confirmLookups).toBe(2); // q's claim of r and r's of q, once old enough
    expect(first.expiredEntries).toBe(1); // x's tombstone for q
    const second = s.gc(CONFIRM + 20, TTL, CONFIRM);
    expect(second.confirmLookups).toBe(0);
    expect(s.isConfirmed(Q, R)).toBe(true);
  });

  it('a connect taken back makes the claim it confirmed be looked up (and dropped as a phantom)', () => {
    const s = store();
    s.gc(CONFIRM + 10, TTL, CONFIRM);
    s.applyLink(R, Q, 0, CONFIRM + 11, CONFIRM + 11); // r takes its half back
    const next = s.gc(CONFIRM + 20, TTL, CONFIRM);
    expect(next.confirmLookups).toBe(1); // q's claim of r only
    expect(next.expiredPhantoms).toBe(1);
    expect(s.record(Q)?.peers.length ?? 0).toBe(0);
  });
});
