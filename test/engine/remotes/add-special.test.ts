/**
 * The window's "Add a cloud or network remote" through the engine's command, on real remotes:
 * a folder and a WebDAV share (webdav-server on 127.0.0.1) are reached, made and listed with their
 * kind and state; a wrong login is refused with no secret in the error and nothing added; a
 * remote another clone made is enabled by its name, its login typed in.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dispatch } from '../../../src/engine/dispatch';
import { Engine } from '../../../src/engine/engine';
import { parcelWatch } from '../../../src/engine/sync/watcher';
import { ferryOk, git, gitAsync, tempDir } from '../../helpers/repos';
import { startWebDav, WEBDAV_PASS, WEBDAV_USER, type DavServer } from '../../helpers/webdav';
import { waitFor } from '../../helpers/wait';

describe('adding a special remote from the window', () => {
  const tmp = tempDir();
  const engines: Engine[] = [];
  let dav: DavServer;
  before(async () => {
    delete process.env.WEBDAV_USERNAME;
    delete process.env.WEBDAV_PASSWORD;
    dav = await startWebDav(tmp.path);
  });
  after(async () => {
    for (const e of engines) await e.stop();
    await dav.close();
    tmp.cleanup();
  });

  it('adds a folder and a WebDAV share, refuses a wrong login, and enables one another clone made', async () => {
    const a = join(tmp.path, 'A');
    mkdirSync(a);
    writeFileSync(join(a, 'notes.txt'), 'notes\n');
    await ferryOk(a, 'init', 'laptop');
    await ferryOk(a, 'add', '.');
    const engine = new Engine({
      watch: parcelWatch,
      stateDir: join(tmp.path, 'state'),
      quietMs: 50,
    });
    engines.push(engine);
    await engine.start();
    const h = engine.handlers();
    const view = await h.addFolder({ path: a });
    const share = join(tmp.path, 'share');
    mkdirSync(share);
    const dir = await dispatch(h, 'addSpecialRemote', {
      repository: view.uuid,
      name: 'share',
      type: 'directory',
      params: `directory=${share}`,
    });
    assert.ok(dir.ok, JSON.stringify(dir));
    const listed = dir.value.remotes.find((r) => r.name === 'share');
    assert.equal(listed?.kind, 'directory');
    assert.equal(listed?.state, 'connected');

    const wrong = await dispatch(h, 'addSpecialRemote', {
      repository: view.uuid,
      name: 'dav',
      type: 'webdav',
      params: `url=${dav.url}/annex`,
      user: WEBDAV_USER,
      password: 'not-the-password-77',
    });
    assert.equal(wrong.ok, false);
    assert.ok(!wrong.ok && /refused the credentials/.test(wrong.error.message));
    assert.ok(!JSON.stringify(wrong).includes('not-the-password-77'));
    assert.ok(!readFileSync(join(a, '.git', 'config'), 'utf8').includes('"dav"'), 'nothing added');

    const ok = await dispatch(h, 'addSpecialRemote', {
      repository: view.uuid,
      name: 'dav',
      type: 'webdav',
      params: `url=${dav.url}/annex`,
      user: WEBDAV_USER,
      password: WEBDAV_PASS,
    });
    assert.ok(ok.ok, JSON.stringify(ok));
    const fields = git(a, 'cat-file', '-p', 'git-annex:remote.log');
    assert.match(fields, /encryption=shared/, 'encrypted by default');
    assert.ok(!fields.includes(WEBDAV_PASS), 'the login stays out of remote.log');
    // the content reaches the share (the assistant sends it); asked without blocking this
    // process, where the engine may hold the journal lock git-annex waits for
    await waitFor(
      'notes.txt on the share',
      async () =>
        existsSync(join(dav.dir, 'annex')) &&
        (await gitAsync(a, 'annex', 'whereis', 'notes.txt')).includes('dav'),
      30_000,
    );

    const b = join(tmp.path, 'B');
    git(tmp.path, 'clone', '-q', a, b);
    await ferryOk(b, 'init', 'desktop');
    const vb = await h.addFolder({ path: b });
    const enabled = await dispatch(h, 'addSpecialRemote', {
      repository: vb.uuid,
      name: 'dav',
      type: 'webdav',
      params: '',
      user: WEBDAV_USER,
      password: WEBDAV_PASS,
    });
    assert.ok(enabled.ok, JSON.stringify(enabled));
    assert.equal(
      git(b, 'config', 'remote.dav.annex-uuid').trim(),
      git(a, 'config', 'remote.dav.annex-uuid').trim(),
      'the same remote, enabled',
    );
  });
});
