/**
 * `npm run bench [-- add sync transfer drives ui ssh cloud peers storm] [--quick]`: Ferry beside
 * git-annex (or the limit: git, cp, sha256sum, raw TLS) on the same data in the same rounds,
 * JSON on stdout. `--quick` runs add, transfer and sync on small data (under two minutes) to
 * check a change. Nothing here is asserted; the numbers are for people and for issue notes.
 */
import { cpus } from 'node:os';
import { benchAdd } from './add';
import { benchDrives } from './drives';
import { benchUi } from './ui';
import { benchSync } from './sync';
import { benchTransfer } from './transfer';
import { benchSsh } from './ssh';
import { benchCloud } from './cloud';
import { benchPeers } from './peers';
import { benchStorm } from './storm';
import { quick, roundCount } from './rounds';

const suites: Record<string, () => Promise<Record<string, unknown>>> = {
  add: benchAdd,
  sync: benchSync,
  transfer: benchTransfer,
  drives: benchDrives,
  ui: benchUi,
  ssh: benchSsh,
  cloud: benchCloud,
  peers: benchPeers,
  storm: benchStorm,
};
const chosen = process.argv.slice(2).filter((a) => a in suites);
const results: Record<string, unknown> = {
  machine: { cpus: cpus().length, node: process.version },
  rounds: roundCount,
  quick,
};
const started = Date.now();
const defaults = quick ? ['add', 'transfer', 'sync'] : Object.keys(suites);
for (const name of chosen.length > 0 ? chosen : defaults) {
  process.stderr.write(`bench ${name}...\n`);
  results[name] = await (suites[name] as () => Promise<Record<string, unknown>>)();
}
results.wallSeconds = Math.round((Date.now() - started) / 1000);
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
