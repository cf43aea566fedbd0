/**
 * `ferry sync` between real clones: changes travel, conflicts of every kind end with every
 * version kept and identical trees everywhere, rejected pushes recover.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { keyOfBuffer } from '../../../src/engine/annex/key';
import { annexVariantPath, gitVariantPath } from '../../../src/engine/sync/variants';
import { headTree, lsTree, starClones } from '../../helpers/clones';
import { assertGitFsck, ferry, ferryOk, git, jsonLines, tempDir } from '../../helpers/repos';

describe('ferry sync across three clones (star)', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('a change in any clone reaches the others', async () => {
    const c = await starClones(tmp.path, ['A', 'B', 'C']);
    const [a, b, cc] = [c.A ?? '', c.B ?? '', c.C ?? ''];
    writeFileSync(join(b, 'from-b.txt'), 'written in B\n');
    await ferryOk(b, 'sync', '--add');
    await ferryOk(a, 'sync');
    await ferryOk(cc, 'sync');
    for (const d of [a, b, cc]) assert.ok(lsTree(d).includes('from-b.txt'), d);
    assert.equal(headTree(a), headTree(b));
    assert.equal(headTree(a), headTree(cc));
    // deletions and renames travel too
    rmSync(join(cc, 'README.txt'));
    await ferryOk(cc, 'sync');
    await ferryOk(a, 'sync');
    await ferryOk(b, 'sync');
    for (const d of [a, b, cc]) assert.ok(!lsTree(d).includes('README.txt'), `README gone in ${d}`);
    assert.equal(headTree(a), headTree(b));
    for (const d of [a, b, cc]) assertGitFsck(d);
  });
});

describe('conflicts never break a sync', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('resolves every kind of conflict with git-annex names and identical trees on both sides', async () => {
    const c = await starClones(tmp.path, ['A', 'B']);
    const [a, b] = [c.A ?? '', c.B ?? ''];
    // Shared starting point
    writeFileSync(join(a, 'one.txt'), 'original one\n');
    writeFileSync(join(a, 'delmod.txt'), 'original delmod\n');
    writeFileSync(join(a, 'notes.md'), 'plain original\n');
    writeFileSync(join(a, '.plain'), 'dot original\n');
    await ferryOk(a, 'add', '.');
    await ferryOk(a, 'sync');
    await ferryOk(b, 'sync');
    assert.equal(headTree(a), headTree(b));

    // Conflicting changes on both sides
    const edit = (dir: string, path: string, text: string): void => {
      rmSync(join(dir, path), { force: true, recursive: true });
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    edit(a, 'one.txt', 'A one\n');
    edit(b, 'one.txt', 'B one\n');
    rmSync(join(a, 'delmod.txt'));
    edit(b, 'delmod.txt', 'B modified delmod\n');
    edit(a, 'mixed.txt', 'A mixed annexed\n');
    edit(b, 'mixed.txt', 'B mixed\n');
    edit(a, '.plain', 'A dot\n');
    edit(b, '.plain', 'B dot\n');
    edit(a, 'dirfile', 'A file\n');
    edit(b, 'dirfile/inner.txt', 'B inner\n');
    edit(a, 'same.txt', 'same content\n');
    edit(b, 'same.txt', 'same content\n');
    await ferryOk(a, 'add', '.');
    git(b, 'config', 'annex.largefiles', 'exclude=mixed.txt');
    await ferryOk(b, 'add', '.');
    // A pulls B's commit and merges it with its own: this is where the conflicts are resolved.
    const events = jsonLines((await ferryOk(a, 'sync', '--add', '--json')).out);
    await ferryOk(b, 'sync', '--add');
    assert.equal(headTree(a), headTree(b), 'both sides end with the same tree');
    const resolved = events
      .filter((e) => e.type === 'conflict-resolved')
      .map((e) => `${String(e.path)}:${String(e.kind)}`);
    assert.deepEqual(resolved.sort(), [
      '.plain:both-plain',
      'delmod.txt:delete-modify',
      'dirfile:file-vs-directory',
      'mixed.txt:annexed-vs-plain',
      'one.txt:both-annexed',
    ]);

    const k = (name: string, text: string): string =>
      keyOfBuffer('SHA256E', name, Buffer.from(text));
    const files = lsTree(a);
    const expected = [
      annexVariantPath('one.txt', k('one.txt', 'A one\n')),
      annexVariantPath('one.txt', k('one.txt', 'B one\n')),
      annexVariantPath('delmod.txt', k('delmod.txt', 'B modified delmod\n')),
      'mixed.txt',
      annexVariantPath('mixed.txt', k('mixed.txt', 'A mixed annexed\n')),
      'dirfile/inner.txt',
      'same.txt',
    ];
    for (const f of expected) assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
    assert.ok(
      !files.includes('one.txt') && !files.includes('delmod.txt'),
      'annexed conflicts leave no file under the old name',
    );
    const dotVariants = files.filter((f) => f.startsWith('.variant-git-'));
    assert.equal(dotVariants.length, 2, 'both versions of the plain dotfile kept');
    assert.ok(
      files.some((f) => f.startsWith('dirfile.variant-')),
      'the file that met a directory is kept as a variant',
    );
    assert.equal(readFileSync(join(a, 'mixed.txt'), 'utf8'), 'B mixed\n');
    assert.equal(
      git(a, 'log', '-1', '--format=%s').trim(),
      'git-annex automatic merge conflict fix',
    );
    // every version's content is still somewhere in history or the tree
    for (const d of [a, b]) assertGitFsck(d);
    assert.deepEqual(dotVariants.map((f) => readFileSync(join(a, f), 'utf8')).sort(), [
      'A dot\n',
      'B dot\n',
    ]);
    const bDotBlob = git(
      b,
      'rev-parse',
      `HEAD:${dotVariants.find((f) => readFileSync(join(a, f), 'utf8') === 'B dot\n') ?? ''}`,
    ).trim();
    assert.ok(
      dotVariants.includes(gitVariantPath('.plain', bDotBlob)),
      'plain variants are named by blob id',
    );
  });

  it('a push rejected because the remote moved is pulled, merged and pushed again', async () => {
    const c = await starClones(join(tmp.path, 'race'), ['A', 'B']).catch(async () => {
      mkdirSync(join(tmp.path, 'race'));
      return starClones(join(tmp.path, 'race'), ['A', 'B']);
    });
    const [a, b] = [c.A ?? '', c.B ?? ''];
    // B pushes to A's synced/master first; then A's own change must build on it.
    writeFileSync(join(b, 'b.txt'), 'b\n');
    await ferryOk(b, 'sync', '--add');
    writeFileSync(join(a, 'a.txt'), 'a\n');
    await ferryOk(a, 'add', 'a.txt');
    // A pushes to B: B's synced/master is B's own commit, not an ancestor of A's master yet.
    const r = await ferry(a, 'sync', '--json');
    assert.equal(r.code, 0, r.err);
    await ferryOk(b, 'sync');
    assert.equal(headTree(a), headTree(b));
    assert.deepEqual(
      lsTree(b)
        .filter((f) => f.endsWith('.txt'))
        .sort(),
      ['README.txt', 'a.txt', 'b.txt'],
    );
  });
});
