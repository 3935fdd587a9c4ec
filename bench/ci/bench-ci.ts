/**
 * The CI regression bench: `npm run bench:ci` (compare with
 * results/baseline-ci.json, exit 1 with a diff on a change) and
 * `npm run bench:ci -- --update` (rewrite the baseline). The suite is
 * bench/ci/suite.yaml; the logic is in sim-core/node/bench-ci/.
 */
import { benchCiMain } from '../../sim-core/node/bench-ci/command.ts';

process.exitCode = await benchCiMain(process.argv.slice(2));
