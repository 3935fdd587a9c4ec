/** One problem found in a scenario, with the field it concerns. */
export interface ScenarioProblem {
  /** Dotted field path, e.g. `peers.count` (empty for the whole file). */
  readonly path: string;
  /** What was found there, as JSON text (undefined when the field is missing). */
  readonly got: string | undefined;
  /** What is allowed. */
  readonly allowed: string;
  /** 1-based line in the file, when known. */
  readonly line?: number;
}

/** A scenario that cannot be parsed or does not satisfy the schema. */
export class ScenarioError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly ScenarioProblem[],
  ) {
    super(formatProblems(source, problems));
    this.name = 'ScenarioError';
  }
}

export function formatProblems(source: string, problems: readonly ScenarioProblem[]): string {
  const lines = problems.map((p) => {
    const where = p.line !== undefined ? `${source}:${p.line}: ` : `${source}: `;
    // A problem of the file as a whole (YAML syntax, size): the message alone.
    if (p.path === '' && p.got === undefined) return `${where}${p.allowed}`;
    const field = p.path === '' ? '(file)' : p.path;
    const got = p.got === undefined ? 'missing' : `got ${p.got}`;
    return `${where}${field}: ${got}; ${p.allowed}`;
  });
  const n = problems.length;
  return `invalid scenario ${source} (${n} problem${n === 1 ? '' : 's'}):\n  ` + lines.join('\n  ');
}
