#!/usr/bin/env node
// Bundles the Node entry points with esbuild: the `ferry` CLI (so it starts without the tsx
// loader, about 45 MB less memory), the Electron main process and the preload.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
};

await Promise.all([
  build({
    ...common,
    entryPoints: ['src/cli/entry.ts'],
    outfile: 'out/cli/ferry.mjs',
    format: 'esm',
  }),
  build({
    ...common,
    entryPoints: ['src/main/index.ts'],
    outfile: 'out/main/index.js',
    format: 'esm',
    external: ['electron'],
  }),
  build({
    ...common,
    entryPoints: ['src/preload/index.ts'],
    outfile: 'out/preload/index.cjs',
    format: 'cjs',
    external: ['electron'],
  }),
]);
