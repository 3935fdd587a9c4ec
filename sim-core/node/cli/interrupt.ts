/** Exit code of a run stopped by SIGINT/SIGTERM (128 + SIGINT), as shells report Ctrl-C. */
export const EXIT_INTERRUPTED = 130;

/** Shows the terminal cursor again (cli-progress hides it while a bar is drawn). */
export function restoreCursor(): void {
  if (process.stderr.isTTY) process.stderr.write('\x1b[?25h');
}

export interface Interrupt {
  /** True once SIGINT or SIGTERM has arrived; the work loop checks it between chunks. */
  readonly requested: boolean;
  readonly signal: NodeJS.Signals | undefined;
  /** Removes the handlers (the default behaviour returns). */
  dispose(): void;
}

/**
 * Turns the first SIGINT/SIGTERM into a flag, so the caller can stop at the
 * next event boundary and keep what it has; `onFirst` runs at once (e.g. to
 * stop a progress bar), then the cursor is shown again. A second signal
 * exits immediately with 130.
 */
export function onInterrupt(onFirst: (signal: NodeJS.Signals) => void = () => {}): Interrupt {
  let signal: NodeJS.Signals | undefined;
  const handler = (sig: NodeJS.Signals) => {
    if (signal !== undefined) {
      restoreCursor();
      process.stderr.write(`\n${sig} again: exiting without writing results\n`);
      process.exit(EXIT_INTERRUPTED);
    }
    signal = sig;
    onFirst(sig);
    restoreCursor();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    get requested() {
      return signal !== undefined;
    },
    get signal() {
      return signal;
    },
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
