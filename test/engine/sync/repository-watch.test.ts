/**
 * The assistant's repository watch: a ref another process moves is a reason to merge; a ref
 * this process moved itself (its own git-annex branch commits, after each location-log change)
 * is not, or every transfer would start a merge that commits the journal that moves the ref.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { openRepository } from '../../../src/engine/annex/repository';
import { setOwnRef } from '../../../src/engine/git/own-refs';
import { RepositoryWatch } from '../../../src/engine/sync/repository-watch';
import { parcelWatch } from '../../../src/engine/sync/watcher';
import { git, tempDir } from '../../helpers/repos';
import { waitFor } from '../../helpers/wait';

describe('the repository watch', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('tells refs others moved from refs this process moved', async () => {
    const dir = join(tmp.path, 'r');
    git(tmp.path, 'init', '-q', '-b', 'main', dir);
    git(dir, 'config', 'annex.uuid', '5a1b2c3d-0000-4000-8000-000000000002');
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'one');
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'two');
    const [two, one] = git(dir, 'rev-list', 'HEAD').trim().split('\n') as [string, string];
    git(dir, 'update-ref', 'refs/heads/git-annex', one);
    const repo = await openRepository(dir);
    let moved = 0;
    const watch = new RepositoryWatch(repo, parcelWatch, {
      changed: () => undefined,
      refsMoved: () => moved++,
      configChanged: () => undefined,
      gone: () => undefined,
      back: () => undefined,
    });
    await watch.start();
    try {
      await sleep(300);
      // ours, twice: both unremarked
      assert.ok(await setOwnRef(repo.gitdir, 'refs/heads/git-annex', two, one));
      await sleep(400);
      assert.ok(await setOwnRef(repo.gitdir, 'refs/heads/git-annex', one, two));
      await sleep(600);
      assert.equal(moved, 0, 'no merge for refs this process moved');
      // another git moves it: a merge is due
      git(dir, 'update-ref', 'refs/heads/git-annex', two);
      await waitFor('the move by another process is seen', () => moved > 0, 10_000);
    } finally {
      await watch.stop();
    }
  });
});
