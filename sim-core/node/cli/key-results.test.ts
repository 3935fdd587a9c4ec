import { describe, expect, it } from 'vitest';
import { keyResultLines } from './key-results.ts';

describe('keyResultLines', () => {
  it('shows resilience after a fault', () => {
    const lines = keyResultLines({
      resilience: [{ event: 'outage', name: 'north-america-dark', atS: 600, hosts: 89, endedAtS: 1200, lccBefore: 1, lccAfterMin: 0.75, timeToRecoverS: 30, timeToForgetDeadS: null }],
    });
    expect(lines).toEqual([
      'outage north-america-dark at 600 s (89 hosts, until 1200 s): largest component 100.0% before, 75.0% at worst; recovered 30 s after it ended; dead forgotten never',
    ]);
  });

  it('shows attackers banned', () => {
    const adversaries = [
      { kind: 'garbage', attacked: 5, notBannedByVictims: [] },
      { kind: 'flood', attacked: 3, notBannedByVictims: [7] },
      { kind: 'flood', attacked: 0, notBannedByVictims: [] },
    ];
    expect(keyResultLines({ node: { adversaries, bansIssued: 9 } })).toEqual([
      'attackers banned: 1 of 2 that attacked (by every victim they reached); 1 never reached a victim; 9 bans issued',
    ]);
  });

  it('shows the security figures of a run with adversaries', () => {
    const lines = keyResultLines({
      security: { honestMapPrecision: 0.5, honestMapRecall: 0.25, honestToHonestBans: 4, honestPeersBanned: 3, attackers: 10, attackersBanned: 2, attackerBannedByMean: 1.5, eclipsedPeers: 1, victims: 10, victimsEclipsed: 1, honestLcc: 0.99 },
    });
    expect(lines).toEqual([
      'security: honest map precision 0.500, recall 0.250; honest → honest bans 4 (3 honest peers banned); attackers banned 2 of 10 (by 1.5 honest peers each on average); eclipsed honest peers 1 (victims 1 of 10); honest LCC 99.0%',
    ]);
  });

  it('shows NAT dial outcomes only when some hosts are behind NAT', () => {
    const dials = { direct: 10, upnp: 2, punched: 3, relayed: 1, failed: 4, blockedByNat: 4 };
    expect(keyResultLines({ underlay: { dials, hosts: { byNat: { public: 5, symmetric: 2 } } } })).toEqual([
      'NAT dial outcomes: direct 10, upnp 2, punched 3, relayed 1, failed 4 (4 blocked by NAT)',
    ]);
    expect(keyResultLines({ underlay: { dials, hosts: { byNat: { public: 5, symmetric: 0 } } } })).toEqual([]);
  });

  it('shows lookup success and the overlay', () => {
    expect(keyResultLines({ kademlia: { lookups: 1857, lookupSuccessRate: 0.99784, p95LatencyMs: 4100 }, node: { lccFraction: 1, components: 1 } })).toEqual([
      'overlay: largest component 100.0% of live peers, 1 component',
      'kademlia lookups: 1857, success 99.8%, p95 latency 4100 ms',
    ]);
  });

  it('leaves out what is absent or malformed', () => {
    expect(keyResultLines({})).toEqual([]);
    expect(keyResultLines({ resilience: 'x', node: { adversaries: 'y' }, kademlia: { lookupSuccessRate: 'z' } })).toEqual([]);
  });
});
