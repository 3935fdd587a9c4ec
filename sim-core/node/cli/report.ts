import { describeLatencyConfig } from '../../scenario/build.ts';
import type { Scenario } from '../../scenario/schema/index.ts';
import { keyResultLines } from './key-results.ts';
import type { RunSummary } from './run-summary.ts';

/** The run header: the scenario with every derived option, so a run can be reproduced from its log. */
export function describeScenario(s: Scenario): string {
  const latency = describeLatencyConfig(s.network.latency);
  const joins = s.peers.waves ? s.peers.waves.map((w) => `${w.count} at ${w.atS}+${w.overS} s`).join(', ') : `joining over ${s.peers.joinOverS} s`;
  const lines = [
    `peermap run ${s.name}: seed ${s.seed}, ${s.peers.count} peers (${joins}), ${s.bootstrap.count} bootstrap${s.bootstrap.mesh ? ' (meshed)' : ''}, ${s.durationS} simulated s`,
    `  network: latency ${latency}; dial timeout ${s.network.dialTimeoutS} s`,
  ];
  const p = s.protocol;
  if (p.kind === 'flood') {
    const { kind, ...rest } = p;
    lines.push(`  protocol: ${kind} ${compact(rest)}`);
  } else {
    lines.push(`  protocol: node, strategy ${p.strategy}`, `    node: ${compact(p.node)}`);
    if (p.strategy === 'globalmap' || p.strategy === 'random' || p.strategy === 'random-local') lines.push(`    globalmap: ${compact(p.globalmap)}`);
    if (p.strategy === 'kademlia') lines.push(`    kademlia: ${compact(p.kademlia)}`);
    if (p.workload.blocks.enabled) lines.push(`    blocks: ${compact(p.workload.blocks)}`);
    lines.push(`  crypto: ${compact(s.crypto)}; wire: ${compact(s.wire)}`);
  }
  if (s.adversaries.length > 0) lines.push(`  adversaries: ${s.adversaries.map((a) => `${a.count}× ${a.kind} from ${a.startS} s`).join(', ')}`);
  if (s.actions.length > 0) lines.push(`  actions: ${s.actions.length} scripted`);
  if (s.protocol.kind === 'node' && (s.protocol.strategy === 'globalmap' || s.protocol.strategy === 'random' || s.protocol.strategy === 'random-local') && s.bootstrap.count >= 4 && !s.bootstrap.mesh) {
    lines.push(`  note: ${s.bootstrap.count} bootstrap nodes without bootstrap.mesh: the overlay can split at formation and stay split (scenarios/bootstrap-split.yaml)`);
  }
  lines.push(`  limits: maxEvents=${s.limits.maxEvents} maxPendingEvents=${s.limits.maxPendingEvents}; sample every ${s.metrics.sampleEveryS} s`);
  return lines.join('\n');
}

/** `k=v` pairs, nested objects as compact JSON. */
function compact(o: object): string {
  return Object.entries(o)
    .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : v}`)
    .join(' ');
}

/** The end-of-run table. */
export function formatSummary(s: RunSummary): string {
  const m = s.metrics as { messages: { total: number; bytes: number; perPeerPerSecond: number; bytesPerPeerPerSecond: number; byType: Record<string, { count: number; bytes: number }> }; connections: Record<string, number> } & Record<string, unknown>;
  const rows: [string, string][] = [
    ['messages sent', `${m.messages.total} (${m.messages.perPeerPerSecond.toFixed(3)} /peer/s)`],
    ['bytes sent', `${m.messages.bytes} (${m.messages.bytesPerPeerPerSecond.toFixed(1)} B/peer/s)`],
  ];
  for (const [name, f] of Object.entries(m.messages.byType)) rows.push([`  ${name}`, `${f.count} msgs, ${f.bytes} B`]);
  rows.push(['connections', Object.entries(m.connections).map(([k, v]) => `${k}=${v}`).join(' ')]);
  for (const [key, val] of Object.entries(m)) {
    if (key === 'messages' || key === 'connections' || key === 'series' || typeof val !== 'object' || val === null) continue;
    for (const [k, v] of Object.entries(val as Record<string, unknown>)) {
      if (typeof v === 'number') rows.push([`${key}.${k}`, Number.isInteger(v) ? String(v) : v.toFixed(4)]);
    }
  }
  rows.push(['peak RSS', `${(s.peakRssBytes / 2 ** 20).toFixed(0)} MiB`]);
  const w = Math.max(...rows.map((r) => r[0].length));
  const key = keyResultLines(s.metrics);
  const table = rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n');
  // Last, so the scenario's point is on screen when the run ends.
  return key.length > 0 ? `${table}\n\nkey results${s.endReason === 'interrupted' ? ' (partial: interrupted)' : ''}:\n${key.map((l) => `  ${l}`).join('\n')}` : table;
}
