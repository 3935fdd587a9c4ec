/**
 * NODE-ONLY TOOL (uses node:fs; not part of the simulation).
 * Regenerates sim-core/net/geo/data/wondernetwork-2018-{cities,pairs}.gen.ts from the
 * committed CSVs, so the simulation can load the dataset without fs:
 *
 *   node bin/tsx-run.mjs sim-core/node/tools/build-geo-data.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CITIES_MODULE, PAIRS_MODULE, renderModules } from './geo-data-build.ts';

const dataDir = join(dirname(fileURLToPath(import.meta.url)), '../../net/geo/data');
const csvDir = join(dataDir, 'wondernetwork-2018');

const { cities, pairs, bytes } = renderModules(readFileSync(join(csvDir, 'cities.csv'), 'utf8'), readFileSync(join(csvDir, 'pings.csv'), 'utf8'));
for (const [name, text] of [[CITIES_MODULE, cities], [PAIRS_MODULE, pairs]]) {
  const out = join(dataDir, name);
  writeFileSync(out, text);
  console.log(`wrote ${relative(process.cwd(), out)}: ${text.length} chars`);
}
console.log(`(${bytes} bytes of pair data)`);
