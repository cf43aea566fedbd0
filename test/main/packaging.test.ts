/**
 * electron-builder.yml, checked the way CI can: Electron cannot be downloaded here, so a stub
 * Electron distribution stands in (electronDist) and electron-builder packs the real app around
 * it. The configuration must load (it is validated for every platform's section), and the app
 * archive must hold the built main process, preload, renderer and tray icons, the runtime
 * dependencies and none of the development ones.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { tempDir } from '../helpers/repos';

const require = createRequire(import.meta.url);
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const asar = require('@electron/asar') as { listPackage(path: string): string[] };

describe('packaging with electron-builder', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('packs the built app for Linux around a stub Electron', () => {
    const dist = join(tmp.path, 'electron-dist');
    mkdirSync(dist);
    // Electron's fuse wire as a real binary carries it: sentinel, version 1, 8 fuses at their
    // defaults (run as node, no cookie encryption, NODE_OPTIONS, --inspect, no asar checks,
    // not only the asar, the shared snapshot, file:// privileges).
    const wire = Buffer.concat([
      Buffer.from(FUSE_SENTINEL, 'latin1'),
      Buffer.from([1, 8]),
      Buffer.from('10110001', 'latin1'),
    ]);
    writeFileSync(
      join(dist, 'electron'),
      Buffer.concat([
        Buffer.from('#!/bin/sh\necho "stub Electron"\nexit 0\n# '),
        wire,
        Buffer.from('\n'),
      ]),
    );
    chmodSync(join(dist, 'electron'), 0o755);
    const out = join(tmp.path, 'packed');
    const r = spawnSync(
      process.execPath,
      [
        join('node_modules', 'electron-builder', 'cli.js'),
        '--linux',
        'dir',
        '--publish',
        'never',
        `-c.electronDist=${dist}`,
        '-c.electronVersion=45.5.0',
        `-c.directories.output=${out}`,
      ],
      { encoding: 'utf8', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } },
    );
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout + r.stderr, /loaded configuration\s+file=.*electron-builder\.yml/);
    const app = join(out, 'linux-unpacked');
    assert.ok(existsSync(join(app, 'ferry')), 'the executable is named after the product');
    const packed = readFileSync(join(app, 'ferry'));
    const at = packed.indexOf(FUSE_SENTINEL) + FUSE_SENTINEL.length;
    assert.equal(
      packed.toString('latin1', at + 2, at + 10),
      // run as node off, cookie encryption on, NODE_OPTIONS off, --inspect off, asar integrity
      // on, only the asar on, the snapshot as it was, file:// privileges kept
      '01001101',
      'the build flips Electron fuses',
    );
    const files = new Set(asar.listPackage(join(app, 'resources', 'app.asar')));
    for (const f of [
      '/out/main/index.js',
      '/out/preload/index.cjs',
      '/out/renderer/index.html',
      '/assets/tray/idle.png',
      '/assets/tray/syncingTemplate.png',
      '/assets/tray/error@2x.png',
      '/node_modules/react/package.json',
      '/node_modules/dbus-next/package.json',
    ])
      assert.ok(files.has(f), `${f} is packed`);
    for (const dev of [
      'vite',
      'playwright-core',
      'jsdom',
      'typescript',
      'electron',
      'tsx',
      'esbuild',
    ])
      assert.ok(!files.has(`/node_modules/${dev}/package.json`), `${dev} is not packed`);
    assert.ok(![...files].some((f) => f.startsWith('/src/') || f.startsWith('/test/')));
    // dbus-next's xml2js is forced past CVE-2023-0842 (fixed in 0.5)
    const xml2js = [
      '/node_modules/xml2js/package.json',
      '/node_modules/dbus-next/node_modules/xml2js/package.json',
    ].find((f) => files.has(f));
    assert.ok(xml2js, 'xml2js is packed');
    const version = (JSON.parse(readFileSync(join('.', xml2js), 'utf8')) as { version: string })
      .version;
    const [major = 0, minor = 0] = version.split('.').map(Number);
    assert.ok(major > 0 || minor >= 5, `xml2js ${version} is 0.5 or newer`);
    assert.ok(
      existsSync(join(app, 'resources', 'app.asar.unpacked', 'node_modules', 'koffi')),
      'koffi (a native module) is unpacked from the archive',
    );
  });
});
