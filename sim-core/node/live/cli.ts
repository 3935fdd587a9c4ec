import type { Command } from 'commander';
import { collectSet } from '../cli/sets.ts';
import { compareLiveCommand } from './compare-live.ts';
import { liveCommand } from './live-command.ts';

type ArgParser = (name: string) => (v: string) => number;

/** `peermap live` and `peermap compare-live` (kept here so the CLI's main file gains one line). */
export function addLiveCommands(program: Command, parseIntArg: ArgParser, parseNumberArg: ArgParser): void {
  program
    .command('live')
    .description('Run a scenario\'s peers on real TCP sockets on 127.0.0.1 (wall-clock time, real Ed25519); write DIR/summary.json with "mode": "live"')
    .argument('<file>', 'scenario file (YAML)')
    .option('--peers <n>', 'number of peers (overrides peers.count)', parseIntArg('--peers'))
    .option('--duration <seconds>', 'wall-clock seconds (overrides durationS)', parseNumberArg('--duration'))
    .option('--seed <n>', 'master seed (overrides the file)', parseIntArg('--seed'))
    .option('--set <path=value>', 'override a scenario field before validation (value is YAML; repeatable)', collectSet)
    .option('--latency', "add the scenario's per-pair one-way delay to every chunk", false)
    .option('--workers <k>', 'spread the peers over K worker threads, each its own event loop (default 1)', parseIntArg('--workers'), 1)
    .option('--out <dir>', 'output folder (default: a new folder results/live/<scenario>-<yyyymmdd-hhmmss>)')
    .option('--force', 'write into --out even if it already holds results (they are replaced)', false)
    .option('--quiet', 'only the final lines', false)
    .action(async (file: string, opts) => {
      process.exitCode = await liveCommand(file, opts);
    });

  program
    .command('compare-live')
    .description('Simulate a scenario and run it live; print the metrics side by side with their differences and tolerances')
    .argument('<file>', 'scenario file (YAML)')
    .option('--peers <n>', 'number of peers (overrides peers.count)', parseIntArg('--peers'))
    .option('--duration <seconds>', 'seconds, simulated and wall-clock (overrides durationS)', parseNumberArg('--duration'))
    .option('--seed <n>', 'master seed (overrides the file)', parseIntArg('--seed'))
    .option('--set <path=value>', 'override a scenario field before validation (value is YAML; repeatable)', collectSet)
    .option('--no-latency', "live: loopback as is, without the scenario's per-pair one-way delay")
    .option('--workers <k>', 'live: spread the peers over K worker threads, each its own event loop (default 1)', parseIntArg('--workers'), 1)
    .option('--out <dir>', 'output folder (default: a new folder results/live/<scenario>-compare-<yyyymmdd-hhmmss>)')
    .option('--force', 'write into --out even if it already holds results (they are replaced)', false)
    .action(async (file: string, opts) => {
      process.exitCode = await compareLiveCommand(file, opts);
    });
}
