/**
 * The point of each scenario in a few lines, read from a run's metrics:
 * resilience after faults, attackers banned, NAT dial outcomes, lookup
 * success, overlay connectivity. Metrics are read defensively: a block
 * whose numbers are absent is left out.
 */
export function keyResultLines(metrics: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const node = obj(metrics.node);
  const topology = obj(metrics.topology);
  const lcc = num(node?.lccFraction) ?? num(topology?.lccFraction);
  const components = num(node?.components) ?? num(topology?.components);
  if (lcc !== undefined) lines.push(`overlay: largest component ${pct(lcc)} of live peers${components !== undefined ? `, ${components} component${components === 1 ? '' : 's'}` : ''}`);

  for (const r of Array.isArray(metrics.resilience) ? metrics.resilience.slice(0, 20) : []) {
    const e = obj(r);
    if (!e) continue;
    const ended = num(e.endedAtS);
    const before = num(e.lccBefore);
    const min = num(e.lccAfterMin);
    const recover = num(e.timeToRecoverS);
    const forget = e.timeToForgetDeadS === undefined ? '' : `; dead forgotten ${num(e.timeToForgetDeadS) === undefined ? 'never' : `after ${num(e.timeToForgetDeadS)} s`}`;
    lines.push(
      `${str(e.event)} ${str(e.name)} at ${num(e.atS) ?? '?'} s (${num(e.hosts) ?? '?'} hosts${ended !== undefined ? `, until ${ended} s` : ', not ended'}): ` +
        `largest component ${before !== undefined ? pct(before) : '?'} before, ${min !== undefined ? pct(min) : '?'} at worst; ` +
        `${recover !== undefined ? `recovered ${recover} s after it ended` : 'not recovered by the end'}${forget}`,
    );
  }

  const adversaries = Array.isArray(node?.adversaries) ? node.adversaries.map(obj).filter((a) => a !== undefined) : [];
  if (adversaries.length > 0) {
    const attacking = adversaries.filter((a) => (num(a.attacked) ?? 0) > 0);
    const banned = attacking.filter((a) => Array.isArray(a.notBannedByVictims) && a.notBannedByVictims.length === 0);
    const bans = num(node?.bansIssued);
    lines.push(
      `attackers banned: ${banned.length} of ${attacking.length} that attacked (by every victim they reached)` +
        `${adversaries.length > attacking.length ? `; ${adversaries.length - attacking.length} never reached a victim` : ''}${bans !== undefined ? `; ${bans} bans issued` : ''}`,
    );
  }

  const sec = obj(metrics.security);
  if (sec) {
    const p = num(sec.honestMapPrecision);
    const r = num(sec.honestMapRecall);
    const victims = num(sec.victims);
    lines.push(
      `security: ${p !== undefined && r !== undefined ? `honest map precision ${p.toFixed(3)}, recall ${r.toFixed(3)}; ` : ''}` +
        `honest → honest bans ${num(sec.honestToHonestBans) ?? '?'} (${num(sec.honestPeersBanned) ?? '?'} honest peers banned); ` +
        `attackers banned ${num(sec.attackersBanned) ?? '?'} of ${num(sec.attackers) ?? '?'} (by ${(num(sec.attackerBannedByMean) ?? 0).toFixed(1)} honest peers each on average); ` +
        `eclipsed honest peers ${num(sec.eclipsedPeers) ?? '?'}${victims !== undefined ? ` (victims ${num(sec.victimsEclipsed) ?? '?'} of ${victims})` : ''}; ` +
        `honest LCC ${pct(num(sec.honestLcc) ?? 0)}`,
    );
  }

  const underlay = obj(metrics.underlay);
  const dials = obj(underlay?.dials);
  const byNat = obj(obj(underlay?.hosts)?.byNat);
  const natted = byNat ? Object.entries(byNat).some(([k, v]) => k !== 'public' && (num(v) ?? 0) > 0) : false;
  if (dials && natted) {
    const parts = ['direct', 'upnp', 'punched', 'relayed', 'failed'].map((k) => `${k} ${num(dials[k]) ?? 0}`);
    const blocked = num(dials.blockedByNat);
    lines.push(`NAT dial outcomes: ${parts.join(', ')}${blocked ? ` (${blocked} blocked by NAT)` : ''}`);
  }

  const kad = obj(metrics.kademlia);
  const success = num(kad?.lookupSuccessRate);
  if (kad && success !== undefined) {
    const p95 = num(kad.p95LatencyMs);
    lines.push(`kademlia lookups: ${num(kad.lookups) ?? '?'}, success ${pct(success)}${p95 !== undefined ? `, p95 latency ${p95} ms` : ''}`);
  }
  return lines;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '?';
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
