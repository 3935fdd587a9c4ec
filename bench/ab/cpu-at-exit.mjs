// Preloaded (node --import) into each side of an A/B round, which runs the
// checkout's own bin/peermap.mjs: at exit, writes this process's CPU time to
// the file named by PEERMAP_AB_CPU_FILE.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const cpu = process.cpuUsage();
  writeFileSync(process.env.PEERMAP_AB_CPU_FILE, JSON.stringify({ userUs: cpu.user, systemUs: cpu.system }));
});
