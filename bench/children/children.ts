import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Children of this bench process still running (a bench runs at most a few at once). */
const running = new Set<ChildProcess>();
/** What to undo if the bench is interrupted (temporary folders): run once the children have exited. */
const cleanups = new Set<() => void>();
let handlersInstalled = false;

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * A child that goes down with the bench: a SIGINT, SIGTERM or SIGHUP sent
 * to the bench alone (`kill PID`, a CI step's timeout) is passed on to every
 * tracked child still running; once they have exited (SIGKILL after a grace
 * time, or at a second signal) the `atInterrupt` cleanups run and the bench
 * exits with 128 + the signal's number. Without it, a bench killed by its
 * pid left its `peermap run` child using a core until that run ended (Ctrl-C
 * in a terminal already reaches the whole process group). Wraps `spawn(…)`'s
 * result, so its stream types stay those of the stdio asked for.
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

/**
 * Runs a tracked child to its end and resolves with its standard output;
 * rejects (with the end of its standard error) if it exits other than with
 * code 0. The async twin of `execFileSync(…, { encoding: 'utf8' })`, which
 * blocks the event loop: a signal to the bench is then never seen.
 */
export function childOutput(cmd: string, args: readonly string[], opts: SpawnOptions = {}): Promise<string> {
  return new Promise((done, fail) => {
    const child = tracked(spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] }));
    const out: string[] = [];
    let outChars = 0;
    let err = '';
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (s: string) => {
      outChars += s.length;
      if (outChars > STDOUT_MAX_CHARS) child.kill('SIGKILL'); // fails below: the output is cut
      else out.push(s);
    });
    // Only its end: a failing child's last lines say why; the rest is bounded away.
    child.stderr!.on('data', (s: string) => (err = (err + s).slice(-STDERR_KEPT_CHARS)));
    child.once('error', fail);
    child.once('close', (code, signal) => {
      if (outChars > STDOUT_MAX_CHARS) return fail(new Error(`${cmd} ${args.join(' ')} wrote more than ${STDOUT_MAX_CHARS} characters to its standard output`));
      if (code === 0) return done(out.join(''));
      fail(new Error(`${cmd} ${args.join(' ')} ended with ${code ?? signal}${err ? `:\n${err.trimEnd()}` : ''}`));
    });
  });
}

/** Characters of a failing child's standard error kept for its error message. */
const STDERR_KEPT_CHARS = 4000;
/** Standard output childOutput keeps (a bench child prints a JSON line or a few): more is an error. */
const STDOUT_MAX_CHARS = 16 * 1024 * 1024;

/**
 * `cleanup` runs if the bench is interrupted (after its children were
 * signalled, before it exits): a `finally` block does not, since the exit
 * is immediate. Returns the function that unregisters it (call it from
 * that `finally`, once the cleanup has run the normal way).
 */
export function atInterrupt(cleanup: () => void): () => void {
  installHandlers();
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/**
 * A fresh temporary folder under the OS's, removed by `remove()` (call it
 * from a `finally`) or, if the bench is interrupted first, once its
 * children have exited.
 */
export function tempFolder(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  const rm = () => rmSync(path, { recursive: true, force: true });
  const forget = atInterrupt(rm);
  return {
    path,
    remove: () => {
      forget();
      rm();
    },
  };
}

/** How long an interrupted bench waits for its children to stop on their own (a run writes its files on the way out) before SIGKILL. */
const CHILD_STOP_GRACE_MS = 30_000;
let stopping = false;

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const signal of SIGNALS) {
    process.on(signal, () => {
      // A second signal while the children stop: no more waiting.
      if (stopping) {
        for (const child of running) child.kill('SIGKILL');
        return;
      }
      stopping = true;
      for (const child of running) child.kill(signal);
      // Cleanups after the children are gone: a child still writing into a temporary folder would bring it back.
      void childrenGone().then(() => {
        runCleanups(signal);
        process.exit(128 + constants.signals[signal]);
      });
    });
  }
}

/** Resolves once every tracked child has exited, or at the grace time, SIGKILLing those still running then. */
async function childrenGone(): Promise<void> {
  // A child leaves `running` at its exit (or error): those left have not exited yet.
  const exits = [...running].map((c) => Promise.race([once(c, 'exit'), once(c, 'error')]));
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((done) => (timer = setTimeout(done, CHILD_STOP_GRACE_MS)));
  await Promise.race([Promise.all(exits), grace]);
  clearTimeout(timer);
  for (const child of running) child.kill('SIGKILL');
}

function runCleanups(signal: NodeJS.Signals): void {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch (e) {
      console.error(`cleanup after ${signal} failed: ${(e as Error).message}`);
    }
  }
}
