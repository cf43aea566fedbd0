/**
 * Syncing between Ferry and the real `git annex sync`, both directions, and the same conflict
 * resolved independently by each ending in the same tree.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { copyTree, headTree, lsTree } from '../helpers/clones';
import { assertGitFsck, ferryOk, ferryRepository, git, gitStatus, tempDir } from '../helpers/repos';

function write(dir: string, path: string, text: string): void {
  rmSync(join(dir, path), { force: true, recursive: true });
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}

describe('ferry sync with a git-annex clone', () => {
  const tmp = tempDir();
  const a = join(tmp.path, 'ferry');
  const b = join(tmp.path, 'annex');
  after(() => tmp.cleanup());

  it('changes travel both ways', async () => {
    mkdirSync(a);
    write(a, 'start.txt', 'start\n');
    await ferryOk(a, 'init', 'ferry side');
    await ferryOk(a, 'add', '.');
    git(tmp.path, 'clone', '-q', a, b);
    git(b, 'annex', 'init', 'annex side');
    git(a, 'remote', 'add', 'annex', b);

    write(b, 'from-annex.txt', 'made by git-annex\n');
    git(b, 'annex', 'add', 'from-annex.txt');
    git(b, 'annex', 'sync');
    await ferryOk(a, 'sync');
    assert.ok(lsTree(a).includes('from-annex.txt'));

    write(a, 'from-ferry.txt', 'made by ferry\n');
    await ferryOk(a, 'sync', '--add');
    git(b, 'annex', 'sync');
    assert.ok(lsTree(b).includes('from-ferry.txt'));
    assert.equal(headTree(a), headTree(b));
    // the git-annex side sees Ferry's location logs after its union merge
    git(b, 'annex', 'get', 'from-ferry.txt');
    assert.equal(readFileSync(join(b, 'from-ferry.txt'), 'utf8'), 'made by ferry\n');
    assert.equal(gitStatus(b, 'annex', 'fsck').status, 0);
    assertGitFsck(a);
    assertGitFsck(b);
  });
});

describe('the same conflict resolved by Ferry and by git-annex', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('produces identical trees', async () => {
    const a = join(tmp.path, 'ferry');
    const b = join(tmp.path, 'annex');
    mkdirSync(a);
    write(a, 'one.txt', 'one\n');
    write(a, 'delmod.txt', 'delmod\n');
    write(a, 'noext', 'noext\n');
    await ferryOk(a, 'init', 'ferry side');
    await ferryOk(a, 'add', '.');
    git(tmp.path, 'clone', '-q', a, b);
    git(b, 'annex', 'init', 'annex side');

    // Conflicting commits on both sides.
    write(a, 'one.txt', 'one from ferry\n');
    write(a, 'noext', 'noext from ferry\n');
    write(a, 'sub/doc.tar.gz', 'doc ferry\n');
    write(a, 'mixed.txt', 'mixed annexed by ferry\n');
    rmSync(join(a, 'delmod.txt'));
    await ferryOk(a, 'sync', '--add');

    write(b, 'one.txt', 'one from annex\n');
    write(b, 'noext', 'noext from annex\n');
    write(b, 'sub/doc.tar.gz', 'doc annex\n');
    write(b, 'delmod.txt', 'delmod modified by annex\n');
    write(b, 'mixed.txt', 'mixed in git\n');
    git(b, 'annex', 'add', 'one.txt', 'noext', 'sub/doc.tar.gz', 'delmod.txt');
    git(b, 'annex', 'add', '--force-small', 'mixed.txt');
    git(b, 'commit', '-q', '-m', 'annex side edits');

    // Each side resolves on its own: B against a snapshot of A, A against B without pushing.
    const snapshot = join(tmp.path, 'ferry-snapshot');
    copyTree(a, snapshot);
    git(b, 'remote', 'set-url', 'origin', snapshot);
    git(a, 'remote', 'add', 'annex', b);
    git(a, 'config', 'remote.annex.annex-push', 'false');
    await ferryOk(a, 'sync');
    git(b, 'annex', 'sync', '--no-push');

    assert.equal(
      git(b, 'log', '-1', '--format=%s').trim(),
      'git-annex automatic merge conflict fix',
    );
    assert.deepEqual(lsTree(a), lsTree(b));
    assert.equal(headTree(a), headTree(b), 'byte-identical trees');
    assertGitFsck(a);
  });
});

describe('files staged by git or git-annex in a Ferry repository', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('are committed by ferry sync as they are staged, with their location logs', async () => {
    const a = await ferryRepository(join(tmp.path, 'ferry'), 'ferry side', {
      'start.txt': 'start\n',
    });
    write(a, 'by-annex.bin', 'added by git annex add\n');
    git(a, 'annex', 'add', 'by-annex.bin');
    write(a, 'notes.txt', 'added by git add\n');
    git(a, 'add', 'notes.txt');
    // staged, not committed: nothing in the work tree differs from the index
    assert.equal(git(a, 'diff', '--name-only').trim(), '');
    assert.notEqual(git(a, 'diff', '--cached', '--name-only').trim(), '');

    await ferryOk(a, 'sync');
    assert.ok(lsTree(a).includes('by-annex.bin'));
    assert.ok(lsTree(a).includes('notes.txt'));
    assert.equal(git(a, 'status', '--porcelain').trim(), '', 'nothing left staged or changed');
    assert.equal(git(a, 'rev-parse', 'HEAD:notes.txt'), git(a, 'rev-parse', ':notes.txt'));
    assert.equal(gitStatus(a, 'annex', 'fsck').status, 0);
    assertGitFsck(a);
  });

  it('are committed when an add stopped between writing the index and moving the branch', async () => {
    const a = await ferryRepository(join(tmp.path, 'crashed'), 'crashed side', {
      'start.txt': 'start\n',
    });
    const before = git(a, 'rev-parse', 'HEAD').trim();
    write(a, 'late.txt', 'added just before the crash\n');
    await ferryOk(a, 'add', 'late.txt');
    // what a crash after the index and before the ref leaves: the index ahead of the branch
    git(a, 'update-ref', 'refs/heads/master', before);
    assert.ok(!lsTree(a).includes('late.txt'));

    await ferryOk(a, 'sync');
    assert.ok(lsTree(a).includes('late.txt'));
    assert.equal(git(a, 'status', '--porcelain').trim(), '');
    assert.equal(gitStatus(a, 'annex', 'fsck').status, 0);
  });

  it('commit removals that are only staged (git rm, a merge stopped before the branch moved)', async () => {
    const a = await ferryRepository(join(tmp.path, 'removals'), 'removals', {
      'keep.txt': 'keep\n',
      'gone.txt': 'removed with git rm\n',
      'docs/old.txt': 'removed from the index and the work tree\n',
    });
    git(a, 'rm', '-q', 'gone.txt');
    git(a, 'rm', '-q', '--cached', 'docs/old.txt');
    rmSync(join(a, 'docs'), { recursive: true });
    await ferryOk(a, 'sync');
    assert.deepEqual(lsTree(a), ['keep.txt']);
    assert.equal(git(a, 'status', '--porcelain').trim(), '');
  });

  it('leave alone a file whose removal is staged but which is still in the work tree', async () => {
    const a = await ferryRepository(join(tmp.path, 'untracked'), 'untracked', {
      'kept.txt': 'still here\n',
    });
    git(a, 'rm', '-q', '--cached', 'kept.txt');
    await ferryOk(a, 'sync');
    // not tracked any more, but nothing of the user's is deleted
    assert.ok(existsSync(join(a, 'kept.txt')));
  });
});
