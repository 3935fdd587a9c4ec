import { describe, expect, it } from 'vitest';
import { RngStreams } from '../../engine/rng.ts';
import { AddressBook, type Book } from './address-book.ts';
import { AddrMan } from './addrman.ts';
import { DEFAULT_NODE_CONFIG, type NodeConfig } from './config.ts';

/**
 * An address flood at join, on the books themselves: one attacker (address
 * 9,999) sends 50 addr messages of 100 fresh addresses each; six honest
 * peers (addresses 1..6) send 100 distinct honest addresses each. Default
 * capacity (1,024). What matters is what stays in the book and what the
 * node would dial.
 */
const ATTACKER = 9_999;
const HONEST_SOURCES = [1, 2, 3, 4, 5, 6];
const honestAddr = (src: number, i: number) => 100_000 + src * 1000 + i;
const attackAddr = (i: number) => 500_000 + i;

function book(kind: 'seed' | 'addrman', seed = 1, cfg: Partial<NodeConfig> = {}): Book {
  const full = { ...DEFAULT_NODE_CONFIG, ...cfg };
  const rng = new RngStreams(seed).stream('book');
  return kind === 'seed' ? new AddressBook(full, rng, 0) : new AddrMan(full, rng, 0);
}

function flood(b: Book, now: number): void {
  for (let i = 0; i < 5000; i++) b.add(attackAddr(i), 1_000_000 + i, 'addr', now, ATTACKER);
}

function honest(b: Book, now: number): void {
  for (const src of HONEST_SOURCES) for (let i = 0; i < 100; i++) b.add(honestAddr(src, i), src * 1000 + i, 'addr', now, src);
}

function honestKept(b: Book): number {
  let n = 0;
  for (const src of HONEST_SOURCES) for (let i = 0; i < 100; i++) if (b.get(honestAddr(src, i))) n++;
  return n;
}

/** Share of the attacker's addresses among `rounds` dial rounds of 8 candidates. */
function attackerShare(b: Book, rounds: number): number {
  let all = 0;
  let bad = 0;
  for (let r = 0; r < rounds; r++) {
    for (const a of b.dialCandidates(0, 8, () => false)) {
      all++;
      if (a >= 500_000) bad++;
    }
  }
  return bad / Math.max(1, all);
}

describe('address book under an addr flood at join', () => {
  it('seed book: a flood before the honest answers leaves almost no honest address, and every dial candidate is the attacker’s', () => {
    const b = book('seed');
    flood(b, 1);
    honest(b, 2);
    expect(honestKept(b)).toBeLessThan(10);
    expect(attackerShare(b, 100)).toBeGreaterThan(0.95);
  });

  for (const order of ['flood first', 'honest first', 'interleaved'] as const) {
    it(`addrman (${order}): ≥ 90% of 600 honest addresses kept, attacker ≤ 30% of dial candidates, over 10 keys`, () => {
      for (let seed = 1; seed <= 10; seed++) {
        const b = book('addrman', seed);
        if (order === 'flood first') {
          flood(b, 1);
          honest(b, 2);
        } else if (order === 'honest first') {
          honest(b, 1);
          flood(b, 2);
        } else {
          for (let k = 0; k < 10; k++) {
            for (let i = k * 500; i < (k + 1) * 500; i++) b.add(attackAddr(i), 1_000_000 + i, 'addr', k, ATTACKER);
            for (const src of HONEST_SOURCES) for (let i = k * 10; i < (k + 1) * 10; i++) b.add(honestAddr(src, i), src * 1000 + i, 'addr', k, src);
          }
        }
        expect(honestKept(b), `key seed ${seed}`).toBeGreaterThanOrEqual(540);
        expect(attackerShare(b, 200), `key seed ${seed}`).toBeLessThanOrEqual(0.3);
      }
    });
  }

  it('addrman: the tried table holds addresses we connected to, and a later flood does not evict them', () => {
    const b = book('addrman', 3) as AddrMan;
    for (let i = 0; i < 8; i++) {
      b.add(honestAddr(1, i), i, 'addr', 1, 1);
      b.connected(honestAddr(1, i), i, 1, true);
    }
    expect(b.counts.tried).toBe(8);
    for (let i = 0; i < 50_000; i++) b.add(attackAddr(i), 1_000_000 + i, 'addr', 2, ATTACKER + (i % 50)); // 50 sources
    for (let i = 0; i < 8; i++) expect(b.get(honestAddr(1, i))).toBeDefined();
    // Half the dial candidates come from the tried table: our 8 proven peers.
    let tried = 0;
    let all = 0;
    for (let r = 0; r < 200; r++) {
      for (const a of b.dialCandidates(0, 1, () => false)) {
        all++;
        if (a < 500_000) tried++;
      }
    }
    expect(tried / all).toBeGreaterThan(0.4);
  });

  it('addrman: gossip cannot rebind the peer id a handshake proved for an address', () => {
    const b = book('addrman');
    b.add(7, 70, 'inbound', 1);
    b.connected(7, 70, 1, true);
    b.add(7, 666, 'addr', 2, ATTACKER);
    expect(b.get(7)!.peer).toBe(70);
  });

  it('addrman: memory is bounded whatever the flood (≤ new + tried slots)', () => {
    const b = book('addrman') as AddrMan;
    for (let i = 0; i < 100_000; i++) b.add(attackAddr(i), i, 'addr', 1, i % 1000);
    const slots = DEFAULT_NODE_CONFIG.addrBookCapacity * 1.25;
    expect(b.size).toBeLessThanOrEqual(slots);
    expect(b.counts.new + b.counts.tried).toBe(b.size);
  });
});
