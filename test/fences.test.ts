/**
 * The fences of ARCHITECTURE.md, each shown to hold by an example that breaks it: the import
 * rules of eslint.config.js (electron only in the shell's one file and the preload,
 * isomorphic-git only in engine/git, no Node in the renderer, the engine never importing UI
 * code), and the command contract (every command named once, with a handler, an argument check
 * and payloads that survive structuredClone).
 */
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { Engine } from '../src/engine/engine';
import { parcelWatch } from '../src/engine/sync/watcher';
import { COMMAND_NAMES, type CommandTable } from '../src/shared/ipc';
import { commandArgsProblem } from '../src/shared/validate';
import { ferryRepository, tempDir } from './helpers/repos';

type FlatConfig = { files?: string[]; rules?: Record<string, unknown> };

const config = (
  (await import(pathToFileURL(resolve('eslint.config.js')).href)) as { default: FlatConfig[] }
).default;

/** Only the import fences of our ESLint configuration, without type information. */
function fenceLinter(): { verify(code: string, file: string): string[] } {
  const fences = config
    .filter((c) => c.rules && 'no-restricted-imports' in c.rules)
    .map((c) => ({
      files: c.files,
      rules: { 'no-restricted-imports': c.rules?.['no-restricted-imports'] },
    }));
  const linter = new Linter({ configType: 'flat', cwd: process.cwd() });
  const all = [
    { files: ['**/*.ts', '**/*.tsx'], languageOptions: { parser: tseslint.parser } },
    ...fences,
  ];
  return {
    verify: (code, file) =>
      linter
        .verify(code, all as Linter.Config[], { filename: join(process.cwd(), file) })
        .map((m) => m.message),
  };
}

describe('the fences', () => {
  const lint = fenceLinter();

  const broken: [string, string, RegExp][] = [
    ["import { app } from 'electron';", 'src/engine/engine.ts', /never|Only src\/main/],
    ["import { app } from 'electron';", 'src/cli/commands.ts', /Only src\/main/],
    ["import { app } from 'electron';", 'src/main/shell.ts', /Only src\/main/],
    ["import { app } from 'electron';", 'src/renderer/app.tsx', /Only src\/main/],
    ["import git from 'isomorphic-git';", 'src/engine/annex/worktree.ts', /engine\/git/],
    ["import git from 'isomorphic-git';", 'src/engine/sync/sync.ts', /engine\/git/],
    ["import git from 'isomorphic-git';", 'src/cli/commands.ts', /engine\/git/],
    ["import { readFileSync } from 'node:fs';", 'src/renderer/store.ts', /Node builtins/],
    ["import { Engine } from '../engine/engine';", 'src/renderer/app.tsx', /shared contract/],
    ["import { x } from '../cli/commands';", 'src/engine/engine.ts', /only shared/],
    ["import { x } from '../engine/errors';", 'src/shared/ipc.ts', /imports nothing/],
    ["import { addPaths } from '../engine/annex/add';", 'src/cli/commands.ts', /public surface/],
    ["import { Engine } from '../engine/engine';", 'src/main/electron-app.ts', /public surface/],
  ];
  for (const [code, file, why] of broken) {
    it(`refuses ${code} in ${file}`, () => {
      const messages = lint.verify(code, file);
      assert.ok(
        messages.some((m) => why.test(m)),
        messages.join('\n') || 'no message',
      );
    });
  }

  const allowed: [string, string][] = [
    ["import git from 'isomorphic-git';", 'src/engine/git/read.ts'],
    ["import { app } from 'electron';", 'src/main/electron-app.ts'],
    ["import { contextBridge } from 'electron';", 'src/preload/index.ts'],
    ["import { COMMAND_NAMES } from '../shared/ipc';", 'src/renderer/ws-api.ts'],
    ["import { Engine } from '../engine';", 'src/cli/commands.ts'],
  ];
  for (const [code, file] of allowed) {
    it(`allows ${code} in ${file}`, () => assert.deepEqual(lint.verify(code, file), []));
  }

  it('names every command exactly once (a missing one does not compile)', () => {
    // @ts-expect-error a command of the contract is missing from the table
    const incomplete: CommandTable = { snapshot: true };
    assert.ok(incomplete);
    assert.equal(new Set(COMMAND_NAMES).size, COMMAND_NAMES.length);
  });
});

describe('the command contract', () => {
  const tmp = tempDir();
  let engine: Engine | undefined;
  after(async () => {
    await engine?.stop();
    tmp.cleanup();
  });

  it('has a handler and an argument check for every command, and payloads survive structuredClone', async () => {
    const repo = await ferryRepository(join(tmp.path, 'A'), 'laptop', { 'a.txt': 'a\n' });
    engine = new Engine({
      folders: [repo],
      stateDir: join(tmp.path, 'state'),
      watch: parcelWatch,
      log: () => undefined,
    });
    await engine.start();
    const handlers = engine.handlers();
    assert.deepEqual(Object.keys(handlers).sort(), [...COMMAND_NAMES].sort());
    for (const name of COMMAND_NAMES) {
      assert.equal(typeof handlers[name], 'function', name);
      // a check exists: a wrong argument type is always refused
      assert.ok(commandArgsProblem(name, 42), `${name} refuses a number as its arguments`);
    }
    const snapshot = await handlers.snapshot();
    assert.deepEqual(structuredClone(snapshot), snapshot);
    assert.ok(snapshot.repositories.length === 1);
    const list = await handlers.listRepositories();
    assert.deepEqual(structuredClone(list), list);
  });
});
