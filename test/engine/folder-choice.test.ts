/**
 * Adding a folder is safe: each path a user could type into "Add a folder" on real folders and
 * repositories, and what the engine does with it (nothing written until the folder is right;
 * an existing repository never re-described).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { chooseFolder } from '../../src/engine/folder-choice';
import { Engine } from '../../src/engine/engine';
import { parcelWatch } from '../../src/engine/sync/watcher';
import { ferryOk, git, tempDir } from '../helpers/repos';

const code = (c: string, data?: Record<string, unknown>) => (e: unknown) => {
  const err = e as { code?: string; data?: Record<string, unknown>; message?: string };
  assert.equal(err.code, c, err.message);
  for (const [k, v] of Object.entries(data ?? {})) assert.equal(err.data?.[k], v);
  assert.ok((err.message ?? '').length > 10);
  return true;
};

describe('choosing a folder to sync', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const home = join(tmp.path, 'home');
  mkdirSync(join(home, 'Photos'), { recursive: true });

  it('expands ~, and refuses relative paths, files and system folders', async () => {
    assert.deepEqual(await chooseFolder('~/Photos', { home }), {
      dir: join(home, 'Photos'),
      isRepository: false,
    });
    await assert.rejects(chooseFolder('Photos', { home }), code('not-a-folder'));
    writeFileSync(join(home, 'notes.txt'), 'x\n');
    await assert.rejects(chooseFolder(join(home, 'notes.txt'), { home }), code('not-a-folder'));
    for (const p of ['/', '/proc/self', '/proc', '/sys/kernel', '/etc', '/usr/lib', '/dev/null'])
      await assert.rejects(chooseFolder(p, { home }), code('unsafe-path'), p);
  });

  it('creates a missing folder only when asked, and the home folder only when confirmed', async () => {
    const missing = join(home, 'New', 'Sub');
    await assert.rejects(
      chooseFolder(missing, { home }),
      code('needs-confirmation', { create: true }),
    );
    assert.equal(existsSync(missing), false, 'nothing made before the user said so');
    assert.equal((await chooseFolder(missing, { home, create: true })).dir, missing);
    assert.ok(existsSync(missing));
    await assert.rejects(
      chooseFolder('~', { home }),
      code('needs-confirmation', { confirm: true }),
    );
    assert.equal((await chooseFolder('~/', { home, confirm: true })).dir, home);
  });

  it("offers a repository's top for any path inside it, and leaves the repository as it was", async () => {
    const repo = join(tmp.path, 'laptop');
    mkdirSync(join(repo, 'sub'), { recursive: true });
    writeFileSync(join(repo, 'sub', 'a.txt'), 'a\n');
    await ferryOk(repo, 'init', 'my laptop');
    for (const p of [join(repo, 'sub'), join(repo, 'sub', 'a.txt'), join(repo, 'missing')]) {
      await assert.rejects(
        chooseFolder(p, { home, create: true }),
        code(p.endsWith('a.txt') ? 'not-a-folder' : 'inside-repository'),
        p,
      );
    }
    await assert.rejects(chooseFolder(join(repo, 'sub')), code('inside-repository', { top: repo }));
    assert.equal(existsSync(join(repo, 'missing')), false);

    // through the engine: nothing re-initialised, the description kept even when one is given
    const engine = new Engine({
      watch: parcelWatch,
      stateDir: join(tmp.path, 'state'),
      quietMs: 50,
    });
    try {
      await engine.start();
      const h = engine.handlers();
      await assert.rejects(h.addFolder({ path: join(repo, 'sub') }), code('inside-repository'));
      assert.equal(existsSync(join(repo, 'sub', '.git')), false);
      const view = await h.addFolder({ path: repo, description: 'something else' });
      assert.equal(view.description, 'my laptop');
      const log = git(repo, 'show', 'git-annex:uuid.log');
      assert.doesNotMatch(log, /something else/);
      await assert.rejects(h.addFolder({ path: 'relative/dir' }), code('not-a-folder'));
    } finally {
      await engine.stop();
    }
  });

  it('a folder can stop syncing: its files and repository stay as they were, and it is forgotten', async () => {
    const repo = join(tmp.path, 'desk');
    mkdirSync(repo);
    writeFileSync(join(repo, 'keep.txt'), 'keep\n');
    await ferryOk(repo, 'init', 'desk');
    await ferryOk(repo, 'add', 'keep.txt');
    const state = join(tmp.path, 'state2');
    const engine = new Engine({ watch: parcelWatch, stateDir: state, quietMs: 50 });
    const events: string[] = [];
    engine.on((e) => events.push(e.type));
    try {
      await engine.start();
      const h = engine.handlers();
      const view = await h.addFolder({ path: repo, description: 'desk' });
      assert.deepEqual(engine.folders(), [repo]);
      const head = git(repo, 'rev-parse', 'HEAD').trim();
      await h.removeFolder({ repository: view.uuid });
      assert.deepEqual(engine.folders(), []);
      assert.ok(events.includes('repository-removed'));
      assert.doesNotMatch(readFileSync(join(state, 'folders.json'), 'utf8'), /desk/);
      // no longer watched: a new file is not committed; what was there is untouched
      writeFileSync(join(repo, 'later.txt'), 'later\n');
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(git(repo, 'rev-parse', 'HEAD').trim(), head);
      assert.equal(readFileSync(join(repo, 'keep.txt'), 'utf8'), 'keep\n');
      assert.equal(git(repo, 'config', 'annex.uuid').trim(), view.uuid);
      await assert.rejects(h.removeFolder({ repository: view.uuid }), /does not sync/);
      // and it can be added again as it is
      assert.equal((await h.addFolder({ path: repo })).uuid, view.uuid);
    } finally {
      await engine.stop();
    }
  });
});
