/**
 * git bundles without git, checked by the real git both ways: a bundle Ferry writes passes
 * `git bundle verify` and fetches into a clone holding its prerequisites; a thin bundle git
 * writes (`git bundle create ... A..B`) imports here with every object checked; a bundle whose
 * prerequisites are missing gives no ref, and altered bytes are refused.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ancestry, createBundle, importBundle, parseBundle } from '../../../src/engine/git/bundle';
import { gitContext } from '../../../src/engine/git/context';
import { ObjectDatabase } from '../../../src/engine/git/object-db';
import { assertGitFsck, git, tempDir } from '../../helpers/repos';

function commitFiles(dir: string, files: Record<string, string>, message: string): string {
  for (const [p, t] of Object.entries(files)) writeFileSync(join(dir, p), t);
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', message);
  return git(dir, 'rev-parse', 'HEAD').trim();
}

describe('git bundles', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('a bundle Ferry writes is one git verifies and fetches, holding only what changed', async () => {
    const a = join(tmp.path, 'w-a');
    git(tmp.path, 'init', '-q', '-b', 'main', a);
    const files: Record<string, string> = {};
    for (let i = 0; i < 200; i++) files[`f${i}.txt`] = `file ${i}\n`;
    const first = commitFiles(a, files, 'first');
    git(tmp.path, 'clone', '-q', a, join(tmp.path, 'w-b'));
    const second = commitFiles(a, { 'f7.txt': 'changed\n', 'new.txt': 'new\n' }, 'second');
    const ctx = gitContext(a, join(a, '.git'), false);
    const known = await ancestry(ctx, [first]);
    const data = await createBundle(ctx, [{ ref: 'refs/heads/main', oid: second }], [first], known);
    const path = join(tmp.path, 'w.bundle');
    writeFileSync(path, data);
    const b = join(tmp.path, 'w-b');
    git(b, 'bundle', 'verify', path);
    git(b, 'fetch', '-q', path, 'refs/heads/main:refs/remotes/bundle/main');
    assert.equal(git(b, 'rev-parse', 'refs/remotes/bundle/main').trim(), second);
    assertGitFsck(b);
    // the commit, its tree, two blobs: not the 199 files that did not change
    assert.equal(parseBundle(data).pack.readUInt32BE(8), 4);
  });

  it('a thin bundle git writes imports with every object checked; without its prerequisites no ref is taken', async () => {
    const a = join(tmp.path, 'r-a');
    git(tmp.path, 'init', '-q', '-b', 'main', a);
    const big = Array.from({ length: 400 }, (_, i) => `line ${i}\n`).join('');
    const first = commitFiles(a, { 'big.txt': big }, 'first');
    const b = join(tmp.path, 'r-b');
    git(tmp.path, 'clone', '-q', a, b);
    const second = commitFiles(a, { 'big.txt': `${big}one more\n` }, 'second');
    const path = join(tmp.path, 'r.bundle');
    git(a, 'bundle', 'create', '-q', path, `${first}..main`);
    const bundle = parseBundle(readFileSync(path));
    assert.deepEqual(bundle.prerequisites, [first]);
    const local = gitContext(b, join(b, '.git'), false);
    const got = await importBundle(local, new ObjectDatabase(join(b, '.git')), bundle);
    assert.deepEqual(got.complete, [{ ref: 'refs/heads/main', oid: second }]);
    assert.equal(git(b, 'cat-file', '-t', second).trim(), 'commit');
    assertGitFsck(b);

    const empty = join(tmp.path, 'r-empty');
    git(tmp.path, 'init', '-q', empty);
    const none = gitContext(empty, join(empty, '.git'), false);
    await assert.rejects(
      importBundle(none, new ObjectDatabase(join(empty, '.git')), bundle),
      /delta base .* is neither in the pack nor here|not here/,
    );
  });

  it('refuses altered bytes and what is not a bundle', async () => {
    const a = join(tmp.path, 'x-a');
    git(tmp.path, 'init', '-q', '-b', 'main', a);
    const oid = commitFiles(a, { 'x.txt': 'x\n' }, 'x');
    const ctx = gitContext(a, join(a, '.git'), false);
    const data = await createBundle(ctx, [{ ref: 'refs/heads/main', oid }], [], new Set());
    const altered = Buffer.from(data);
    altered[altered.length - 30] = (altered[altered.length - 30] ?? 0) ^ 1;
    const other = join(tmp.path, 'x-b');
    git(tmp.path, 'init', '-q', other);
    const into = gitContext(other, join(other, '.git'), false);
    await assert.rejects(
      importBundle(into, new ObjectDatabase(join(other, '.git')), parseBundle(altered)),
      /cannot be read/,
    );
    assert.throws(() => parseBundle(Buffer.from('hello\n\nworld')), /not a git bundle/);
  });
});
