import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem, platform, arch } from 'node:os';

/** Peak resident set size of this process so far, bytes. */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * CPU seconds used so far by the calling thread (user + system), from
 * /proc/thread-self/stat; null where that does not exist (not Linux). A
 * pool worker's own time, which process.cpuUsage() (whole process) is not.
 * Resolution: one clock tick (10 ms).
 */
export function threadCpuSeconds(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]);
    return Number.isFinite(ticks) ? ticks / CLOCK_TICKS_PER_SECOND : null;
  } catch {
    return null;
  }
}

/** Linux's USER_HZ, 100 on every architecture Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;

/** The git commit of the working tree (with "-dirty" when it has changes), or "unknown". */
export function gitCommit(cwd = process.cwd()): string {
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    return dirty ? `${sha}-dirty` : sha;
  } catch {
    return 'unknown';
  }
}

export function machineInfo() {
  const c = cpus();
  return {
    cpuModel: c[0]?.model ?? 'unknown',
    cpus: c.length,
    memoryBytes: totalmem(),
    platform: platform(),
    arch: arch(),
    node: process.version,
  };
}
