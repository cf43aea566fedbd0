/**
 * The guard against mass deletion, between real clones: a change from elsewhere deleting over
 * 100 files and over 10 % of them is held (nothing deleted here) until the user applies it or
 * keeps their files; a small deletion goes through; the decision survives a new process.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openRepository } from '../../../src/engine/annex/repository';
import { deletedFiles, heldDeletions } from '../../../src/engine/sync/deletion-guard';
import { lsTree, starClones } from '../../helpers/clones';
import { assertGitFsck, ferry, ferryOk, git, jsonLines, tempDir } from '../../helpers/repos';

const FILES = 400;

async function twoClones(root: string): Promise<{ a: string; b: string }> {
  mkdirSync(root, { recursive: true });
  const c = await starClones(root, ['A', 'B']);
  const [a, b] = [c.A ?? '', c.B ?? ''];
  mkdirSync(join(a, 'photos'));
  for (let i = 0; i < FILES; i++) writeFileSync(join(a, 'photos', `p${i}.jpg`), `photo ${i}\n`);
  await ferryOk(a, 'add', '.');
  await ferryOk(a, 'sync');
  await ferryOk(b, 'sync');
  assert.equal(readdirSync(join(b, 'photos')).length, FILES);
  return { a, b };
}

/** B deletes `n` photos and syncs (its sync pushes to A's synced branch). */
async function deleteInB(b: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) rmSync(join(b, 'photos', `p${i}.jpg`));
  await ferryOk(b, 'sync');
}

describe('the guard against mass deletion', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('holds a change deleting 150 of 401 files, then keeps mine: the files come back to B', async () => {
    const { a, b } = await twoClones(join(tmp.path, 'keep'));
    await deleteInB(b, 150);
    const held = await ferryOk(a, 'sync', '--json');
    const events = jsonLines(held.out);
    const hold = events.find((e) => e.type === 'deletions-held');
    assert.ok(hold, held.out);
    assert.equal(hold.deleted, 150);
    assert.equal(hold.total, FILES + 1);
    assert.equal(readdirSync(join(a, 'photos')).length, FILES, 'nothing deleted in A');
    assert.equal(lsTree(a).length, FILES + 1);
    const list = heldDeletions(await openRepository(a));
    assert.equal(list.length, 1);
    assert.equal(list[0]?.sample.length, 20);
    // held again on the next sync, not announced twice
    const again = await ferryOk(a, 'sync', '--json');
    assert.ok(!jsonLines(again.out).some((e) => e.type === 'deletions-held'));
    assert.equal(readdirSync(join(a, 'photos')).length, FILES);
    const shown = await ferryOk(a, 'deletions');
    assert.match(shown.out, /deleted 150 of 401 files/);

    const kept = await ferryOk(a, 'deletions', 'keep', String(hold.id).slice(0, 8));
    assert.match(kept.out, /keeping the 150 files/);
    assert.equal(readdirSync(join(a, 'photos')).length, FILES);
    assert.equal(lsTree(a).length, FILES + 1);
    // A's branch has B's history in it, and B gets its files back
    assert.match(git(a, 'log', '-1', '--format=%s'), /keeping the 150 files it deleted/);
    assert.equal(git(a, 'rev-list', '--parents', '-1', 'HEAD').trim().split(' ').length, 3);
    await ferryOk(b, 'sync');
    assert.equal(readdirSync(join(b, 'photos')).length, FILES);
    assert.deepEqual(heldDeletions(await openRepository(a)), []);
    assertGitFsck(a);
    assertGitFsck(b);
  });

  it('applies a held change when told, and lets a small deletion through at once', async () => {
    const { a, b } = await twoClones(join(tmp.path, 'apply'));
    await deleteInB(b, 20); // 20 files: under the threshold
    await ferryOk(a, 'sync');
    assert.equal(readdirSync(join(a, 'photos')).length, FILES - 20);
    for (let i = 20; i < 320; i++) rmSync(join(b, 'photos', `p${i}.jpg`));
    await ferryOk(b, 'sync');
    await ferryOk(a, 'sync');
    assert.equal(readdirSync(join(a, 'photos')).length, FILES - 20, 'held');
    const [held] = heldDeletions(await openRepository(a));
    assert.ok(held);
    assert.equal(held.from, 'B', 'named by the commit that B made');
    assert.equal(held.deleted, 300);
    const wrong = await ferry(a, 'deletions', 'apply', 'feedbeef');
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.err, /no change feedbeef is held/);
    await ferryOk(a, 'deletions', 'apply', held.id);
    assert.equal(readdirSync(join(a, 'photos')).length, FILES - 320);
    assert.ok(!existsSync(join(a, 'photos', 'p100.jpg')));
    assert.deepEqual(heldDeletions(await openRepository(a)), []);
  });

  it('is off with ferry.deletionGuardFiles 0', async () => {
    const { a, b } = await twoClones(join(tmp.path, 'off'));
    git(a, 'config', 'ferry.deletionGuardFiles', '0');
    await deleteInB(b, 200);
    await ferryOk(a, 'sync');
    assert.equal(readdirSync(join(a, 'photos')).length, FILES - 200);
  });
});

describe('what counts as deleted', () => {
  const blob = { mode: '100644' as const, path: 'x', oid: 'a'.repeat(40), type: 'blob' as const };
  it('leaves out a file that became a folder and a folder that became a file', () => {
    const changes = [
      { path: 'gone.txt', before: blob, after: undefined },
      // notes became a folder: notes/today.txt is new
      { path: 'notes', before: blob, after: undefined },
      { path: 'notes/today.txt', before: undefined, after: blob },
      // album/ became a file
      { path: 'album/a.jpg', before: blob, after: undefined },
      { path: 'album', before: undefined, after: blob },
    ];
    assert.deepEqual(
      deletedFiles(changes).map((c) => c.path),
      ['gone.txt'],
    );
  });
});
