import { describeLatencyConfig } from '../../scenario/build.ts';
import type { Scenario } from '../../scenario/schema/index.ts';
import type { RunSummary } from './run-command.ts';

/** The run header: the scenario with every derived option, so a run can be reproduced from its log. */
export function describeScenario(s: Scenario): string {
  const { kind, ...proto } = s.protocol;
  const latency = describeLatencyConfig(s.network.latency);
  return [
    `peermap run ${s.name}: seed ${s.seed}, ${s.peers.count} peers joining over ${s.peers.joinOverS} s, ${s.durationS} simulated s`,
    `  network: latency ${latency}; dial timeout ${s.network.dialTimeoutS} s`,
    `  protocol: ${kind} ${Object.entries(proto).map(([k, v]) => `${k}=${v}`).join(' ')}`,
    `  limits: maxEvents=${s.limits.maxEvents} maxPendingEvents=${s.limits.maxPendingEvents}; sample every ${s.metrics.sampleEveryS} s`,
  ].join('\n');
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
  return rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n');
}
