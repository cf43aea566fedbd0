/**
 * What needs the user, through the engine's commands on a running assistant and real clones:
 * a mass deletion from a clone is held (shown in the folder's view) and kept; a sync batch is
 * undone from the history; a conflict is listed and resolved by keeping one version.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Engine } from '../../src/engine/engine';
import { parcelWatch } from '../../src/engine/sync/watcher';
import type { EngineEvent } from '../../src/shared/ipc';
import { lsTree, starClones } from '../helpers/clones';
import { ferryOk, git, gitAsync, tempDir } from '../helpers/repos';
import { waitFor } from '../helpers/wait';

const FILES = 300;

describe('what needs the user', () => {
  const tmp = tempDir();
  let engine: Engine | undefined;
  after(async () => {
    await engine?.stop();
    tmp.cleanup();
  });

  it('holds a mass deletion, keeps the files, undoes a batch and resolves a conflict', async () => {
    const c = await starClones(tmp.path, ['A', 'B']);
    const [a, b] = [c.A ?? '', c.B ?? ''];
    mkdirSync(join(a, 'photos'));
    for (let i = 0; i < FILES; i++) writeFileSync(join(a, 'photos', `p${i}.jpg`), `photo ${i}\n`);
    writeFileSync(join(a, 'notes.txt'), 'first\n');
    await ferryOk(a, 'add', '.');
    await ferryOk(a, 'sync');
    await ferryOk(b, 'sync');
    engine = new Engine({ watch: parcelWatch, folders: [a], quietMs: 50 });
    const events: EngineEvent[] = [];
    engine.on((e) => events.push(e));
    await engine.start();
    const h = engine.handlers();
    const [first] = await h.listRepositories();
    assert.ok(first);
    const uuid = first.uuid;
    const view = async (): Promise<Awaited<ReturnType<typeof h.listRepositories>>[number]> => {
      const all = await h.listRepositories();
      const v = all.find((r) => r.uuid === uuid);
      assert.ok(v);
      return v;
    };

    // B deletes 200 of 302 files: held in A, nothing deleted
    for (let i = 0; i < 200; i++) rmSync(join(b, 'photos', `p${i}.jpg`));
    await ferryOk(b, 'sync');
    await waitFor('the deletion held', async () => (await view()).held.length === 1, 30_000);
    const [held] = (await view()).held;
    assert.ok(held);
    assert.equal(held.deleted, 200);
    assert.equal(readdirSync(join(a, 'photos')).length, FILES);
    assert.ok(events.some((e) => e.type === 'deletions-held'));
    const activity = (await h.snapshot()).activity.map((x) => x.text);
    assert.ok(
      activity.some((t) => /deleted 200 of 302 files: held/.test(t)),
      activity.join('\n'),
    );
    await assert.rejects(
      h.decideDeletion({ repository: uuid, id: held.id, action: 'maybe' }),
      /apply or keep/,
    );
    const answered = await h.decideDeletion({ repository: uuid, id: held.id, action: 'keep' });
    assert.equal(answered.uuid, uuid);
    await waitFor(
      'the deletion no longer held',
      async () => (await view()).held.length === 0,
      30_000,
    );
    assert.equal(readdirSync(join(a, 'photos')).length, FILES, 'every photo kept');
    await waitFor(
      'B has its photos back',
      async () => {
        await ferryOk(b, 'sync');
        return readdirSync(join(b, 'photos')).length === FILES;
      },
      30_000,
    );

    // a small change from B goes through; undoing it from the history brings the files back
    for (let i = 0; i < 3; i++) rmSync(join(b, 'photos', `p${i}.jpg`));
    await ferryOk(b, 'sync');
    await waitFor(
      'the deletion merged in A',
      () => !existsSync(join(a, 'photos', 'p0.jpg')),
      30_000,
    );
    const merge = [...(await h.snapshot()).activity]
      .reverse()
      .find((x) => x.repository === uuid && x.undo);
    assert.ok(merge?.id !== undefined, 'the merge can be undone');
    assert.deepEqual(
      merge.files,
      ['photos/p0.jpg', 'photos/p1.jpg', 'photos/p2.jpg'],
      'its files named',
    );
    await h.undoSync({ repository: uuid, entry: merge.id });
    assert.equal(readFileSync(join(a, 'photos', 'p0.jpg'), 'utf8'), 'photo 0\n');
    assert.equal(readdirSync(join(a, 'photos')).length, FILES);
    assert.ok(events.some((e) => e.type === 'sync-undone' && e.files === 3));
    await assert.rejects(h.undoSync({ repository: uuid, entry: 999_999 }), /cannot be undone/);

    // a conflict: both edit notes.txt; A lists both versions and keeps one
    const before = git(a, 'rev-parse', 'HEAD');
    // a locked file is replaced, as an editor saving it does (its object is read-only)
    rmSync(join(a, 'notes.txt'));
    writeFileSync(join(a, 'notes.txt'), 'from A\n');
    await waitFor(
      'A committed its notes',
      // git status runs git-annex's filter, which may wait for a lock this process's engine
      // holds: asked without blocking this process
      async () =>
        git(a, 'rev-parse', 'HEAD') !== before &&
        (await gitAsync(a, 'status', '--porcelain')) === '',
      30_000,
    );
    rmSync(join(b, 'notes.txt'));
    writeFileSync(join(b, 'notes.txt'), 'from B\n');
    await ferryOk(b, 'sync');
    await waitFor('the conflict listed', async () => (await view()).conflicts.length === 1, 30_000);
    const [conflict] = (await view()).conflicts;
    assert.ok(conflict);
    assert.equal(conflict.path, 'notes.txt');
    assert.equal(conflict.variants.length, 2);
    assert.ok(conflict.variants.every((v) => v.size === 7 && v.modifiedAt !== null));
    const mine = conflict.variants
      .map((v) => v.path)
      .find((v) => readFileSync(join(a, v), 'utf8') === 'from A\n');
    assert.ok(mine);
    await assert.rejects(
      h.renameConflictVersion({ repository: uuid, path: 'notes.txt', variant: mine, name: '../x' }),
      /not a file name/,
    );
    // headless: nothing opens files here, and the message says where the version is
    await assert.rejects(
      h.openConflictVersion({ repository: uuid, path: 'notes.txt', variant: mine }),
      new RegExp(`open it on the machine Ferry runs on: .*${mine.replace(/\./g, '\\.')}`),
    );
    await assert.rejects(
      h.openConflictVersion({ repository: uuid, path: 'notes.txt', variant: '../../etc/passwd' }),
      /is not a version of notes\.txt/,
    );
    await h.keepConflictVersion({ repository: uuid, path: 'notes.txt', variant: mine });
    assert.equal(readFileSync(join(a, 'notes.txt'), 'utf8'), 'from A\n');
    for (const v of conflict.variants) assert.ok(!existsSync(join(a, v.path)));
    await waitFor(
      'the resolution committed',
      async () => (await view()).conflicts.length === 0,
      30_000,
    );
    await waitFor(
      'B has it too',
      async () => {
        await ferryOk(b, 'sync');
        return existsSync(join(b, 'notes.txt')) && !lsTree(b).some((p) => p.includes('.variant-'));
      },
      30_000,
    );
  });
});
