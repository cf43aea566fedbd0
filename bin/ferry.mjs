#!/usr/bin/env node
// The `ferry` command. Runs the bundle in out/cli when it is newer than every source file
// (`npm install` builds it), otherwise the TypeScript sources through tsx, so a checkout being
// edited always runs what is in src/.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// More threads for the many small directory operations of a big add (before any I/O starts).
process.env.UV_THREADPOOL_SIZE ??= '8';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'out', 'cli', 'ferry.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function isBundleFresh() {
  try {
    return statSync(bundle).mtimeMs >= newestSource(join(root, 'src'));
  } catch {
    return false;
  }
}

// tsx is a development dependency: an install without it runs the bundle it shipped with.
const tsx = isBundleFresh() ? undefined : await import('tsx/esm/api').catch(() => undefined);
if (!tsx) {
  await import(pathToFileURL(bundle).href);
} else {
  tsx.register();
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(process.argv.slice(2));
}
