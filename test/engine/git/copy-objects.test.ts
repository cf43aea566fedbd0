/**
 * Copying objects to a repository on this machine: what the other side lacks is found from a
 * tree it has at the same path (the parent commit's), so a commit that changes a few entries of
 * a big tree looks up only those entries there, as a git-annex branch's root of thousands of
 * folders needs; and what is copied is whole, by git's fsck, with entries that changed kind
 * (a file become a folder) and new folders below changed ones.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gitContext } from '../../../src/engine/git/context';
import { ObjectDatabase } from '../../../src/engine/git/object-db';
import { copyObjects } from '../../../src/engine/git/transport-local';
import { assertGitFsck, git, tempDir } from '../../helpers/repos';

/** The destination's object store, counting how often it is asked what it has. */
function countingDb(gitdir: string): { db: ObjectDatabase; asked: () => number } {
  const db = new ObjectDatabase(gitdir);
  let n = 0;
  const has = db.has.bind(db);
  db.has = (oid: string) => {
    n++;
    return has(oid);
  };
  return { db, asked: () => n };
}

describe('copying objects to a local repository', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('looks up only the entries that differ from the tree the other side has', async () => {
    const a = join(tmp.path, 'a');
    git(tmp.path, 'init', '-q', '-b', 'main', a);
    for (let i = 0; i < 300; i++) {
      mkdirSync(join(a, `d${i}`));
      writeFileSync(join(a, `d${i}`, 'f.log'), `log ${i}\n`);
    }
    writeFileSync(join(a, 'becomes-a-folder'), 'a file first\n');
    git(a, 'add', '.');
    git(a, 'commit', '-qm', 'many folders');
    const b = join(tmp.path, 'b');
    git(tmp.path, 'clone', '-q', '--bare', a, b);

    // two entries change, one file becomes a folder, and a new folder nests another
    writeFileSync(join(a, 'd7', 'f.log'), 'log 7, again\n');
    writeFileSync(join(a, 'd8', 'g.log'), 'new beside\n');
    rmSync(join(a, 'becomes-a-folder'));
    mkdirSync(join(a, 'becomes-a-folder', 'inner'), { recursive: true });
    writeFileSync(join(a, 'becomes-a-folder', 'inner', 'x'), 'x\n');
    git(a, 'add', '-A');
    git(a, 'commit', '-qm', 'a few changes');
    const tip = git(a, 'rev-parse', 'HEAD').trim();

    const { db, asked } = countingDb(b);
    const copied = await copyObjects(gitContext(a, join(a, '.git'), false), { gitdir: b, db }, [
      tip,
    ]);
    // the commit, the root, d7 and its blob, d8 and its new blob, the new folders and x
    assert.equal(copied.objects, 9);
    // the tip, its parent (had), the changed entries below the root: never the 300 folders
    assert.ok(asked() < 20, `the destination was asked ${asked()} times`);
    git(b, 'update-ref', 'refs/heads/main', tip);
    assertGitFsck(b);
    assert.equal(git(b, 'show', `${tip}:d8/g.log`), 'new beside\n');
    assert.equal(git(b, 'show', `${tip}:becomes-a-folder/inner/x`), 'x\n');
  });

  it('copies everything below a commit whose parents the other side lacks', async () => {
    const a = join(tmp.path, 'fresh-a');
    git(tmp.path, 'init', '-q', '-b', 'main', a);
    mkdirSync(join(a, 'sub'));
    writeFileSync(join(a, 'sub', 'one'), '1\n');
    git(a, 'add', '.');
    git(a, 'commit', '-qm', 'first');
    writeFileSync(join(a, 'two'), '2\n');
    git(a, 'add', '.');
    git(a, 'commit', '-qm', 'second');
    const tip = git(a, 'rev-parse', 'HEAD').trim();
    const b = join(tmp.path, 'fresh-b');
    git(tmp.path, 'init', '-q', '--bare', b);
    const copied = await copyObjects(
      gitContext(a, join(a, '.git'), false),
      { gitdir: b, db: new ObjectDatabase(b), untrusted: true },
      [tip],
    );
    // two commits, two roots, sub, one, two
    assert.equal(copied.objects, 7);
    git(b, 'update-ref', 'refs/heads/main', tip);
    assertGitFsck(b);
  });
});
