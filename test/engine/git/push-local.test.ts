/**
 * Pushing to a repository on this machine: a fast-forward moves the ref, a non-forced update
 * that is not one is rejected as git rejects it (also when the other side's tip is unknown
 * here), a forced one moves it, and git's fsck finds the other side whole afterwards.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gitContext } from '../../../src/engine/git/context';
import { pushLocal } from '../../../src/engine/git/push-local';
import { assertGitFsck, git, tempDir } from '../../helpers/repos';

function commit(dir: string, name: string): string {
  writeFileSync(join(dir, name), `${name}\n`);
  git(dir, 'add', name);
  git(dir, 'commit', '-qm', name);
  return git(dir, 'rev-parse', 'HEAD').trim();
}

describe('pushing to a local repository', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('moves a ref on a fast-forward, rejects a rewrite unless forced, and refuses an unknown tip', async () => {
    const a = join(tmp.path, 'a');
    git(tmp.path, 'init', '-q', '-b', 'main', a);
    const first = commit(a, 'one.txt');
    const b = join(tmp.path, 'b');
    git(tmp.path, 'clone', '-q', '--bare', a, b);
    const ctx = gitContext(a, join(a, '.git'), false);
    const dst = 'refs/heads/main';

    // a fast-forward, over several commits (the ancestor is found down the history)
    commit(a, 'two.txt');
    const third = commit(a, 'three.txt');
    const [ff] = await pushLocal(ctx, b, [{ src: third, dst, force: false }]);
    assert.equal(ff?.status, 'ok');
    assert.equal(git(b, 'rev-parse', dst).trim(), third);
    const [same] = await pushLocal(ctx, b, [{ src: third, dst, force: false }]);
    assert.equal(same?.status, 'up-to-date');

    // history rewritten here: `third` is no ancestor of the new tip
    git(a, 'reset', '-q', '--hard', first);
    const other = commit(a, 'other.txt');
    const [rejected] = await pushLocal(ctx, b, [{ src: other, dst, force: false }]);
    assert.equal(rejected?.status, 'rejected');
    assert.equal(git(b, 'rev-parse', dst).trim(), third, 'the ref stays');
    const [forced] = await pushLocal(ctx, b, [{ src: other, dst, force: true }]);
    assert.equal(forced?.status, 'ok');
    assert.equal(git(b, 'rev-parse', dst).trim(), other);

    // the other side moved to a commit this repository never saw: not built on, rejected
    const c = join(tmp.path, 'c');
    git(tmp.path, 'clone', '-q', b, c);
    const unseen = commit(c, 'elsewhere.txt');
    git(c, 'push', '-q', 'origin', `HEAD:${dst}`);
    const next = commit(a, 'next.txt');
    const [unknown] = await pushLocal(ctx, b, [{ src: next, dst, force: false }]);
    assert.equal(unknown?.status, 'rejected');
    assert.equal(git(b, 'rev-parse', dst).trim(), unseen);
    assertGitFsck(b);
  });
});
