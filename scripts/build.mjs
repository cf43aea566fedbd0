#!/usr/bin/env node
// Bundles the Node entry points with esbuild: the `ferry` CLI (so it starts without the tsx
// loader, about 45 MB less memory), the Electron main process and the preload; and the React
// renderer with Vite (its JS API) into out/renderer, which the desktop window and the headless
// web UI both load.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

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

let vite;
try {
  vite = {
    build: (await import('vite')).build,
    react: (await import('@vitejs/plugin-react')).default,
  };
} catch {
  // an install without dev dependencies: keep the renderer that was built before, if any
  console.warn('vite is not installed: the window and the web UI are not rebuilt');
}
await vite?.build({
  root: `${root}src/renderer`,
  base: './',
  configFile: false,
  logLevel: 'warn',
  plugins: [vite.react()],
  build: {
    outDir: `${root}out/renderer`,
    emptyOutDir: true,
    sourcemap: true,
    target: 'chrome120',
  },
});
