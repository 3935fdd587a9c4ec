import type { HostSpeed } from './host-speed.ts';

/** What a convergence row says of the host it ran on. */
export interface HostOfRow {
  wallSeconds: number;
  hostSpeed?: HostSpeed;
  /** The CPU the row ran on (rows written before it was recorded: the result file's machine). */
  cpuModel?: string;
}

/**
 * The line that tells a slower run on a slower host from a slower commit:
 * the wall ratio divided by the host probe's memory ratio — only between
 * rows of the same CPU model. Across CPU types the probe misleads (an AMD
 * EPYC VM loaded its 128 MiB chain faster than an Intel Xeon VM yet ran the
 * same traces 1.45–1.9× slower), so it says that instead of a guide.
 */
export function hostGuide(strategy: string, now: HostOfRow, prev: HostOfRow | undefined): string | undefined {
  if (prev === undefined || now.hostSpeed === undefined || prev.hostSpeed === undefined) return undefined;
  if (now.cpuModel === undefined || now.cpuModel !== prev.cpuModel) {
    return `  ${strategy}: the previous row ran on ${prev.cpuModel ?? 'an unrecorded CPU'}, this one on ${now.cpuModel ?? 'an unrecorded CPU'}: the wall ratio compares two CPU types, and the host probe is no guide between them`;
  }
  const hostRatio = now.hostSpeed.memoryNsPerLoad / prev.hostSpeed.memoryNsPerLoad;
  const guide = now.wallSeconds / prev.wallSeconds / hostRatio;
  return `  ${strategy} wall ÷ host memory ratio: ×${guide.toFixed(3)} (a rough guide on one CPU model: the simulator mostly waits on memory)`;
}
