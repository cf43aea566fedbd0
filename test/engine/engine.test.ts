/**
 * The engine's commands on real repositories: folders added (new and adopted), what a folder is
 * offered to sync with, syncing with an offer, and the snapshot the window starts from.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { controlSocketPath } from '../../src/engine/control/control-server';
import { Engine } from '../../src/engine/engine';
import { parcelWatch } from '../../src/engine/sync/watcher';
import type { EngineEvent } from '../../src/shared/ipc';
import { VERSION } from '../../src/shared/version';
import { ferryOk, git, gitAsync, tempDir } from '../helpers/repos';
import { waitFor } from '../helpers/wait';

describe('the engine', () => {
  const tmp = tempDir();
  const engines: Engine[] = [];
  after(async () => {
    for (const e of engines) await e.stop();
    tmp.cleanup();
  });

  it('adds folders, offers a clone to sync with, and syncs with it both ways', async () => {
    const a = join(tmp.path, 'A');
    const b = join(tmp.path, 'B');
    mkdirSync(a);
    writeFileSync(join(a, 'notes.txt'), 'notes\n');
    await ferryOk(a, 'init', 'laptop');
    await ferryOk(a, 'add', '.');
    git(tmp.path, 'clone', '-q', a, b);
    await ferryOk(b, 'init', 'desktop');
    git(b, 'remote', 'remove', 'origin');
    // A's git-annex branch learns of B (as a clone pushing back once would tell it)
    git(a, 'remote', 'add', 'tmp', b);
    await ferryOk(a, 'sync');
    git(a, 'remote', 'remove', 'tmp');
    const state = join(tmp.path, 'state');
    const engine = new Engine({ watch: parcelWatch, stateDir: state, quietMs: 50 });
    engines.push(engine);
    const events: EngineEvent[] = [];
    engine.on((e) => events.push(e));
    await engine.start();
    const h = engine.handlers();
    const va = await h.addFolder({ path: a });
    assert.equal(va.description, 'laptop', 'an existing repository is adopted as it is');
    const vb = await h.addFolder({ path: b });
    assert.equal(vb.description, 'desktop');
    const snap = await h.snapshot();
    assert.deepEqual(
      snap.offers[va.uuid]?.map((o) => [o.description, o.source]),
      [['desktop', 'folder']],
    );
    assert.ok(existsSync(join(state, 'folders.json')), 'the folder list is kept');
    await h.syncWith({ repository: va.uuid, path: b });
    assert.equal(git(a, 'config', 'remote.desktop.url').trim(), b);
    assert.equal(git(b, 'config', 'remote.a.url').trim(), a, 'and the way back');
    assert.deepEqual((await h.snapshot()).offers[va.uuid], [], 'nothing left to offer');
    writeFileSync(join(a, 'new.txt'), 'made on the laptop\n');
    await waitFor('new.txt in the desktop folder', () => existsSync(join(b, 'new.txt')), 30_000);
    writeFileSync(join(b, 'back.txt'), 'made on the desktop\n');
    await waitFor('back.txt on the laptop', () => existsSync(join(a, 'back.txt')), 30_000);
    assert.ok(events.some((e) => e.type === 'offers-changed'));
    assert.ok(
      (await gitAsync(a, 'log', '--format=%s')).split('\n').length >= 2,
      'commits were made',
    );
  });

  it('answers ferry pause and resume from a terminal, and shows the pause in its state', async () => {
    const c = join(tmp.path, 'C');
    mkdirSync(c);
    writeFileSync(join(c, 'c.txt'), 'c\n');
    await ferryOk(c, 'init', 'camera');
    const engine = new Engine({ watch: parcelWatch, folders: [c], quietMs: 50 });
    engines.push(engine);
    const events: EngineEvent[] = [];
    engine.on((e) => events.push(e));
    await engine.start();
    await ferryOk(c, 'pause');
    const paused = await engine.handlers().snapshot();
    assert.equal(paused.control.isPaused, true);
    assert.equal(paused.repositories[0]?.state, 'paused');
    assert.ok(events.some((e) => e.type === 'control-changed' && e.control.isPaused));
    // the window's own view of the folder follows
    await waitFor('the folder shown paused', () =>
      events.some((e) => e.type === 'repository-changed' && e.status.state === 'paused'),
    );
    await ferryOk(c, 'resume');
    assert.equal((await engine.handlers().snapshot()).control.isPaused, false);
    // a second engine (another Ferry process) does not take the folder over
    const other = new Engine({ watch: parcelWatch, quietMs: 50 });
    engines.push(other);
    await assert.rejects(
      other.handlers().addFolder({ path: c }),
      /another Ferry process is already syncing this folder/,
    );
  });

  it('takes over a folder whose last Ferry process was killed (its socket left behind)', async () => {
    const e = join(tmp.path, 'E');
    mkdirSync(e);
    await ferryOk(e, 'init', 'killed');
    const socket = controlSocketPath(join(e, '.git', 'annex'));
    mkdirSync(dirname(socket), { recursive: true });
    const killed = spawn(
      process.execPath,
      ['-e', `require('net').createServer().listen(${JSON.stringify(socket)})`],
      { stdio: 'ignore' },
    );
    await waitFor('the socket of the process to be killed', () => existsSync(socket));
    killed.kill('SIGKILL');
    await new Promise((r) => killed.on('exit', r));
    assert.ok(existsSync(socket), 'a killed process leaves its socket file');
    const engine = new Engine({ watch: parcelWatch, folders: [e], quietMs: 50 });
    engines.push(engine);
    await engine.start();
    assert.deepEqual(engine.folders(), [e]);
    // and answers the terminal through a new socket
    assert.match((await ferryOk(e, 'transfers', '--json')).out, /"control":\{/);
  });

  it('refuses a folder path that is empty, with a clear message', async () => {
    const engine = new Engine({ watch: parcelWatch });
    engines.push(engine);
    await assert.rejects(engine.handlers().addFolder({ path: '  ' }), /give the path of a folder/);
  });
  it('keeps its recent log for the window, and says who it is', async () => {
    const missing = join(tmp.path, 'not-a-repository');
    mkdirSync(missing);
    const engine = new Engine({ watch: parcelWatch, folders: [missing], quietMs: 50 });
    engines.push(engine);
    await engine.start();
    const h = engine.handlers();
    const lines = await h.recentLog({});
    assert.ok(
      lines.some((l) => l.text.startsWith(`cannot sync ${missing}`)),
      JSON.stringify(lines),
    );
    assert.equal((await h.recentLog({ limit: 0 })).length, 0);
    const about = await h.about();
    assert.equal(about.version, VERSION);
    assert.equal(about.folders, 0);
  });
  it('names a new folder after itself, and renames a folder for every clone', async () => {
    const photos = join(tmp.path, 'Holiday Photos');
    mkdirSync(photos);
    const engine = new Engine({ watch: parcelWatch, quietMs: 50 });
    engines.push(engine);
    await engine.start();
    const h = engine.handlers();
    const view = await h.addFolder({ path: photos });
    assert.equal(view.description, 'Holiday Photos');
    const renamed = await h.renameFolder({ repository: view.uuid, name: '  Summer   2026 ' });
    assert.equal(renamed.description, 'Summer 2026');
    assert.match(git(photos, 'cat-file', '-p', 'git-annex:uuid.log'), /Summer 2026/);
    await assert.rejects(
      h.renameFolder({ repository: view.uuid, name: '   ' }),
      /1 to 200 characters/,
    );
  });
});
