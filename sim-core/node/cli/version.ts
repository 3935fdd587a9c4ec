import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gitCommit } from '../machine.ts';

/** "0.1.0 (commit 1a2b3c4d5e6f)" from package.json and, in a git checkout, the commit of the installed copy. */
export function versionText(): string {
  let version = '?';
  try {
    version = (createRequire(import.meta.url)('../../../package.json') as { version?: string }).version ?? '?';
  } catch {
    // A copy without package.json still answers.
  }
  const root = dirname(dirname(dirname(dirname(fileURLToPath(import.meta.url)))));
  const commit = gitCommit(root);
  return commit === 'unknown' ? version : `${version} (commit ${commit.slice(0, 12)}${commit.endsWith('-dirty') ? '-dirty' : ''})`;
}
