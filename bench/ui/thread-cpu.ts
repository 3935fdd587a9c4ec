import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time (user + system, ms) of Chromium's renderer processes, per thread
 * name, read from /proc (Linux; an empty map elsewhere). Unlike a frame rate,
 * CPU per painted frame hardly depends on what else the machine runs: the
 * bench records it next to the fps. `marker`: a string of the processes'
 * command line (the bench's profile folder).
 */
export function rendererThreadCpuMs(marker: string): Map<string, number> {
  const out = new Map<string, number>();
  /** Clock ticks per second on Linux (USER_HZ). */
  const msPerTick = 10;
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const pid of pids) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes(marker) || !cmd.includes('--type=renderer')) continue;
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const st = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        // The main thread bears the process's name; pool threads are numbered.
        const comm = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'));
        const name = tid === pid ? 'main' : comm.replace(/\d+$/, '');
        const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
        out.set(name, (out.get(name) ?? 0) + (Number(f[11]) + Number(f[12])) * msPerTick);
      }
    } catch {
      // the process or thread went away
    }
  }
  return out;
}

/** CPU ms per painted frame per thread between two readings (threads that used none left out). */
export function cpuPerFrame(before: Map<string, number>, after: Map<string, number>, frames: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of after) {
    const d = v - (before.get(k) ?? 0);
    if (d > 0 && frames > 0) out[k] = Math.round((d / frames) * 100) / 100;
  }
  return out;
}
