/**
 * Ref listings never include a `<ref>.lock` file (a ref being updated at that moment): served to
 * another machine it is refused there, and a new clone adopting it as its branch would point
 * HEAD at a lock file.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openRepository } from '../../../src/engine/annex/repository';
import { gitContext } from '../../../src/engine/git/context';
import { listRefs } from '../../../src/engine/git/read';
import { listRefNames } from '../../../src/engine/git/ref-store';
import { adoptBranch } from '../../../src/engine/sync/adopt-branch';
import { git, tempDir } from '../../helpers/repos';

describe('ref listings', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('leave out lock files, and a repository with no commit never adopts one', async () => {
    const dir = join(tmp.path, 'r');
    git(tmp.path, 'init', '-q', '-b', 'main', dir);
    git(dir, 'config', 'annex.uuid', '5a1b2c3d-0000-4000-8000-000000000001');
    const gitdir = join(dir, '.git');
    const tree = git(dir, 'mktree').trim();
    const sha = git(dir, 'commit-tree', tree, '-m', 'branch created').trim();
    // only git-annex refs fetched so far, one of them being updated right now
    git(dir, 'update-ref', 'refs/remotes/b/git-annex', sha);
    writeFileSync(join(gitdir, 'refs', 'remotes', 'b', 'git-annex.lock'), `${sha}\n`);
    git(dir, 'update-ref', 'refs/heads/synced/git-annex', sha);
    writeFileSync(join(gitdir, 'refs', 'heads', 'synced', 'git-annex.lock'), `${sha}\n`);
    const ctx = gitContext(dir, gitdir, false);
    assert.deepEqual(await listRefs(ctx, 'refs/remotes'), ['refs/remotes/b/git-annex']);
    assert.deepEqual(await listRefNames(gitdir, 'refs/heads'), ['refs/heads/synced/git-annex']);
    assert.equal(await adoptBranch(await openRepository(dir)), undefined);
    assert.equal(git(dir, 'symbolic-ref', 'HEAD').trim(), 'refs/heads/main');
  });
});
