// One side of an A/B round: runs the CLI of the checkout in argv[2] (through
// tsx, as its bin/peermap.mjs does) with the arguments after it, then writes
// this process's CPU time to the file named by PEERMAP_AB_CPU_FILE.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = resolve(process.argv[2]);
const { main } = await tsImport(pathToFileURL(resolve(root, 'sim-core/node/cli/main.ts')).href, import.meta.url);
const code = await main([process.argv[0], resolve(root, 'bin/peermap.mjs'), ...process.argv.slice(3)]);
const cpu = process.cpuUsage();
writeFileSync(process.env.PEERMAP_AB_CPU_FILE, JSON.stringify({ userUs: cpu.user, systemUs: cpu.system }));
process.exitCode = code;
