/**
 * The renderer is type-checked without Node: with the renderer's tsconfig (and every dependency
 * the renderer's files pull in), a file using `process`, `Buffer` or `require` does not compile.
 * A dependency whose types reference Node would make these names resolve, and this test fail.
 */
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

describe("the renderer's types", () => {
  it('know no Node globals, with every renderer file and its dependencies in the program', () => {
    const configPath = resolve('tsconfig.web.json');
    const read = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, resolve('.'));
    const fixture = join(resolve('src', 'renderer'), '__node_fence__.ts');
    const text = [
      'export const home = process.env.HOME;',
      "export const bytes = Buffer.from('x');",
      "export const fs = require('fs');",
    ].join('\n');
    const host = ts.createCompilerHost(parsed.options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, version, onError, create) =>
      resolve(name) === fixture
        ? ts.createSourceFile(name, text, version)
        : getSourceFile(name, version, onError, create);
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => resolve(name) === fixture || fileExists(name);
    const program = ts.createProgram([...parsed.fileNames, fixture], parsed.options, host);
    const source = program.getSourceFile(fixture);
    assert.ok(source, 'the fixture is in the program');
    const messages = program
      .getSemanticDiagnostics(source)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    for (const name of ['process', 'Buffer', 'require'])
      assert.ok(
        messages.some((m) => m.includes(`Cannot find name '${name}'`)),
        `${name} is unknown to the renderer:\n${messages.join('\n')}`,
      );
    // and the renderer's own files compile as they are
    const own = program
      .getSemanticDiagnostics()
      .filter((d) => d.file && resolve(d.file.fileName) !== fixture);
    assert.deepEqual(
      own.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')),
      [],
    );
  });
});
