#!/usr/bin/env node
// The `ferry` command: runs the TypeScript CLI through tsx, so a checkout works right after npm install.
import { register } from 'tsx/esm/api';

// More threads for the many small directory operations of a big add (before any I/O starts).
process.env.UV_THREADPOOL_SIZE ??= '8';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
