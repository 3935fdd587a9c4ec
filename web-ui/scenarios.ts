/** The scenario files bundled into the app (raw YAML text): the repository's scenarios/ plus the dashboard's own. */
const repo = import.meta.glob('../scenarios/*.yaml', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
const own = import.meta.glob('./scenarios/*.yaml', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

export interface BundledScenario {
  /** File name without .yaml. */
  key: string;
  file: string;
  text: string;
}

function list(files: Record<string, string>): BundledScenario[] {
  return Object.entries(files).map(([path, text]) => {
    const file = path.split('/').pop()!;
    return { key: file.replace(/\.yaml$/, ''), file, text };
  });
}

export const SCENARIOS: BundledScenario[] = [...list(repo), ...list(own)].sort((a, b) => (a.key === 'classroom' ? -1 : b.key === 'classroom' ? 1 : a.key.localeCompare(b.key)));

export function findScenario(key: string | null | undefined): BundledScenario | undefined {
  return SCENARIOS.find((s) => s.key === key);
}
