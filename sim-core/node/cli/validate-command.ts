import { ScenarioError } from '../../scenario/errors.ts';
import { loadScenarioFile } from '../files.ts';

export function validateCommand(file: string): number {
  try {
    const s = loadScenarioFile(file);
    console.log(`${file}: valid (${s.name}: ${s.peers.count} peers, ${s.durationS} s, protocol ${s.protocol.kind})`);
    return 0;
  } catch (e) {
    if (e instanceof ScenarioError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
}
