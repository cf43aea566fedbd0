#!/usr/bin/env node
// `npm start`: the desktop app where Electron is installed, otherwise the headless assistant.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function electronBinary() {
  const dir = join(root, 'node_modules', 'electron');
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const bin = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : undefined;
}

const electron = process.env.FERRY_HEADLESS ? undefined : electronBinary();
if (electron && existsSync(join(root, 'out', 'main', 'index.js'))) {
  const child = spawn(electron, [root], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  const why = electron ? 'the desktop app is not built yet' : 'Electron is not installed here';
  // npm runs scripts in the package folder; INIT_CWD is where `npm start` was typed
  const cwd = process.env.INIT_CWD ?? process.cwd();
  // tsx is a development dependency: without it, the bundled `ferry webapp` serves the same window
  const tsx = await import('tsx/esm/api').catch(() => undefined);
  if (tsx) {
    tsx.register();
    const { runHeadless } = await import('../src/cli/headless.ts');
    process.exitCode = await runHeadless(cwd, why);
  } else {
    console.log(`Ferry (headless: ${why})`);
    const child = spawn(process.execPath, [join(root, 'out', 'cli', 'ferry.mjs'), 'webapp'], {
      cwd,
      stdio: 'inherit',
    });
    child.on('exit', (code) => process.exit(code ?? 0));
  }
}
