import { ConnKernel, DEFAULT_CONN_KERNEL, type ConnKernelParams } from './kernel.ts';

export interface ConnKernelRun {
  params: ConnKernelParams;
  traceHash: string;
  events: number;
  stats: ConnKernel['stats'];
  openConnsAtEnd: number;
  cpuS: number;
  wallS: number;
  peakRssBytes: number;
  /** CPU µs per dial (the whole run: engine, peer manager, requests, routing tables). */
  cpuUsPerDial: number;
  cpuNsPerEvent: number;
  eventsPerDial: number;
  findsPerDial: number;
}

/** One kernel run in this process, timed with process CPU time. */
export function runConnKernel(peers: number, durationS: number, seed: string, over: Partial<ConnKernelParams> = {}): ConnKernelRun {
  const params: ConnKernelParams = { ...DEFAULT_CONN_KERNEL, ...over, peers, durationS, seed };
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const k = new ConnKernel(params);
  const traceHash = k.run();
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const cu = process.cpuUsage(c0);
  const cpuS = (cu.user + cu.system) / 1e6;
  const dials = Math.max(1, k.stats.dials);
  return {
    params,
    traceHash,
    events: k.events,
    stats: k.stats,
    openConnsAtEnd: k.openConns,
    cpuS,
    wallS,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    cpuUsPerDial: (cpuS * 1e6) / dials,
    cpuNsPerEvent: (cpuS * 1e9) / Math.max(1, k.events),
    eventsPerDial: k.events / dials,
    findsPerDial: k.stats.byType[5] / dials,
  };
}
