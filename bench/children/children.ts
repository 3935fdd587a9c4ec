import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { constants } from 'node:os';

/** Children of this bench process still running (a bench runs at most a few at once). */
const running = new Set<ChildProcess>();
let handlersInstalled = false;

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * A child that goes down with the bench: a SIGINT, SIGTERM or SIGHUP sent
 * to the bench alone (`kill PID`, a CI step's timeout) is passed on to every
 * tracked child still running, then the bench exits with 128 + the signal's
 * number. Without it, a bench killed by its pid left its `peermap run` child
 * using a core until that run ended (Ctrl-C in a terminal already reaches
 * the whole process group). Wraps `spawn(…)`'s result, so its stream types
 * stay those of the stdio asked for.
 */
export function tracked<C extends ChildProcess>(child: C): C {
  installHandlers();
  running.add(child);
  child.once('exit', () => running.delete(child));
  child.once('error', () => running.delete(child));
  return child;
}

/** Runs a tracked child to its end (stdio as given); resolves with its exit code, or null and the signal that ended it. */
export function runChild(cmd: string, args: readonly string[], opts: SpawnOptions): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((done, fail) => {
    const child = tracked(spawn(cmd, args, opts));
    child.once('error', fail);
    child.once('exit', (code, signal) => done({ code, signal }));
  });
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const signal of SIGNALS) {
    process.on(signal, () => {
      for (const child of running) child.kill(signal);
      process.exit(128 + constants.signals[signal]);
    });
  }
}
