/**
 * `npm run bench [-- add sync transfer drives ui ssh cloud peers]`: Ferry beside git-annex on the same data, JSON on stdout.
 * Nothing here is asserted; the numbers are for people and for issue notes.
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

const suites: Record<string, () => Promise<Record<string, unknown>>> = {
  add: benchAdd,
  sync: benchSync,
  transfer: benchTransfer,
  drives: benchDrives,
  ui: benchUi,
  ssh: benchSsh,
  cloud: benchCloud,
  peers: benchPeers,
};
const chosen = process.argv.slice(2).filter((a) => a in suites);
const results: Record<string, unknown> = {
  machine: { cpus: cpus().length, node: process.version },
};
for (const name of chosen.length > 0 ? chosen : Object.keys(suites)) {
  process.stderr.write(`bench ${name}...\n`);
  results[name] = await (suites[name] as () => Promise<Record<string, unknown>>)();
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
