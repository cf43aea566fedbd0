#!/usr/bin/env node
// Runs every test file under test/ with node's test runner and tsx. Node 20 does not expand
// globs, so the list is built here; an empty list is a failure, not a green run.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (/\.test\.tsx?$/.test(name)) out.push(path);
  }
  return out;
}

const filter = process.argv.slice(2);
const files = collect('test')
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  {
    stdio: 'inherit',
    // an assistant started by a test is no Ferry device (peers are tested on their own, on loopback)
    env: {
      FERRY_PEERS: 'off',
      FERRY_PEER_HOST: '127.0.0.1',
      FERRY_PEER_PORT: '0',
      FERRY_DISCOVERY: 'off',
      ...process.env,
    },
  },
);
process.exit(result.status ?? 1);
