/**
 * Command-line checks shared by the benches that run `peermap run` in a
 * child process with the arguments given after `--` (bench:profile,
 * bench:ab): each returns what is wrong, or undefined.
 */

/** `--save NAME` names a results file: lowercase letters, digits and dashes. */
export function saveNameProblem(name: string | undefined): string | undefined {
  if (name === undefined || /^[a-z0-9][a-z0-9-]{0,63}$/.test(name)) return undefined;
  return `--save: lowercase letters, digits and dashes, got "${name}"`;
}

/** The peermap command after `--`: `run SCENARIO [flags]`, without --out or --force (the bench sets them: each run writes to a temporary folder). */
export function runArgsProblem(args: readonly string[], bench: string): string | undefined {
  if (args[0] !== 'run' || args.length < 2) return 'give the peermap command after --: run SCENARIO [flags]';
  if (args.some((a) => a === '--out' || a.startsWith('--out=') || a === '--force')) return `--out and --force are set by ${bench} (each run writes to a temporary folder)`;
  return undefined;
}
